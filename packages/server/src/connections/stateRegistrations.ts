import type { ConnectionMetadata, MeshState } from "@meshwork/redis-state";

/**
 * This instance's connections in the shared state: registering one (with its initial metadata) and unregistering
 * it when it is gone. An unregistration that fails while the store is unreachable (Redis away) is kept and retried
 * by {@link retryFailed} after the next heartbeat that reached the store, so no ghost entry outlives the outage.
 */
export class StateRegistrations {
  private readonly failed = new Set<string>();

  constructor(
    private readonly state: MeshState,
    private readonly instanceId: string,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Registers a connection as served by this instance, then sets its initial metadata. */
  async register(connectionId: string, metadata: ConnectionMetadata | null): Promise<void> {
    await this.state.connections.register(connectionId, this.instanceId);
    if (metadata) await this.state.connections.setMetadata(connectionId, metadata);
  }

  /** Removes a gone connection from the shared state; a failure is reported and retried later. Never rejects. */
  async unregister(connectionId: string): Promise<void> {
    try {
      await this.state.connections.unregister(connectionId);
      this.failed.delete(connectionId);
    } catch (cause) {
      this.failed.add(connectionId);
      this.reportError(new Error(`meshwork: could not unregister connection ${connectionId}`, { cause }));
    }
  }

  /** Retries the unregistrations that failed while the state store was unreachable. */
  async retryFailed(): Promise<void> {
    for (const connectionId of [...this.failed]) await this.unregister(connectionId);
  }
}
