import type { CloseAction, ClientLifecycleEvent, MeshError, PatchOperation, RecordMode } from "@meshwork/protocol";

/** Public connection status. `status` events fire only when it actually changes. */
export type ClientStatus = "connecting" | "online" | "reconnecting" | "offline";

/** Per-call options of `command()`. */
export interface CommandOptions {
  /**
   * Milliseconds until the command rejects with `TIMEOUT`, counted from the call (time spent queued included).
   * `Infinity` waits forever.
   * @default the client's `defaultTimeout`
   */
  timeout?: number;
}

/** Shape of one typed command: what it takes and what it returns. A missing `payload` means none. */
export interface CommandDefinition {
  payload?: unknown;
  result?: unknown;
}

/**
 * Constraint of a typed command map such as `{ echo: { payload: string; result: string } }`. Written as a
 * mapped type so interfaces qualify too, not only type aliases.
 */
export type CommandMap<T> = { [K in keyof T]: CommandDefinition };

/**
 * The default command map: any name, any payload, and an `any` result, as in the original Mesh, so untyped code
 * can destructure results directly. Pass a command map to `MeshClient<…>` for checked names, payloads and results.
 */
export type UntypedCommands = { [command: string]: { payload: unknown; result: any } };

/** Command names of a command map. */
export type CommandName<TCommands> = keyof TCommands & string;

/** Payload type of a command; `undefined` when its definition has no `payload`. */
export type CommandPayload<TCommands, K extends keyof TCommands> = "payload" extends keyof TCommands[K]
  ? TCommands[K][Extract<"payload", keyof TCommands[K]>]
  : undefined;

/** Result type of a command; `unknown` when its definition has no `result`. */
export type CommandResult<TCommands, K extends keyof TCommands> = "result" extends keyof TCommands[K]
  ? TCommands[K][Extract<"result", keyof TCommands[K]>]
  : unknown;

/**
 * Arguments of `command()` after the name: the payload (optional when it may be `undefined`), then options or,
 * as in the original Mesh, a bare timeout in milliseconds.
 */
export type CommandArgs<TPayload> = undefined extends TPayload
  ? [payload?: TPayload, options?: CommandOptions | number]
  : [payload: TPayload, options?: CommandOptions | number];

/** Why an online socket closed, as given to `disconnect` listeners. */
export interface DisconnectInfo {
  /** WebSocket close code; 1006 when the connection dropped without one. */
  readonly code: number;
  /** Close reason, or what the client observed when there was none. */
  readonly reason: string;
  /** What the client does next for this code: `retry` means it reconnects if `shouldReconnect` allows. */
  readonly action: CloseAction;
}

/** Given to `connect` and `reconnect` listeners. */
export interface OnlineInfo {
  /** The id the server assigned to this connection. */
  readonly connectionId: string;
}

/** Listener signatures of the client's lifecycle events. */
export interface ClientLifecycleHandlers {
  /** Online for the first time after `connect()`. */
  connect: (info: OnlineInfo) => void;
  /** An online connection closed. */
  disconnect: (info: DisconnectInfo) => void;
  /** Online again after a drop, with every restorable subscription restored. */
  reconnect: (info: OnlineInfo) => void;
  /** The client gave up after `maxReconnectAttempts`; it is offline now. */
  reconnectfailed: () => void;
  /** The public status changed. */
  status: (status: ClientStatus) => void;
  /** The server measured a round trip, in milliseconds. */
  latency: (ms: number) => void;
  /** The server pinged; the client has already answered. */
  ping: () => void;
  /** The client went offline for good: `close()`, a failed `connect()`, a stop code, or giving up. */
  close: () => void;
  /**
   * Something unexpected that did not stop the client, e.g. an unreadable frame, a throwing listener, or the
   * server's `BAD_MESSAGE` answer to a frame of this client's that it could not read.
   */
  error: (error: MeshError) => void;
}

/** Push event names of an event map; lifecycle names are excluded, since the server never pushes them. */
export type PushEventName<TEvents> = Exclude<keyof TEvents & string, ClientLifecycleEvent>;

