import type { CloseAction, ClientLifecycleEvent, MeshError } from "@meshwork/protocol";

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
  /** The client went offline for good: `close()`, a failed first attempt, a stop code, or giving up. */
  close: () => void;
  /** Something unexpected that did not stop the client, e.g. an unreadable frame or a throwing listener. */
  error: (error: MeshError) => void;
}

/** Push event names of an event map; lifecycle names are excluded, since the server never pushes them. */
export type PushEventName<TEvents> = Exclude<keyof TEvents & string, ClientLifecycleEvent>;

/** The default push event map: any name, unknown payload. */
export type UntypedEvents = { [event: string]: unknown };
