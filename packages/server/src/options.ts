import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { ConnectionMetadata, MeshState, RedisClusterConnection, RedisOptions } from "@meshwork/redis-state";
import {
  type OriginCheck,
  type RateLimitOptions,
  type ResolvedRateLimit,
  resolveLimitOptions,
} from "./limits/limitOptions";
import { type MetricsRegistry, checkMetricsOptions } from "./metrics/metricsOptions";

export type { OriginCheck, RateLimitOptions, MetricsRegistry };

/**
 * Where the server writes what it wants people to know. `console` fits; so does pino or winston.
 * Client input never reaches `info`/`warn`/`error` in a way a client could use to flood the log:
 * per-frame problems go to `debug`.
 */
export interface MeshLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** Decides at upgrade time whether a connection is let in; see {@link MeshServerOptions.authenticateConnection}. */
export type AuthenticateConnection = (
  request: IncomingMessage,
) => Promise<ConnectionMetadata | null> | ConnectionMetadata | null;

/** Options of {@link MeshServer}. Give exactly one of `port`, `server` or `noServer`. */
export interface MeshServerOptions {
  /** Port of an HTTP listener the server creates and owns (`0` picks a free port; read it from `server.port`). */
  port?: number;
  /** Interface the owned listener binds to; only with `port`. @default all interfaces */
  host?: string;
  /**
   * An existing HTTP(S) server to attach to. The mesh handles its `upgrade` requests (for `path`, when set) and
   * leaves the server itself to its owner: `close()` neither closes it nor stops it listening.
   */
  server?: HttpServer | HttpsServer;
  /** Listen nowhere; the application hands upgrades over with `server.handleUpgrade(req, socket, head)`. */
  noServer?: boolean;
  /**
   * Only upgrades to this path are accepted (the query string is ignored); others get HTTP 400, except on an
   * attached server that has other `upgrade` listeners, where they are left to those listeners.
   * @default any path
   */
  path?: string;
  /** Milliseconds between application-level `ping`s. `0` turns pings and the liveness check off. @default 30000 */
  pingInterval?: number;
  /** Milliseconds between latency probes. `0` turns latency measurement off. @default 5000 */
  latencyInterval?: number;
  /**
   * Consecutive unanswered pings tolerated. A connection with more than this many unanswered pings is closed
   * with 4000 (`PING_TIMEOUT`); with 1 a client has roughly two ping intervals to answer. @default 1
   */
  maxMissedPongs?: number;
  /** Largest incoming frame in bytes; a larger frame closes that socket with 1009 (`MESSAGE_TOO_BIG`). @default 1048576 */
  maxPayload?: number;
  /**
   * Bytes a connection may have queued for sending before it counts as a slow consumer and is closed with
   * 4004 (`SLOW_CONSUMER`). Bounds the memory one slow reader can pin. @default 4194304
   */
  maxBufferedBytes?: number;
  /**
   * Bad frames (not JSON, wrong shape, unknown or reserved command) a connection may send within
   * `badMessageWindow` before it is closed with 4003 (`TOO_MANY_BAD_MESSAGES`). Each one that carries a request
   * id is still answered with an error. @default 100
   */
  maxBadMessages?: number;
  /** Length in milliseconds of the window `maxBadMessages` counts in. @default 10000 */
  badMessageWindow?: number;
  /**
   * Milliseconds a socket the server closes may take to acknowledge the close before it is terminated: bounds
   * `close()` and frees dead or stuck peers (ping timeouts, slow consumers) promptly. @default 2000
   */
  closeTimeout?: number;
  /** Prefix of every key and channel in shared state, so several apps (and tests) can share one store. @default "mesh:" */
  keyPrefix?: string;
  /**
   * The state store (connection registry and metadata). Injected stores belong to the caller: `close()` leaves
   * them open. @default `MemoryState.shared(keyPrefix)`: one process only, with a one-time logged notice
   */
  state?: MeshState;
  /**
   * ioredis options (`{ host, port, … }`) of the Redis that the instances of a cluster share. The server creates
   * and owns the connections. Give this, `redis` or `state`; with none of them, state lives in process memory.
   */
  redisOptions?: RedisOptions;
  /**
   * A Redis URL (`redis://…`), instead of `redisOptions`; or a Redis Cluster: its seed nodes and any ioredis
   * `Cluster` options, `{ cluster: [{ host, port }, …], … }` (docs/operations.md, "Redis Cluster").
   */
  redis?: string | RedisClusterConnection;
  /**
   * Milliseconds between this instance's heartbeats in the shared state, and between its sweeps for instances
   * that stopped heartbeating. @default 2000
   */
  heartbeatInterval?: number;
  /**
   * Milliseconds a heartbeat keeps an instance alive. An instance silent for longer (crashed, cut off) is
   * removed by one survivor, with its connections and memberships, at most `instanceTtl + heartbeatInterval`
   * after its last beat. Must exceed `heartbeatInterval`. @default 6000
   */
  instanceTtl?: number;
  /**
   * Milliseconds a room change made for a connection on another instance waits for that instance to
   * acknowledge it before the call resolves anyway (and the delay is reported). @default 5000
   */
  clusterRequestTimeout?: number;
  /**
   * Runs for every upgrade request before the handshake. Returning `null` (or throwing) refuses the connection
   * with HTTP 401; a thrown error is also reported through the `error` event. A returned object becomes the
   * connection's initial metadata. Clients offering the wrong protocol version are refused before this runs.
   * @default every connection is accepted, without metadata
   */
  authenticateConnection?: AuthenticateConnection;
  /** Where notices and internal failures are logged. @default `console`, with `debug` silenced */
  logger?: MeshLogger;

