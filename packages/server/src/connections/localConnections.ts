import type { Connection } from "./connection";

/**
 * The connections whose sockets live on this server instance, by id (not the shared state's registrations, nor the
 * public `ConnectionManager`). Entries are removed when their socket closes, so the map never outgrows the live
 * connections.
 */
export class LocalConnections {
  private readonly byId = new Map<string, Connection>();
  private emptyWaiters: Array<() => void> = [];

  /** Number of local connections, including ones still registering or closing. */
  get size(): number {
    return this.byId.size;
  }

  /** Adds a connection. */
  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
  }

  /** Removes a connection; wakes {@link whenEmpty} waiters when it was the last one. */
  delete(connection: Connection): void {
    if (this.byId.get(connection.id) !== connection) return;
    this.byId.delete(connection.id);
    if (this.byId.size === 0 && this.emptyWaiters.length > 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** The local connection with this id, if any. */
  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  /** Iterates local connections. A connection removed during the iteration is skipped, which is safe. */
  values(): IterableIterator<Connection> {
    return this.byId.values();
  }

  /** Resolves once no local connection is left. */
  whenEmpty(): Promise<void> {
    if (this.byId.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }
}
