import { resolveWebSocket, type WebSocketConstructor } from "./webSocket";

/** Options of `new MeshClient(url, options)`. Every field is optional; see {@link DEFAULT_CLIENT_OPTIONS}. */
export interface MeshClientOptions {
  /**
   * Milliseconds between the client's checks that the server's pings still arrive; should match the server's
   * `pingInterval`. If the server announces a longer interval in its hello, that one is used, so a short value
   * here can never drop a healthy connection. `0` or `Infinity` turns the checks off.
   * @default 30000
   */
  pingTimeout?: number;
  /**
   * Checks in a row that may pass without a ping before the client drops the socket and reconnects.
   * @default 1
   */
  maxMissedPings?: number;
  /**
   * Reconnect after an established connection is lost. The very first `connect()` never retries on its own:
   * it rejects, so a wrong URL fails fast.
   * @default true
   */
  shouldReconnect?: boolean;
  /**
   * Base delay in milliseconds before the first reconnect attempt; later attempts double it (with jitter)
   * up to `maxReconnectInterval`.
   * @default 2000
   */
  reconnectInterval?: number;
  /**
   * Largest base delay in milliseconds between reconnect attempts. A value below `reconnectInterval` is
   * raised to it.
   * @default 30000
   */
  maxReconnectInterval?: number;
  /**
   * Reconnect attempts after a drop before the client gives up, emits `reconnectfailed` and goes offline.
   * @default Infinity
   */
  maxReconnectAttempts?: number;
  /**
   * Commands that may wait while the client is connecting or reconnecting; one more rejects at once with
   * `QUEUE_FULL`.
   * @default 100
   */
  maxQueuedCommands?: number;
  /**
   * Milliseconds a command may take, queueing included, before it rejects with `TIMEOUT`, unless the call
   * passes its own timeout. `Infinity` waits forever.
   * @default 30000
   */
  defaultTimeout?: number;
  /**
   * Milliseconds an attempt may take from opening the socket to the server's hello before it counts as failed.
   * `Infinity` waits forever.
   * @default 10000
   */
  connectTimeout?: number;
  /**
   * WebSocket implementation. Defaults to `ws` under Node and to the native `WebSocket` elsewhere; inject one
   * for other runtimes or tests.
   * @default undefined
   */
  WebSocket?: WebSocketConstructor;
}

/** Options after defaults are merged in. */
export type ResolvedClientOptions = Readonly<Required<MeshClientOptions>>;

/** The client's defaults; merged under the options given to the constructor. */
export const DEFAULT_CLIENT_OPTIONS: Readonly<Required<Omit<MeshClientOptions, "WebSocket">>> = Object.freeze({
  pingTimeout: 30_000,
  maxMissedPings: 1,
  shouldReconnect: true,
  reconnectInterval: 2_000,
  maxReconnectInterval: 30_000,
  maxReconnectAttempts: Number.POSITIVE_INFINITY,
  maxQueuedCommands: 100,
  defaultTimeout: 30_000,
  connectTimeout: 10_000,
});

type NumericOption = Exclude<keyof typeof DEFAULT_CLIENT_OPTIONS, "shouldReconnect">;

const INTEGER_OPTIONS: ReadonlySet<NumericOption> = new Set(["maxMissedPings", "maxQueuedCommands"]);
const MAY_BE_INFINITE: ReadonlySet<NumericOption> = new Set([
  "pingTimeout",
  "maxReconnectAttempts",
  "defaultTimeout",
  "connectTimeout",
]);

function checkNumber(name: NumericOption, value: number): void {
  const valid =
    typeof value === "number" &&
    value >= 0 &&
    (Number.isFinite(value) ? !INTEGER_OPTIONS.has(name) || Number.isInteger(value) : MAY_BE_INFINITE.has(name));
  if (!valid) {
    const kind = INTEGER_OPTIONS.has(name) ? "a non-negative integer" : "a non-negative number";
    throw new RangeError(`MeshClient option "${name}" must be ${kind}, got ${String(value)}`);
  }
}

/**
 * Merges `options` over {@link DEFAULT_CLIENT_OPTIONS} (fields set to `undefined` keep their default),
 * validates the numbers and resolves the WebSocket implementation.
 *
 * @throws RangeError for an invalid number, MeshError `NOT_CONNECTED` when no WebSocket implementation exists.
 */
export function resolveClientOptions(options: MeshClientOptions = {}): ResolvedClientOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const merged = { ...DEFAULT_CLIENT_OPTIONS, ...defined } as Required<Omit<MeshClientOptions, "WebSocket">>;
  for (const name of Object.keys(DEFAULT_CLIENT_OPTIONS) as (keyof typeof DEFAULT_CLIENT_OPTIONS)[]) {
    if (name !== "shouldReconnect") checkNumber(name, merged[name]);
  }
  return Object.freeze({
    ...merged,
    shouldReconnect: Boolean(merged.shouldReconnect),
    maxReconnectInterval: Math.max(merged.maxReconnectInterval, merged.reconnectInterval),
    WebSocket: resolveWebSocket(options.WebSocket),
  });
}