  // Health and outages of the shared state. While Redis is unreachable, operations that need it reject at once
  // with STATE_UNAVAILABLE (docs/operations.md, "Health and Redis outages"); the bound is not an option here:
  // ioredis `commandTimeout` in `redisOptions` (default 1000 ms) bounds commands Redis does not answer.
  /**
   * On an owned listener (`port`), plain HTTP `GET`/`HEAD` requests to this path are answered with the health
   * report (`200` when `ok`, `503` otherwise), for load balancers. With `server` or `noServer`, mount
   * `createHealthHandler(server)` on your own HTTP server instead.
   * @default undefined (no health path: every plain HTTP request gets 426)
   */
  healthPath?: string;
  // Limits against abuse (docs/operations.md, "Limits and close codes").
  /**
   * Answers (`error` without `id`, code `BAD_MESSAGE`) to bad frames that carry no request id, per connection
   * within `badMessageWindow`; the frames past it are only counted, so a flood is never amplified. @default 5
   */
  badMessageReplies?: number;
  /**
   * Browser origins allowed to connect: exact `Origin` values (`"https://app.example"`) or a function. An upgrade
   * with another `Origin` is refused with HTTP 403 before `authenticateConnection` runs (cross-site WebSocket
   * hijacking). @default every origin
   */
  allowedOrigins?: readonly string[] | OriginCheck;
  /**
   * Whether an upgrade without an `Origin` header (a non-browser client) is let in when `allowedOrigins` is set;
   * `false` refuses it with HTTP 403. @default true
   */
  allowMissingOrigin?: boolean;
  /**
   * Per-connection rate limit on requests (application commands and built-in ones: subscribe, join, record
   * writes, presence). A request over the limit is answered with `RATE_LIMITED` and not run. `false` turns it off.
   * @default `{ commandsPerSecond: 2000, burst: 4000, maxRejected: 1000, rejectWindow: 10000 }`
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * Channels, records, rooms and presence watches one connection may hold together. A subscribe or join past it
   * is refused with `SUBSCRIPTION_LIMIT`; rooms the server adds count but are never refused. @default 1000
   */
  maxSubscriptionsPerConnection?: number;
  /** Connections this instance serves at once; an upgrade past it gets HTTP 503. `Infinity` for no cap. @default 50000 */
  maxConnections?: number;
  // Shutdown
  /**
   * Milliseconds `close()` waits for the commands already running to finish and their answers to be written
   * before it closes the connections with 1001. Commands that arrive meanwhile are not run: they are answered
   * with `SHUTTING_DOWN`, which the client sends again once it has reconnected. A command still running at the
   * deadline is cut off (its client gets `CONNECTION_CLOSED`). `0` closes at once. @default 10000
   */
  shutdownTimeout?: number;
  // Metrics (docs/operations.md, "Metrics")
  /**
   * Prometheus metrics through the optional peer dependency `prom-client` (loaded only when this is on): `true`
   * creates a registry of the server's own, a prom-client `Registry` puts them in the application's. Read them with
   * `await server.metrics()`. @default false (nothing is counted; `server.metrics()` rejects)
   */
  metrics?: boolean | MetricsRegistry;
  /**
   * On an owned listener (`port`), plain HTTP `GET`/`HEAD` requests to this path get `server.metrics()`; with
   * `server` or `noServer`, mount `createMetricsHandler(server)` yourself. Needs `metrics`. @default undefined
   */
  metricsPath?: string;
}

