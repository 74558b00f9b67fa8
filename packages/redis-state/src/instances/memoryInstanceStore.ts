import type { MemoryData } from "../memory/memoryData";
import type { InstanceStore, ReapOptions, ReapedConnection } from "./instanceStore";

/** The {@link InstanceStore} in process memory: heartbeats are deadlines on the process clock. */
export class MemoryInstanceStore implements InstanceStore {
  constructor(private readonly data: MemoryData) {}

  async heartbeat(instanceId: string, ttlMs: number): Promise<boolean> {
    const wasAlive = this.alive(instanceId);
    this.data.aliveUntil.set(instanceId, Date.now() + ttlMs);
    return wasAlive;
  }

  async generation(candidate: string): Promise<string> {
    // Memory lives as long as the process: its first generation is its only one.
    this.data.generation ??= candidate;
    return this.data.generation;
  }

  async list(): Promise<string[]> {
    return [...this.data.aliveUntil.keys()];
  }

  async isAlive(instanceId: string): Promise<boolean> {
    return this.alive(instanceId);
  }

  async reap(instanceId: string, options: ReapOptions = {}): Promise<ReapedConnection[] | null> {
    if (!options.force) {
      // Not listed: it left cleanly or was reaped already, and there is nothing to report.
      if (!this.data.aliveUntil.has(instanceId) || this.alive(instanceId)) return null;
      if ((this.data.reapLocks.get(instanceId) ?? 0) > Date.now()) return null;
      this.data.reapLocks.set(instanceId, Date.now() + (options.lockTtlMs ?? 10_000));
    }
    // No await from the check to the end: the removal is one step, like the Lua reap script.
    const connections = [...(this.data.connectionsByInstance.get(instanceId) ?? [])];
    const reaped = connections.map((connectionId) => ({
      connectionId,
      rooms: this.data.forgetConnection(connectionId),
    }));
    this.data.connectionsByInstance.delete(instanceId);
    this.data.aliveUntil.delete(instanceId);
    return reaped;
  }

  private alive(instanceId: string): boolean {
    return (this.data.aliveUntil.get(instanceId) ?? 0) > Date.now();
  }
}
