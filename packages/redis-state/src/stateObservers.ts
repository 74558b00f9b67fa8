import type { RedisClient } from "./redis/redisCommands";

/**
 * What a store tells about its connections, for metrics and dashboards: each connection error, and each time a
 * connection that had been ready is ready again. Callbacks run synchronously and must not throw.
 */
export interface StateObserver {
  /** A connection to the backend failed or reported an error (it keeps reconnecting on its own). */
  error?(error: Error): void;
  /** A connection that had been ready before became ready again after a drop. */
  reconnected?(): void;
}

/** The observers of one store; the store calls these, cheaply, when nothing observes. */
export class StateObservers {
  private readonly observers = new Set<StateObserver>();

  /** Adds an observer; returns the function that removes it. */
  add(observer: StateObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  error(error: Error): void {
    for (const observer of this.observers) observer.error?.(error);
  }

  reconnected(): void {
    for (const observer of this.observers) observer.reconnected?.();
  }

  /** Follows one ioredis connection: every `error`, and every `ready` after the first one. */
  follow(connection: RedisClient): void {
    let readyOnce = false;
    connection.on("error", (error: Error) => this.error(error));
    connection.on("ready", () => {
      if (readyOnce) this.reconnected();
      readyOnce = true;
    });
  }
}
