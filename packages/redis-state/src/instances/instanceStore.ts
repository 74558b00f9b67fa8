/** A connection removed together with its instance, and the rooms it was in. */
export interface ReapedConnection {
  readonly connectionId: string;
  readonly rooms: string[];
}

/** Options of {@link InstanceStore.reap}. */
export interface ReapOptions {
  /** Remove a live instance's state too (used by the instance itself on close). */
  readonly force?: boolean;
  /**
   * Milliseconds the reap lock is held, so that no other survivor reaps the same instance meanwhile.
   * @default 10000
   */
  readonly lockTtlMs?: number;
}

/** Server instances: their heartbeats, the list of them, and the removal of what a dead one left behind. */
export interface InstanceStore {
  /**
   * Marks an instance alive for `ttlMs`. Returns false when the instance was not alive before this
   * beat (its first beat, or it expired and may have been reaped): the caller then registers its
   * connections and memberships again.
   */
  heartbeat(instanceId: string, ttlMs: number): Promise<boolean>;

  /**
   * The store's generation: the id written by the first caller into an empty store (`candidate`, when that is this
   * call). It changes only when the store loses its data (a Redis restarted without persistence, or flushed).
   */
  generation(candidate: string): Promise<string>;

  /** Instances that have heartbeated and have not been reaped; some may have expired. */
  list(): Promise<string[]>;

  /** Tells whether an instance's heartbeat is current. */
  isAlive(instanceId: string): Promise<boolean>;

  /**
   * Removes an expired instance's connections, memberships and metadata, atomically and at most once:
   * returns what was removed, or `null` when the instance is alive again or another survivor holds the
   * reap lock.
   */
  reap(instanceId: string, options?: ReapOptions): Promise<ReapedConnection[] | null>;
}