/** The `console`-backed logger used when none is given; `debug` is silent so bad clients cannot flood stdout. */
export const defaultLogger: MeshLogger = {
  debug: () => {},
  info: (message, ...args) => console.info(message, ...args),
  warn: (message, ...args) => console.warn(message, ...args),
  error: (message, ...args) => console.error(message, ...args),
};

/** Defaults of every tunable option, merged into the options given at construction. */
export const DEFAULT_SERVER_OPTIONS = {
  pingInterval: 30_000,
  latencyInterval: 5_000,
  maxMissedPongs: 1,
  maxPayload: 1_048_576,
  maxBufferedBytes: 4 * 1_048_576,
  maxBadMessages: 100,
  badMessageWindow: 10_000,
  closeTimeout: 2_000,
  keyPrefix: "mesh:",
  heartbeatInterval: 2_000,
  instanceTtl: 6_000,
  clusterRequestTimeout: 5_000,
  // Limits against abuse (docs/operations.md, "Limits and close codes").
  badMessageReplies: 5,
  allowMissingOrigin: true,
  rateLimit: { commandsPerSecond: 2_000, burst: 4_000, maxRejected: 1_000, rejectWindow: 10_000 },
  maxSubscriptionsPerConnection: 1_000,
  maxConnections: 50_000,
  // Shutdown
  shutdownTimeout: 10_000,
} as const;

/** Options after defaults are merged and values checked. */
export interface ResolvedServerOptions extends Omit<MeshServerOptions, keyof typeof DEFAULT_SERVER_OPTIONS | "logger"> {
  readonly pingInterval: number;
  readonly latencyInterval: number;
  readonly maxMissedPongs: number;
  readonly maxPayload: number;
  readonly maxBufferedBytes: number;
  readonly maxBadMessages: number;
  readonly badMessageWindow: number;
  readonly closeTimeout: number;
  readonly keyPrefix: string;
  readonly heartbeatInterval: number;
  readonly instanceTtl: number;
  readonly clusterRequestTimeout: number;
  readonly logger: MeshLogger;
  readonly badMessageReplies: number;
  readonly allowMissingOrigin: boolean;
  readonly rateLimit: ResolvedRateLimit | false;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxConnections: number;
  // Shutdown
  readonly shutdownTimeout: number;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`meshwork: option "${name}" must be an integer >= ${min}, got ${String(value)}`);
  }
}

/**
 * Merges defaults into `options` and rejects contradictory or out-of-range values with a `TypeError`
 * naming the option, so a misconfiguration fails at construction instead of at the first connection.
 */