/** The default push event map: any name, unknown payload. */
export type UntypedEvents = { [event: string]: unknown };

/** Receives each message published to a subscribed channel, in publish order. */
export type ChannelCallback<TMessage = unknown> = (message: TMessage) => void;

/** Given to `onRecover` after a reconnect restored (or failed to restore) a channel subscription. */
export interface RecoveryInfo {
  /** The channel that was resubscribed. */
  readonly channel: string;
  /**
   * Whether the callback got every message published while the client was away. `false` when the channel's
   * history no longer held them (trimmed, or lost with a new epoch) or the subscription could not be restored.
   */
  readonly recovered: boolean;
  /** How many missed messages the server replayed. */
  readonly missed: number;
}

/**
 * Options of one listener added with `subscribe()`.
 *
 * All listeners of a channel share one subscription on the server: the first starts it, later ones join it
 * without a new server subscription, and removing the last one (or `unsubscribe(channel)`) ends it. Each listener
 * gets every message published after it joined, exactly once, in order. Live messages that race a subscribe answer
 * are held back and de-duplicated by their stored offset. After a reconnect the subscription is resubscribed from
 * its last position before `reconnect` fires, and missed messages the history still holds are delivered to every
 * listener first.
 */
export interface SubscribeOptions {
  /**
   * Stored messages to return in `history`, newest first. Values above `MAX_HISTORY_LIMIT` (1000) are capped.
   * A listener joining a live subscription with a limit asks the server for its history (the server's
   * subscription stays the one it has); its callback then gets only messages that history does not hold.
   * @default 0
   */
  historyLimit?: number;
  /**
   * Called once per reconnect, after the subscription was restored and the missed messages that history still
   * held were delivered to the callbacks, and before `reconnect` fires. Every listener's own `onRecover` is called.
   */
  onRecover?: (info: RecoveryInfo) => void;
}

/**
 * What `subscribe()` resolves with: `history` holds up to `historyLimit` stored messages, newest first. Listeners
 * of a channel share one server subscription, restored after a reconnect (see {@link SubscribeOptions}). Resolves
 * `{ success: false, reason }` when the server refuses; the call rejects with `INVALID_PAYLOAD` for an invalid
 * name or limit, or as `command()` does.
 */
export interface SubscribeResult<TMessage = unknown> {
  /** Whether the server accepted the subscription. */
  readonly success: boolean;
  /** Stored messages, newest first (`["msg3", "msg2", "msg1"]`); empty without `historyLimit`. */
  readonly history: TMessage[];
  /** Why the server refused, when it did: e.g. the channel is not exposed or a guard denied it. */
  readonly reason?: string;
}

/**
 * What a record callback receives, version by version, never skipping one in patch mode:
 * - `full`: the whole value at `version`. Every update of a full-mode subscription; in patch mode when the record
 *   was created (or its whole value replaced), after the client resynchronised on its own, and after a reconnect.
 * - `patch`: RFC 6902 operations that turn version `version - 1` into `version` (patch mode only).
 * - `deleted: true`: the record was deleted at `version` (its last version); it now reads as `null` at version 0.
 *
 * `TRecord` defaults to `any`, as untyped command results do, so untyped code such as the seed's
 * `let userProfile = {}; … userProfile = update.full;` compiles; pass a type for checked values.
 */
export interface RecordUpdate<TRecord = any> {
  readonly recordId: string;
  readonly version: number;
  readonly full?: TRecord;
  readonly patch?: PatchOperation[];
  readonly deleted?: true;
}

/** Receives a subscribed record's updates, in version order. */
export type RecordCallback<TRecord = any> = (update: RecordUpdate<TRecord>) => void;

