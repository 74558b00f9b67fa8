/** A present member as the memory store holds it. */
interface MemoryMember {
  readonly metadataJson: string;
  readonly connections: Set<string>;
}

/** A member's state as the memory store holds it; `expiresAt` in ms on the store's clock. */
interface MemoryState {
  readonly json: string;
  readonly expiresAt?: number;
}

/**
 * One room's presence entries in process memory: the twin of the room's Redis keys (presenceScripts.ts) but the
 * position, which `MemoryData` keeps apart because it outlives the entries, as in Redis. The memory store drops a
 * room's entries once its last connection is gone.
 */
export class MemoryPresenceRoom {
  /** Connection id → when it expires. */
  readonly expiry = new Map<string, number>();
  /** Connection id → member id. */
  readonly owners = new Map<string, string>();
  readonly members = new Map<string, MemoryMember>();
  readonly states = new Map<string, MemoryState>();

  /** Adds a connection to a member; tells whether the member is new (it joins). */
  addConnection(memberId: string, connectionId: string, metadataJson: string, expiresAt: number): boolean {
    this.expiry.set(connectionId, expiresAt);
    if (this.owners.has(connectionId)) return false;
    this.owners.set(connectionId, memberId);
    const member = this.members.get(memberId);
    if (member) {
      member.connections.add(connectionId);
      return false;
    }
    this.members.set(memberId, { metadataJson, connections: new Set([connectionId]) });
    return true;
  }

  /** Removes a connection; returns its member id when it was the member's last (the member and its state go). */
  removeConnection(connectionId: string): string | null {
    const memberId = this.owners.get(connectionId);
    this.expiry.delete(connectionId);
    if (memberId === undefined) return null;
    this.owners.delete(connectionId);
    const member = this.members.get(memberId);
    member?.connections.delete(connectionId);
    if (member && member.connections.size > 0) return null;
    this.members.delete(memberId);
    this.states.delete(memberId);
    return memberId;
  }

  /** Connections whose expiry is at or before `now`, soonest first. */
  expiredConnections(now: number): string[] {
    return [...this.expiry]
      .filter(([, expiresAt]) => expiresAt <= now)
      .sort((a, b) => a[1] - b[1])
      .map(([connectionId]) => connectionId);
  }

  /** Members whose state expires at or before `now`, soonest first. */
  expiredStates(now: number): string[] {
    return [...this.states]
      .filter(([, state]) => state.expiresAt !== undefined && state.expiresAt <= now)
      .sort((a, b) => (a[1].expiresAt ?? 0) - (b[1].expiresAt ?? 0))
      .map(([memberId]) => memberId);
  }
}
