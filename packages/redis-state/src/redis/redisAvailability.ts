import { Cluster } from "ioredis";
import type { RedisClient } from "./redisCommands";
import type { StateProbe } from "../meshState";
import { stateUnavailable, toStateError } from "./stateUnavailable";

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * Whether one ioredis connection can serve commands right now, from the connection's own status: no round trip.
 *
 * Once the connection has been ready, every operation guarded here that starts while it is not (dropped,
 * reconnecting) is refused at once with `STATE_UNAVAILABLE` instead of waiting in ioredis's offline queue, and an
 * operation that fails because the connection broke under it rejects with the same code. Before the first
 * `ready`, operations wait in the queue as usual, so a server may be used while it starts.
 */
export class RedisAvailability {
  private connectedOnce = false;
  private lastError: string | undefined;

  constructor(private readonly redis: RedisClient) {
    redis.on("ready", () => {
      this.connectedOnce = true;
      this.lastError = undefined;
    });
    redis.on("error", (error: Error) => {
      this.lastError = error.message;
    });
  }

  /** False while a connection that was ready is not: operations are then refused without being sent. */
  get open(): boolean {
    return !this.connectedOnce || this.redis.status === "ready";
  }

  /** The error operations are refused with now, naming the connection's status and its last error. */
  unavailableError(): Error {
    const why = this.lastError ? `${this.redis.status} (${this.lastError})` : this.redis.status;
    return stateUnavailable(`the Redis connection is ${why}`);
  }

  /**
   * The same store, each of its (promise-returning) methods refused at once while the connection is down and
   * its connection failures turned into `STATE_UNAVAILABLE`. Built once, so a call costs one status check.
   */
  guard<T extends object>(store: T): T {
    const guarded: Record<string, AsyncMethod> = {};
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(store))) {
      const method = (store as Record<string, unknown>)[name];
      if (name === "constructor" || typeof method !== "function") continue;
      guarded[name] = (...args) => this.run(() => (method as AsyncMethod).apply(store, args));
    }
    return guarded as T;
  }

  /** Runs one operation behind the gate. */
  run<R>(operation: () => Promise<R>): Promise<R> {
    if (!this.open) return Promise.reject(this.unavailableError());
    return operation().catch((error: unknown) => Promise.reject(toStateError(error)));
  }

  /**
   * One PING, timed; never rejects. A connection that is not ready is reported without sending anything. On a
   * Redis Cluster every master is pinged, so a shard that is down shows even while the others answer.
   */
  async probe(timeoutMs: number): Promise<StateProbe> {
    if (this.redis.status !== "ready") return { reachable: false, error: this.unavailableError().message };
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.pingAll(), timeout]);
      return { reachable: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return { reachable: false, error: (toStateError(error) as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  private async pingAll(): Promise<void> {
    if (!(this.redis instanceof Cluster)) {
      await this.redis.ping();
      return;
    }
    await Promise.all(
      this.redis.nodes("master").map((node) =>
        node.ping().catch((error: Error) => {
          throw Object.assign(new Error(`${node.options.host}:${node.options.port}: ${error.message}`), {
            cause: error,
          });
        }),
      ),
    );
  }
}
