/** What a push or publish went to: the `kind` of `meshwork_broadcasts_total`. */
export const BROADCAST_KINDS = ["all", "connections", "direct", "room", "channel", "record"] as const;

/** One of {@link BROADCAST_KINDS}. */
export type BroadcastKind = (typeof BROADCAST_KINDS)[number];

/** Counts one command's runs: started, then answered with a result or an error code. */
export interface CommandMeter {
  /** A timestamp to hand back to {@link ok} or {@link failed}; `0` when nothing is measured. */
  start(): number;
  ok(startedAt: number): void;
  failed(code: string, startedAt: number): void;
}

/**
 * Where the server's hot paths report what they did. With metrics off it is {@link NULL_METRICS}, whose methods do
 * nothing, so the paths pay one call to an empty function and no label lookup; with metrics on, each call
 * increments a prom-client child looked up once.
 */
export interface MetricsRecorder {
  /** The meter of a registered command (built-ins included). */
  command(name: string): CommandMeter;
  /** A request named no registered command: counted under the command name `unknown`. */
  unknownCommand(): void;
  /** A request refused by the rate limit, not run. */
  rateLimited(): void;
  /** An incoming frame discarded as bad (binary, not JSON, wrong shape). */
  badFrame(): void;
  /** A frame written to a socket. */
  frameSent(): void;
  /** A frame for a socket that was closing or closed, not written. */
  frameDropped(): void;
  /** A connection closed for reading too slowly (4004). */
  slowConsumer(): void;
  /** A push, channel message or record change published. */
  broadcast(kind: BroadcastKind): void;
}

const noop = (): void => {};

/** The meter of every command when metrics are off. */
export const NULL_COMMAND_METER: CommandMeter = { start: () => 0, ok: noop, failed: noop };

/** Metrics off: every report is dropped on the floor. */
export const NULL_METRICS: MetricsRecorder = {
  command: () => NULL_COMMAND_METER,
  unknownCommand: noop,
  rateLimited: noop,
  badFrame: noop,
  frameSent: noop,
  frameDropped: noop,
  slowConsumer: noop,
  broadcast: noop,
};
