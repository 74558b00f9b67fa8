/** A random port in 20000–32000 (below Linux's ephemeral range) that is free on 127.0.0.1 right now. */
export declare function freePort(): Promise<number>;

/** Whether nothing listens on `port` on 127.0.0.1 right now. */
export declare function isFree(port: number): Promise<boolean>;

/** Options of a {@link RedisProcess}. */
export interface RedisProcessOptions {
  /**
   * Persist every write to an append-only file in this directory (of the caller's own), fsynced before the write
   * is answered: `appendonly yes`, `appendfsync always`. Without it the server persists nothing.
   */
  readonly appendOnlyDir?: string;
  /** The working directory of a server without `appendOnlyDir` (its `--dir`). @default the system's temporary directory */
  readonly dir?: string;
  /** More redis-server arguments, given after the others (so they override them). */
  readonly args?: readonly string[];
}

/**
 * A redis-server on a loopback port: no config file, killed by pid. `start()` may be called again after `stop()`
 * to bring it back on the same port: empty, or, with `appendOnlyDir`, with what its append-only file holds.
 */
export declare class RedisProcess {
  readonly port: number;
  readonly options: RedisProcessOptions;
  constructor(port: number, options?: RedisProcessOptions);
  /**
   * Starts a server on a free port and waits for its "Ready to accept connections" line and a PING answer;
   * tries another port (3 attempts in all) when the one picked was taken in between. `pickPort` draws the ports.
   * @default pickPort {@link freePort}
   */
  static launch(options?: RedisProcessOptions, pickPort?: () => Promise<number>): Promise<RedisProcess>;
  /** `redis://127.0.0.1:<port>` */
  get url(): string;
  /** The running server's pid; undefined when stopped. */
  get pid(): number | undefined;
  /** Starts redis-server on this port and resolves once it answers PING (or rejects after `timeoutMs`). */
  start(timeoutMs?: number): Promise<void>;
  /** Kills the server by pid with `signal` (SIGKILL by default) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}