export function resolveServerOptions(options: MeshServerOptions): ResolvedServerOptions {
  const resolved: ResolvedServerOptions = {
    ...options,
    pingInterval: options.pingInterval ?? DEFAULT_SERVER_OPTIONS.pingInterval,
    latencyInterval: options.latencyInterval ?? DEFAULT_SERVER_OPTIONS.latencyInterval,
    maxMissedPongs: options.maxMissedPongs ?? DEFAULT_SERVER_OPTIONS.maxMissedPongs,
    maxPayload: options.maxPayload ?? DEFAULT_SERVER_OPTIONS.maxPayload,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_SERVER_OPTIONS.maxBufferedBytes,
    maxBadMessages: options.maxBadMessages ?? DEFAULT_SERVER_OPTIONS.maxBadMessages,
    badMessageWindow: options.badMessageWindow ?? DEFAULT_SERVER_OPTIONS.badMessageWindow,
    closeTimeout: options.closeTimeout ?? DEFAULT_SERVER_OPTIONS.closeTimeout,
    keyPrefix: options.keyPrefix ?? DEFAULT_SERVER_OPTIONS.keyPrefix,
    heartbeatInterval: options.heartbeatInterval ?? DEFAULT_SERVER_OPTIONS.heartbeatInterval,
    instanceTtl: options.instanceTtl ?? DEFAULT_SERVER_OPTIONS.instanceTtl,
    clusterRequestTimeout: options.clusterRequestTimeout ?? DEFAULT_SERVER_OPTIONS.clusterRequestTimeout,
    logger: options.logger ?? defaultLogger,
    ...resolveLimitOptions(options, DEFAULT_SERVER_OPTIONS),
    // Shutdown
    shutdownTimeout: options.shutdownTimeout ?? DEFAULT_SERVER_OPTIONS.shutdownTimeout,
  };

  const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true];
  if (modes.filter(Boolean).length !== 1) {
    throw new TypeError('meshwork: give exactly one of the options "port", "server" or "noServer: true"');
  }
  if (options.port !== undefined) checkInteger("port", options.port, 0);
  if (options.port !== undefined && options.port > 65_535) {
    throw new TypeError(`meshwork: option "port" must be at most 65535, got ${options.port}`);
  }
  if (options.host !== undefined && options.port === undefined) {
    throw new TypeError('meshwork: option "host" only applies together with "port"');
  }
  if (options.path !== undefined && !options.path.startsWith("/")) {
    throw new TypeError(`meshwork: option "path" must start with "/", got "${options.path}"`);
  }
  if (options.healthPath !== undefined && options.port === undefined) {
    throw new TypeError('meshwork: option "healthPath" only applies together with "port"');
  }
  if (options.healthPath !== undefined && !options.healthPath.startsWith("/")) {
    throw new TypeError(`meshwork: option "healthPath" must start with "/", got "${options.healthPath}"`);
  }
  checkInteger("pingInterval", resolved.pingInterval, 0);
  checkInteger("latencyInterval", resolved.latencyInterval, 0);
  checkInteger("maxMissedPongs", resolved.maxMissedPongs, 0);
  checkInteger("maxPayload", resolved.maxPayload, 1);
  checkInteger("maxBufferedBytes", resolved.maxBufferedBytes, 1);
  checkInteger("maxBadMessages", resolved.maxBadMessages, 0);
  checkInteger("badMessageWindow", resolved.badMessageWindow, 1);
  checkInteger("closeTimeout", resolved.closeTimeout, 0);
  checkInteger("heartbeatInterval", resolved.heartbeatInterval, 1);
  checkInteger("instanceTtl", resolved.instanceTtl, 1);
  checkInteger("clusterRequestTimeout", resolved.clusterRequestTimeout, 1);
  // Shutdown
  checkInteger("shutdownTimeout", resolved.shutdownTimeout, 0);
  checkMetricsOptions(options);
  if (resolved.instanceTtl <= resolved.heartbeatInterval) {
    throw new TypeError('meshwork: option "instanceTtl" must be longer than "heartbeatInterval"');
  }
  const stores = [options.redisOptions !== undefined, options.redis !== undefined, options.state !== undefined];
  if (stores.filter(Boolean).length > 1) {
    throw new TypeError('meshwork: give at most one of the options "redisOptions", "redis" or "state"');
  }
  return resolved;
}