/**
 * Options of one listener added with `subscribeRecord()`.
 *
 * All listeners of a record share one subscription on the server, in the mode of the one that started it (the
 * first listener, or the first observer of `recordStore()`); removing the last one (or `unsubscribeRecord(id)`)
 * ends it. The client tracks the record's version: each listener gets every version after the one its subscribe
 * resolved with, once, in order, and updates the value already held are dropped. A later listener resolves with
 * the current value at once. Updates racing the first answer are delivered only after the code awaiting it ran,
 * so `doc = record` never overwrites a newer update. In patch mode a missed version (or a patch `applyPatch` would
 * refuse) makes the client fetch the current value and deliver it as `full`, one resync at a time, holding updates
 * back meanwhile. After a reconnect every listener gets the current value as `full`, before `reconnect` fires.
 */
export interface SubscribeRecordOptions {
  /**
   * `full`: every update carries the whole value. `patch`: updates carry RFC 6902 patches against the previous
   * version, and `full` only where a patch cannot do (creation, resynchronisation, reconnect), or where the
   * shared subscription is in full mode (a full-mode listener started it). A full-mode listener of a subscription
   * in patch mode gets each value as `full`, rebuilt by the client from the patches.
   * @default "full"
   */
  mode?: RecordMode;
}

/**
 * What `subscribeRecord()` resolves with: the record's value now (`null` at version 0 when it does not exist); the
 * callback then gets every later version once, in order, in the form of its mode (see {@link RecordUpdate}).
 * Listeners of a record share one server subscription. `{ success: false, reason }` when refused.
 */
export interface SubscribeRecordResult<TRecord = any> {
  /** Whether the server accepted the subscription. */
  readonly success: boolean;
  /** The record's value when subscribed; `null` when it does not exist (or the subscription was refused). */
  readonly record: TRecord | null;
  /** The version of `record`; 0 when the record does not exist. Updates from here on have higher versions. */
  readonly version: number;
  /** Why the server refused, when it did: e.g. the record is not exposed or a guard denied it. */
  readonly reason?: string;
}

/** Options of `publishRecordUpdate()`. */
export interface PublishRecordUpdateOptions {
  /**
   * Write only if the record is still at this version (`0`: only if it does not exist yet); otherwise the call
   * rejects with `VERSION_CONFLICT`. Without it, the write applies to whatever version is current.
   */
  expectedVersion?: number;
}

/**
 * What `publishRecordUpdate()` resolves with. With `expectedVersion` the write applies only if the record is still
 * at that version (`0`: only if it does not exist yet). The call rejects with MeshError `VERSION_CONFLICT` when it
 * is not, `FORBIDDEN` when the record is not writable for this client, `INVALID_PAYLOAD` for an invalid id or a
 * value that is not JSON, or as `command()` does. Subscribers, this client included, get the change through their
 * callbacks.
 */
export interface PublishRecordUpdateResult {
  /** The record's version after the write; unchanged when the value was equal to the current one. */
  readonly version: number;
}

/** A member of a room, as `joinRoom()` lists it. */
export interface RoomMember {
  readonly connectionId: string;
  /**
   * The member's connection metadata: always this client's own; another member's only where the server allows it
   * (`exposeConnectionMetadata`), `null` otherwise or when none was set. The server decides, not the client.
   */
  readonly metadata: Record<string, unknown> | null;
}

/**
 * What `joinRoom()` resolves with. The server lets clients join only rooms it exposed (`exposeRoom`) and whose
 * guard allows them; a refusal resolves `{ success: false, present: [], reason }`. A joined room gets the room's
 * broadcasts from any server instance, and is rejoined after every reconnect, before `reconnect` fires; a room the
 * server refuses then is dropped and reported through the `error` event (`FORBIDDEN`, `details.roomName`).
 */
export interface JoinRoomResult {
  /** Whether the server let this client join. */
  readonly success: boolean;
  /** The room's members after the join, this client included; empty when refused. */
  readonly present: RoomMember[];
  /** Why the server refused, when it did: the room is not exposed, or its guard denied. */
  readonly reason?: string;
}

/**
 * What `leaveRoom()` resolves with: `success` when this client is no longer a member (also when it was none, and
 * while offline); `false`, with a `reason`, for a room the server did not expose (clients leave only those).
 */
export interface LeaveRoomResult {
  readonly success: boolean;
  readonly reason?: string;
}
