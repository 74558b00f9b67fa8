/**
 * How an instance is doing, for load balancers and dashboards:
 * - `ok`: taking connections, the shared state answers, and the heartbeat is fresh;
 * - `starting`: no heartbeat has reached the shared state yet (the instance has not joined the cluster);
 * - `degraded`: running, and serving what needs no shared state, but the shared state is unreachable, the
 *   heartbeat is stale, or the listener is not listening; `reasons` says which;
 * - `closing`: `close()` was called; it takes no new connections.
 */
export type HealthStatus = "ok" | "starting" | "degraded" | "closing";

/** What `server.health()` found; only `ok` should receive traffic. */
export interface HealthReport {
  readonly status: HealthStatus;
  /** Why the status is not `ok`, one sentence each for people; empty when it is. */
  readonly reasons: readonly string[];
  /** This instance's id in the shared state. */
  readonly instanceId: string;
  /**
   * Whether new upgrades are taken: the owned or attached HTTP server listens (with `noServer`, always true)
   * and the server is not closing.
   */
  readonly listening: boolean;
  /** Connections open on this instance. */
  readonly connections: number;
  /** The shared state, checked with one PING (embedded memory state is always reachable). */
  readonly redis: {
    /** `"redis"` or `"memory"` (or the kind of an injected store). */
    readonly kind: string;
    readonly reachable: boolean;
    /** Round trip of the check in milliseconds, when it answered. */
    readonly latencyMs?: number;
    /** Why it is unreachable. */
    readonly error?: string;
  };
  /** This instance's heartbeat in the shared state. */
  readonly heartbeat: {
    /** The last heartbeat reached the store less than `instanceTtl` ago, so the other instances see it alive. */
    readonly fresh: boolean;
    /** Milliseconds since the last heartbeat reached the store; `null` before the first one. */
    readonly ageMs: number | null;
  };
}
