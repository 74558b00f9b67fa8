import {
  CHANNEL_COMMANDS,
  type ChannelPosition,
  MAX_HISTORY_LIMIT,
  type SubscribeChannelPayload,
  type SubscribeChannelResult,
  subscribeChannelPayloadSchema,
  unsubscribeChannelPayloadSchema,
} from "@meshwork/protocol";
import type { ScriptedConnection, ScriptedHandler } from "./scriptedServer";

interface StoredChannel {
  epoch: string;
  offset: number;
  /** Oldest first. */
  history: { offset: number; message: unknown }[];
}

function invalid(issues: unknown): Error {
  return Object.assign(new Error("Invalid payload"), { code: "INVALID_PAYLOAD", details: issues });
}

let epochCounter = 0;

/**
 * The channel side of the scripted server, following the wire contract of `mesh/subscribe-channel` and
 * `mesh/unsubscribe-channel`: the subscriber is registered before history and missed messages are read, stored
 * messages carry an epoch and an offset counting up from 1, and `since` replays what history still holds.
 * History and epochs outlive a restart of the scripted server, the way Redis outlives a server instance.
 */
export class ScriptedChannels {
  /** Who may subscribe: `true` allows, a string refuses with that reason. */
  access: (channel: string, connection: ScriptedConnection) => true | string = () => true;
  /** Runs once the subscriber is registered and before history is read: the window the real server has too. */
  afterRegister: ((channel: string, connection: ScriptedConnection) => void | Promise<void>) | undefined;
  /** Rewrites a successful subscribe result before it is sent. */
  rewriteResult:
    | ((result: SubscribeChannelResult, payload: SubscribeChannelPayload) => SubscribeChannelResult)
    | undefined;
  /** Every valid subscribe payload received, in order. */
  readonly subscribePayloads: SubscribeChannelPayload[] = [];
  readonly #stored = new Map<string, StoredChannel>();
  readonly #subscribers = new Map<string, Set<ScriptedConnection>>();

  constructor(handle: (command: string, handler: ScriptedHandler) => void) {
    handle(CHANNEL_COMMANDS.subscribe, (payload, connection) => this.#subscribe(payload, connection));
    handle(CHANNEL_COMMANDS.unsubscribe, (payload, connection) => {
      const parsed = unsubscribeChannelPayloadSchema.safeParse(payload);
      if (!parsed.success) throw invalid(parsed.error.issues);
      return this.#subscribers.get(parsed.data.channel)?.delete(connection) ?? false;
    });
  }

  /**
   * Publishes to every open subscriber. With `history > 0` the message is stored (history trimmed to that many)
   * and carries its epoch and offset. Returns the stored position, if any.
   */
  publish(channel: string, message: unknown, history = 0): ChannelPosition | undefined {
    let position: ChannelPosition | undefined;
    if (history > 0) {
      const stored = this.#storedChannel(channel);
      stored.offset += 1;
      stored.history.push({ offset: stored.offset, message });
      stored.history.splice(0, Math.max(0, stored.history.length - history));
      position = { epoch: stored.epoch, offset: stored.offset };
    }
    for (const connection of this.subscribers(channel)) {
      connection.send({ type: "channel-message", channel, message, ...position });
    }
    return position;
  }

  /** Loses the channel's history, as when Redis restarts empty: the next stored message starts a new epoch. */
  loseHistory(channel: string): void {
    this.#stored.delete(channel);
  }

  /** The channel's stored position, if it ever stored a message. */
  position(channel: string): ChannelPosition | undefined {
    const stored = this.#stored.get(channel);
    return stored === undefined ? undefined : { epoch: stored.epoch, offset: stored.offset };
  }

  /** Open connections subscribed to the channel. */
  subscribers(channel: string): ScriptedConnection[] {
    const subscribers = this.#subscribers.get(channel) ?? new Set<ScriptedConnection>();
    return [...subscribers].filter((connection) => connection.socket.readyState === connection.socket.OPEN);
  }

  #storedChannel(channel: string): StoredChannel {
    let stored = this.#stored.get(channel);
    if (stored === undefined) {
      stored = { epoch: `epoch-${++epochCounter}`, offset: 0, history: [] };
      this.#stored.set(channel, stored);
    }
    return stored;
  }

  async #subscribe(payload: unknown, connection: ScriptedConnection): Promise<SubscribeChannelResult> {
    const parsed = subscribeChannelPayloadSchema.safeParse(payload);
    if (!parsed.success) throw invalid(parsed.error.issues);
    this.subscribePayloads.push(parsed.data);
    const { channel, historyLimit = 0, since } = parsed.data;
    const access = this.access(channel, connection);
    if (access !== true) return { success: false, reason: access, history: [] };

    let subscribers = this.#subscribers.get(channel);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#subscribers.set(channel, subscribers);
    }
    subscribers.add(connection);
    await this.afterRegister?.(channel, connection);

    const stored = this.#stored.get(channel);
    const limit = Math.min(historyLimit, MAX_HISTORY_LIMIT);
    const result: SubscribeChannelResult = {
      success: true,
      history:
        stored !== undefined && limit > 0
          ? stored.history
              .slice(-limit)
              .reverse()
              .map((m) => m.message)
          : [],
    };
    if (stored !== undefined) result.position = { epoch: stored.epoch, offset: stored.offset };
    if (since !== undefined) {
      const oldest = stored?.history[0]?.offset ?? Number.POSITIVE_INFINITY;
      const held =
        stored !== undefined &&
        since.epoch === stored.epoch &&
        (since.offset >= stored.offset || since.offset + 1 >= oldest);
      result.recovered = held;
      result.missed = held ? stored.history.filter((entry) => entry.offset > since.offset) : [];
    }
    return this.rewriteResult?.(result, parsed.data) ?? result;
  }
}
