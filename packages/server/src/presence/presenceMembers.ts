import type { PresenceEntry, ReapedConnection } from "@meshwork/redis-state";
import type { FeatureDeps } from "../serverFeature";
import { type TrackedRooms, memberIdOf } from "./trackedRooms";

/** One local connection's presence in one tracked room. */
interface LocalPresence {
  readonly ttlMs: number;
  /** Known once the connection's metadata was read. */
  memberId: string | null;
  metadata: unknown;
  /** Whether `presence.join` was issued: only then does leaving need `presence.leave`. */
  joined: boolean;
}

/**
 * Presence following room membership on the instance that serves the connections: a local connection that becomes a
 * member of a tracked room joins its presence, one that stops being a member (or closes) leaves it. Keeps its own
 * index of which tracked rooms each local connection is present in, refreshes them every heartbeat and joins back
 * what a refresh reports missing.
 */
export class PresenceMembers {
  /** connection id → room → its presence there. */
  private readonly present = new Map<string, Map<string, LocalPresence>>();

  constructor(
    private readonly deps: FeatureDeps,
    private readonly tracked: TrackedRooms,
  ) {}

  /** Presence entries this instance holds: one per local connection and tracked room it is present in. */
  count(): number {
    let entries = 0;
    for (const rooms of this.present.values()) entries += rooms.size;
    return entries;
  }

  /** The member id of a local connection in a room it is present in, or `null`. */
  memberIdOf(connectionId: string, room: string): string | null {
    return this.present.get(connectionId)?.get(room)?.memberId ?? null;
  }

  /**
   * A local connection became a member of a room: in a tracked room it joins the presence, with its metadata
   * (read now) and its member id. Resolves once the join is made, so a room join answered after it is visible in
   * presence. A failed join is reported and left to the next heartbeat's refresh, which joins it back.
   */
  async joined(room: string, connectionId: string): Promise<void> {
    const rule = this.tracked.any ? this.tracked.ruleFor(room) : undefined;
    if (!rule || this.present.get(connectionId)?.has(room)) return;
    const entry: LocalPresence = { ttlMs: rule.ttlMs, memberId: null, metadata: null, joined: false };
    const rooms = this.present.get(connectionId) ?? new Map<string, LocalPresence>();
    this.present.set(connectionId, rooms);
    rooms.set(room, entry);
    try {
      entry.metadata = await this.deps.state.connections.getMetadata(connectionId);
      entry.memberId = memberIdOf(rule, connectionId, entry.metadata);
      // Left or closed while the metadata was read: nothing to join. Otherwise the join is issued now, before any
      // later leave, on the store's one command connection, so the leave cannot overtake it.
      if (this.present.get(connectionId)?.get(room) !== entry) return;
      entry.joined = true;
      await this.join(room, connectionId, entry);
    } catch (error) {
      this.deps.reportError(error);
    }
  }

  /** A local connection stopped being a member of a room (left, removed, cleared). */
  async left(room: string, connectionId: string): Promise<void> {
    const rooms = this.present.get(connectionId);
    const entry = rooms?.get(room);
    if (!rooms || !entry) return;
    rooms.delete(room);
    if (rooms.size === 0) this.present.delete(connectionId);
    if (entry.joined) await this.leave(room, connectionId);
  }

  /** A local connection closed: it leaves every tracked room at once (a clean close is not a crash). */
  async closed(connectionId: string): Promise<void> {
    const rooms = this.present.get(connectionId);
    if (!rooms) return;
    this.present.delete(connectionId);
    await Promise.all([...rooms].map(([room, entry]) => (entry.joined ? this.leave(room, connectionId) : undefined)));
  }

  /**
   * Every heartbeat: renews the TTL of this instance's present connections (one refresh per TTL in use) and joins
   * back those the store no longer has (swept while this instance was stalled or away from Redis).
   */
  async refresh(): Promise<void> {
    const byTtl = new Map<number, PresenceEntry[]>();
    for (const [connectionId, rooms] of this.present) {
      for (const [room, entry] of rooms) {
        if (!entry.joined) continue;
        const entries = byTtl.get(entry.ttlMs) ?? [];
        entries.push({ room, connectionId });
        byTtl.set(entry.ttlMs, entries);
      }
    }
    await Promise.all(
      [...byTtl].map(async ([ttlMs, entries]) => {
        const missing = await this.deps.state.presence.refresh(entries, ttlMs);
        await Promise.all(
          missing.map(({ room, connectionId }) => {
            const entry = this.present.get(connectionId)?.get(room);
            return entry?.joined ? this.join(room, connectionId, entry).catch(this.deps.reportError) : undefined;
          }),
        );
      }),
    );
  }

  /**
   * The connections of a crashed instance, reaped by this one: they leave their tracked rooms now, sooner than their
   * TTL. An instance that sweeps them first announces the leave; then this finds nothing and announces nothing.
   */
  async reaped(connections: readonly ReapedConnection[]): Promise<void> {
    const leaves = connections.flatMap(({ connectionId, rooms }) =>
      rooms.filter((room) => this.tracked.ruleFor(room)).map((room) => this.leave(room, connectionId)),
    );
    await Promise.all(leaves);
  }

  private async join(room: string, connectionId: string, entry: LocalPresence): Promise<void> {
    await this.deps.state.presence.join(room, {
      memberId: entry.memberId ?? connectionId,
      connectionId,
      metadata: entry.metadata,
      ttlMs: entry.ttlMs,
      origin: this.deps.bus.instanceId,
    });
  }

  private async leave(room: string, connectionId: string): Promise<void> {
    try {
      await this.deps.state.presence.leave(room, connectionId, this.deps.bus.instanceId);
    } catch (error) {
      this.deps.reportError(error);
    }
  }
}
