import { type ClientLifecycleEvent, isClientLifecycleEvent } from "@meshwork/protocol";
import type { LifecycleArgs } from "./clientLifecycle";
import { type ClientParts, createClientParts } from "./clientParts";
import type { Unsubscribe } from "./emitter";
import type { MeshClientOptions } from "./options";
import type {
  PresenceCallback,
  PresenceStateResult,
  PresenceStore,
  PublishPresenceStateOptions,
  SubscribePresenceResult,
} from "./presence/presenceTypes";
import type { ChannelStore, RecordStore } from "./storeTypes";
import { type MeshUrls, UrlRotation } from "./urlRotation";
import type {
  ChannelCallback,
  ClientLifecycleHandlers,
  ClientStatus,
  CommandArgs,
  CommandMap,
  CommandName,
  CommandPayload,
  CommandResult,
  JoinRoomResult,
  LeaveRoomResult,
  PublishRecordUpdateOptions,
  PublishRecordUpdateResult,
  PushEventName,
  RecordCallback,
  SubscribeOptions,
  SubscribeRecordOptions,
  SubscribeRecordResult,
  SubscribeResult,
  UntypedCommands,
  UntypedEvents,
} from "./types";

/**
 * A meshwork client: sends commands, receives server pushes, keeps the connection alive and reconnects with
 * backoff. `TCommands` types `command()` (names, payloads, results); `TEvents` types push payloads by event name.
 *
 * @example
 * const client = new MeshClient("ws://localhost:8080");
 * await client.connect();
 * const response = await client.command("echo", "Hello!");
 *
 * @example
 * // Several instances of one application: reconnects move through the list.
 * const client = new MeshClient(["wss://a.example/ws", "wss://b.example/ws"]);
 */
export class MeshClient<
  TCommands extends CommandMap<TCommands> = UntypedCommands,
  TEvents extends object = UntypedEvents,
