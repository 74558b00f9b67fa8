import {
  MeshError,
  PRESENCE_COMMANDS,
  clearPresenceStatePayloadSchema,
  presenceStateResultSchema,
  publishPresenceStatePayloadSchema,
  toMeshError,
} from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import { KeyedQueue } from "../subscriptions/keyedQueue";
import { invalidPayload, unreadable } from "../subscriptions/subscriptionErrors";
import type { SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import type { PresenceStateResult, PublishPresenceStateOptions } from "./presenceTypes";

/** A state this client set in a room, to set again on a new connection. */
interface OwnState {
  readonly state: unknown;
  /** When it expires (`Date.now()` time), or `undefined` when it does not. */
  readonly expiresAt: number | undefined;
}

function parseResult(command: string, result: unknown): PresenceStateResult {
  const parsed = presenceStateResultSchema.safeParse(result);
  if (!parsed.success) throw unreadable(command, parsed.error.issues);
  const { success, reason } = parsed.data;
  return reason === undefined ? { success } : { success, reason };
}

/**
 * The presence states this client set, per room: setting and clearing them (requests for one room go out one
 * after the other), and setting each again on a new connection, with what is left of its `expireAfter`, unless it
 * expired meanwhile. A connection's state is the server's to forget when it leaves, so a new connection starts
 * without one.
 */
export class OwnPresenceStates {
  readonly #states = new Map<string, OwnState>();
  readonly #queue = new KeyedQueue();

  constructor(private readonly hooks: SubscriptionManagerHooks) {}

  /** Sets this client's state in a room; remembered for reconnects once the server accepted it. */
  publish(room: string, options: PublishPresenceStateOptions): Promise<PresenceStateResult> {
    const payload = { roomName: room, state: options?.state ?? null, expireAfter: options?.expireAfter };
    const parsed = publishPresenceStatePayloadSchema.safeParse(payload);
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.#queue.run(room, async () => {
      const sentAt = Date.now();
      const result = parseResult(
        PRESENCE_COMMANDS.publishState,
        await this.hooks.request(PRESENCE_COMMANDS.publishState, parsed.data),
      );
      if (!result.success) return result;
      const { state, expireAfter } = parsed.data;
      if (state === null || state === undefined) this.#states.delete(room);
      else this.#states.set(room, { state, expiresAt: expireAfter === undefined ? undefined : sentAt + expireAfter });
      return result;
    });
  }

  /** Clears this client's state in a room; it is not set again after a reconnect. */
  clear(room: string): Promise<PresenceStateResult> {
    const parsed = clearPresenceStatePayloadSchema.safeParse({ roomName: room });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    this.#states.delete(room);
    return this.#queue.run(room, async () =>
      parseResult(PRESENCE_COMMANDS.clearState, await this.hooks.request(PRESENCE_COMMANDS.clearState, parsed.data)),
    );
  }

  /** Forgets the state of a room this client left, or of every room (`undefined`) when it goes offline. */
  forget(room?: string): void {
    if (room === undefined) this.#states.clear();
    else this.#states.delete(room);
  }

  /** Sets every remembered state that has not expired again on the new connection; refusals are reported. */
  async restore({ request }: RestoreContext): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.#states].map(async ([room, own]) => {
        if (own.expiresAt !== undefined && own.expiresAt <= now) {
          this.#states.delete(room);
          return;
        }
        const expireAfter = own.expiresAt === undefined ? undefined : own.expiresAt - now;
        const payload = { roomName: room, state: own.state, expireAfter };
        await this.#publishAgain(room, own, payload, request);
      }),
    );
  }

  async #publishAgain(room: string, own: OwnState, payload: object, request: RestoreContext["request"]) {
    let failure: MeshError;
    try {
      const result = parseResult(
        PRESENCE_COMMANDS.publishState,
        await request(PRESENCE_COMMANDS.publishState, payload),
      );
      if (result.success) return;
      const message = `The server refused to set this client's presence state in room "${room}" again`;
      failure = new MeshError("FORBIDDEN", result.reason === undefined ? message : `${message}: ${result.reason}`, {
        details: { roomName: room, reason: result.reason },
      });
    } catch (thrown) {
      const error = toMeshError(thrown, "INTERNAL_ERROR");
      // The new connection dropped too: keep the state for the next reconnect.
      if (error.code === "CONNECTION_CLOSED") return;
      const message = `Could not set this client's presence state in room "${room}" again: ${error.message}`;
      failure = new MeshError(error.code, message, { cause: error, details: { roomName: room } });
    }
    // Set again or cleared meanwhile: the newer call decides, nothing to drop.
    if (this.#states.get(room) !== own) return;
    this.#states.delete(room);
    this.hooks.reportError(failure);
  }
}