> {
  readonly #urls: UrlRotation;
  readonly #parts: ClientParts;

  /**
   * Creates a client; nothing connects until {@link connect}. `urls` is one server URL or a list of URLs of the
   * same application's instances: the client starts with the first and moves to the next (wrapping around) on
   * every failed attempt and whenever a server closes with 1001 (going away, e.g. during a deploy); other drops
   * retry the same URL first. The reconnect backoff and jitter apply across the list as to a single URL;
   * `connect()` tries each URL once, with no wait between attempts (see {@link connect}).
   * @throws TypeError for an empty list; RangeError for invalid numeric options; MeshError `NOT_CONNECTED` when
   * no WebSocket exists.
   */
  constructor(urls: MeshUrls, options: MeshClientOptions = {}) {
    this.#urls = new UrlRotation(urls);
    this.#parts = createClientParts(this, this.#urls, options);
  }

  /** The URL of the current connection, or the one the next attempt uses. */
  get url(): string {
    return this.#urls.current;
  }

  /** Every URL given to the constructor, in order. */
  get urls(): readonly string[] {
    return this.#urls.all;
  }

  /** Connection status: `connecting`, `online`, `reconnecting` or `offline`. */
  get status(): ClientStatus {
    return this.#parts.lifecycle.status;
  }

  /** Id the server gave the current (or most recent) connection; changes on every reconnect. */
  get connectionId(): string | undefined {
    return this.#parts.connection.hello?.connectionId;
  }

  /** Last round trip the server measured, in milliseconds; `undefined` until the first measurement. */
  get latency(): number | undefined {
    return this.#parts.lifecycle.latency;
  }

  /**
   * Connects and resolves once the server's hello arrived. With a URL list it tries each URL once, in order from
   * the current one (wrapping around), with no wait between attempts, and resolves on the first that connects
   * ({@link url} then names it). When every attempt failed (with one URL: its one attempt) it rejects with a
   * MeshError `NOT_CONNECTED` naming each URL and why, `details.attempts` listing them when there were several, and
   * the client is `offline`; reconnecting on its own starts only after the client was online. Calls while an
   * attempt is under way return the same promise.
   */
  connect(): Promise<void> {
    return this.#parts.connection.connect();
  }

  /**
   * Closes the connection with code 1000 and stops reconnecting. Commands waiting for an answer reject with
   * `CONNECTION_CLOSED`, queued ones with `NOT_CONNECTED`. Resolves once the socket has closed. Subscriptions and
   * joined rooms are dropped; listeners added with {@link on} stay, so a later {@link connect} reports to them.
   */
  close(): Promise<void> {
    return this.#parts.connection.close();
  }

  /**
   * Runs a command on the server and resolves with its result. Rejects with a MeshError carrying the server's
   * `code`, `message` and `details`, with `TIMEOUT` when no answer came in time, with `QUEUE_FULL` or
   * `NOT_CONNECTED` when it cannot be sent, and with `CONNECTION_CLOSED` when the connection dropped first.
   * The third argument is `{ timeout }` or, as in the original Mesh, the timeout in milliseconds.
   */
  command<K extends CommandName<TCommands>>(
    command: K,
    ...args: CommandArgs<CommandPayload<TCommands, K>>
  ): Promise<CommandResult<TCommands, K>> {
    const [payload, options] = args;
    return this.#parts.request(command, payload, options, false) as Promise<CommandResult<TCommands, K>>;
  }

  /**
   * Adds a listener to a channel: `callback` gets every message published from now on, once each, in order
   * (see {@link SubscribeOptions}, {@link SubscribeResult}); rejects with `INVALID_PAYLOAD`, or like {@link command}.
   */
  subscribe<TMessage = unknown>(
    channel: string,
    callback: ChannelCallback<TMessage>,
    options?: SubscribeOptions,
  ): Promise<SubscribeResult<TMessage>> {
    return this.#parts.channels.subscribe(channel, callback as ChannelCallback, options) as Promise<
      SubscribeResult<TMessage>
    >;
  }

  /** Alias of {@link subscribe}, the name the final original Mesh used. */
  subscribeChannel<TMessage = unknown>(
    channel: string,
    callback: ChannelCallback<TMessage>,
    options?: SubscribeOptions,
  ): Promise<SubscribeResult<TMessage>> {
    return this.subscribe(channel, callback, options);
  }

  /**
   * Removes every listener of a channel, or only `callback` (the server is told when none is left). Resolves whether
   * the server had the subscription (`false` offline), or, while other listeners remain, whether `callback` was one.
   */
  unsubscribe(channel: string, callback?: ChannelCallback<never>): Promise<boolean> {
    return this.#parts.channels.unsubscribe(channel, callback as ChannelCallback | undefined);
  }

  /** Alias of {@link unsubscribe}, the name the final original Mesh used. */
  unsubscribeChannel(channel: string, callback?: ChannelCallback<never>): Promise<boolean> {
    return this.unsubscribe(channel, callback);
  }

  /** A channel's store for `useSyncExternalStore` (see {@link ChannelStore}). @throws MeshError `INVALID_PAYLOAD`. */
  channelStore(channel: string): ChannelStore {
    return this.#parts.channels.store(channel);
  }

  /**
   * Adds a listener to a record: `callback` gets every version after the one resolved with, once, in order (see
   * {@link SubscribeRecordOptions}, {@link SubscribeRecordResult}); rejects with `INVALID_PAYLOAD`, or like {@link command}.
   */
  subscribeRecord<TRecord = any>(
    recordId: string,
    callback: RecordCallback<TRecord>,
    options?: SubscribeRecordOptions,
  ): Promise<SubscribeRecordResult<TRecord>> {
    return this.#parts.records.subscribe(recordId, callback as RecordCallback, options) as Promise<
      SubscribeRecordResult<TRecord>
    >;
  }

  /** Unsubscribes from a record as {@link unsubscribe} does from a channel: all listeners, or only `callback`. */
  unsubscribeRecord(recordId: string, callback?: RecordCallback<never>): Promise<boolean> {
    return this.#parts.records.unsubscribe(recordId, callback as RecordCallback | undefined);
  }

  /**
   * A record's store for `useSyncExternalStore` (see {@link RecordStore}); an observer that starts the subscription
   * starts it in `mode`, `patch` by default. @throws MeshError `INVALID_PAYLOAD`.
   */
  recordStore<TRecord = any>(recordId: string, options?: SubscribeRecordOptions): RecordStore<TRecord> {
    return this.#parts.records.store(recordId, options?.mode) as RecordStore<TRecord>;
  }

  /**
   * Sets the value of a record the server exposed as writable, and resolves with its version; rejects with
   * `VERSION_CONFLICT`, `FORBIDDEN`, `INVALID_PAYLOAD` or like {@link command} (see {@link PublishRecordUpdateResult}).
   */
  publishRecordUpdate(
    recordId: string,
    value: unknown,
    options?: PublishRecordUpdateOptions,
  ): Promise<PublishRecordUpdateResult> {
    return this.#parts.records.publish(recordId, value, options);
  }

  /**
   * Joins a room the server exposed, rejoined after reconnects (see {@link JoinRoomResult}). With `onPresence`, a
   * successful join then subscribes it to the room's presence as {@link subscribePresence} does.
   */
  joinRoom(room: string, onPresence?: PresenceCallback): Promise<JoinRoomResult> {
    return this.#parts.presence.join(room, onPresence);
  }

  /** Leaves a room joined with {@link joinRoom} (see {@link LeaveRoomResult}); this client's state there goes too. */
  leaveRoom(room: string): Promise<LeaveRoomResult> {
    return this.#parts.presence.leave(room);
  }

  /**
   * Adds a listener to a room's presence: `callback` gets every join, leave and state after the members and states
   * resolved with, once each, in order (see {@link SubscribePresenceResult}); rejects with `INVALID_PAYLOAD`, or
   * like {@link command}. Listeners of one room share one subscription, restored after reconnects.
   */
  subscribePresence(room: string, callback: PresenceCallback): Promise<SubscribePresenceResult> {
    return this.#parts.presence.subscriptions.subscribe(room, callback);
  }

  /** Unsubscribes from a room's presence as {@link unsubscribe} does from a channel: all listeners, or `callback`. */
  unsubscribePresence(room: string, callback?: PresenceCallback): Promise<boolean> {
    return this.#parts.presence.subscriptions.unsubscribe(room, callback);
  }

  /** A room's presence store for `useSyncExternalStore` (see {@link PresenceStore}). @throws `INVALID_PAYLOAD`. */
  presenceStore(room: string): PresenceStore {
    return this.#parts.presence.subscriptions.store(room);
  }

  /**
   * Sets this client's presence state in a room it is present in (`expireAfter`: ms until it clears on its own);
   * set again after reconnects until it expires. Resolves `{ success }`, or `{ success: false, reason }`.
   */
  publishPresenceState(room: string, options: PublishPresenceStateOptions): Promise<PresenceStateResult> {
    return this.#parts.presence.ownStates.publish(room, options);
  }

  /** Clears this client's presence state in a room (see {@link publishPresenceState}). */
  clearPresenceState(room: string): Promise<PresenceStateResult> {
    return this.#parts.presence.ownStates.clear(room);
  }

  /** This connection's metadata (`null` if none), or another's where the server allows it, else `FORBIDDEN`. */
  getConnectionMetadata<T = Record<string, unknown>>(connectionId?: string): Promise<T | null> {
    return this.#parts.rooms.connectionMetadata(connectionId) as Promise<T | null>;
  }

  /** The metadata of a room this client may join (`null` if none); `FORBIDDEN` for the others. */
  getRoomMetadata<T = Record<string, unknown>>(room: string): Promise<T | null> {
    return this.#parts.rooms.roomMetadata(room) as Promise<T | null>;
  }

  /**
   * Listens to a lifecycle event (`connect`, `disconnect`, `reconnect`, `reconnectfailed`, `status`, `latency`,
   * `ping`, `close`, `error`) or to pushes the server sends under an event name. Returns an unsubscribe function.
   * Within one state change, `status` comes first, then `disconnect`, then `connect` / `reconnect` or
   * `reconnectfailed` and `close`.
   */
  on<E extends ClientLifecycleEvent>(event: E, handler: ClientLifecycleHandlers[E]): Unsubscribe;
  on<E extends PushEventName<TEvents>>(event: E, handler: (payload: TEvents[E]) => void): Unsubscribe;
  on(event: string, handler: (...args: never[]) => void): Unsubscribe {
    return this.#listen(event, handler, false);
  }

  /** Like {@link on}, for the next occurrence only. */
  once<E extends ClientLifecycleEvent>(event: E, handler: ClientLifecycleHandlers[E]): Unsubscribe;
  once<E extends PushEventName<TEvents>>(event: E, handler: (payload: TEvents[E]) => void): Unsubscribe;
  once(event: string, handler: (...args: never[]) => void): Unsubscribe {
    return this.#listen(event, handler, true);
  }

  #listen(event: string, handler: (...args: never[]) => void, once: boolean): Unsubscribe {
    if (isClientLifecycleEvent(event)) {
      const listener = handler as (...args: LifecycleArgs[ClientLifecycleEvent]) => void;
      const events = this.#parts.lifecycle.events;
      return once ? events.once(event, listener) : events.on(event, listener);
    }
    const listener = handler as (payload: unknown) => void;
    const pushes = this.#parts.pushes;
    return once ? pushes.once(event, listener) : pushes.on(event, listener);
  }
}
