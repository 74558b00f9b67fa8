import { MeshError } from "@meshwork/protocol";
import { channelOf } from "../bus/bus";
import { presenceBusMessage, readPresenceBusMessage } from "../bus/busMessages";
import type { MemoryData } from "../memory/memoryData";
import type { MemoryPresenceRoom } from "./memoryPresenceRoom";
import {
  PRESENCE_POSITION_TTL_MS,
  type PresenceEntry,
  type PresenceEvent,
  type PresenceJoin,
  type PresenceSnapshot,
  type PresenceStateUpdate,
  type PresenceStore,
} from "./presenceStore";

/** An event before it is given its position. */
type Unnumbered = Omit<PresenceEvent, "epoch" | "seq">;

/**
 * The {@link PresenceStore} in process memory. Each operation runs to completion without awaiting, so it is as
 * atomic as its Lua twin, and publishes its event through the store's hub, as the scripts do through Redis. Times
 * come from `now` (the process clock unless a test passes another).
 */
export class MemoryPresenceStore implements PresenceStore {
  constructor(
    private readonly data: MemoryData,
    private readonly now: () => number = Date.now,
  ) {}

  async join(room: string, join: PresenceJoin): Promise<PresenceEvent | null> {
    const { memberId, connectionId, origin } = join;
    const current = this.data.presence.get(room)?.owners.get(connectionId);
    if (current !== undefined && current !== memberId) {
      throw new MeshError("INVALID_PAYLOAD", "The connection is present in the room as another member");
    }
    const entry = this.data.presenceRoom(room);
    const metadataJson = JSON.stringify(join.metadata ?? null);
    const expiresAt = this.now() + Math.max(1, Math.ceil(join.ttlMs));
    if (!entry.addConnection(memberId, connectionId, metadataJson, expiresAt)) return null;
    const metadata = JSON.parse(metadataJson) as unknown;
    return this.announce(room, origin, { type: "join", room, memberId, connectionIds: [connectionId], metadata });
  }

  async leave(room: string, connectionId: string, origin: string): Promise<PresenceEvent | null> {
    const entry = this.data.presence.get(room);
    const memberId = entry?.removeConnection(connectionId);
    if (!entry || memberId == null) return null;
    const event = this.announce(room, origin, { type: "leave", room, memberId, connectionIds: [connectionId] });
    this.dropIfEmpty(room, entry);
    return event;
  }

  async refresh(entries: readonly PresenceEntry[], ttlMs: number): Promise<PresenceEntry[]> {
    const expiresAt = this.now() + Math.max(1, Math.ceil(ttlMs));
    const missing: PresenceEntry[] = [];
    for (const { room, connectionId } of entries) {
      const expiry = this.data.presence.get(room)?.expiry;
      if (expiry?.has(connectionId)) expiry.set(connectionId, expiresAt);
      else missing.push({ room, connectionId });
    }
    return missing;
  }

  async publishState(room: string, update: PresenceStateUpdate): Promise<PresenceEvent | null> {
    const { memberId, state, origin } = update;
    if (state === null || state === undefined) return this.clearState(room, memberId, origin);
    const entry = this.data.presence.get(room);
    if (!entry?.members.has(memberId)) return null;
    const json = JSON.stringify(state);
    const expiresAt =
      update.expireAfterMs === undefined ? undefined : this.now() + Math.max(1, Math.ceil(update.expireAfterMs));
    entry.states.set(memberId, expiresAt === undefined ? { json } : { json, expiresAt });
    return this.announce(room, origin, { type: "state", room, memberId, state: JSON.parse(json) as unknown });
  }

  async clearState(room: string, memberId: string, origin: string): Promise<PresenceEvent | null> {
    const entry = this.data.presence.get(room);
    if (!entry?.states.delete(memberId)) return null;
    return this.announce(room, origin, { type: "state", room, memberId, state: null });
  }

  async sweepExpired(room: string, origin: string, nowMs?: number): Promise<PresenceEvent[]> {
    const entry = this.data.presence.get(room);
    if (!entry) return [];
    const now = nowMs ?? this.now();
    const removed = new Map<string, string[]>();
    const left = new Set<string>();
    for (const connectionId of entry.expiredConnections(now)) {
      const memberId = entry.owners.get(connectionId);
      const memberLeft = entry.removeConnection(connectionId);
      if (memberId === undefined) continue;
      removed.set(memberId, [...(removed.get(memberId) ?? []), connectionId]);
      if (memberLeft !== null) left.add(memberLeft);
    }
    const events: PresenceEvent[] = [];
    for (const [memberId, connectionIds] of removed) {
      if (!left.has(memberId)) continue;
      events.push(this.announce(room, origin, { type: "leave", room, memberId, connectionIds }));
    }
    for (const memberId of entry.expiredStates(now)) {
      entry.states.delete(memberId);
      events.push(this.announce(room, origin, { type: "state", room, memberId, state: null }));
    }
    this.dropIfEmpty(room, entry);
    return events;
  }

  async snapshot(room: string): Promise<PresenceSnapshot> {
    const entry = this.data.presence.get(room);
    const stored = this.data.presencePositions.get(room);
    const position = stored && this.now() - stored.usedAt <= PRESENCE_POSITION_TTL_MS ? stored : undefined;
    const { epoch, seq } = position ?? { epoch: 0, seq: 0 };
    if (!entry) return { epoch, seq, members: [], states: {} };
    return {
      epoch,
      seq,
      members: [...entry.members]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([memberId, member]) => ({
          memberId,
          connectionIds: [...member.connections].sort(),
          metadata: JSON.parse(member.metadataJson) as unknown,
        })),
      states: Object.fromEntries([...entry.states].map(([memberId, state]) => [memberId, JSON.parse(state.json)])),
    };
  }

  async roomsWithPresence(): Promise<string[]> {
    return [...this.data.presence.keys()];
  }

  /** Gives an event the room's next position and publishes it; returns it as watchers read it off the bus. */
  private announce(room: string, origin: string, event: Unnumbered): PresenceEvent {
    const message = presenceBusMessage(origin, { ...event, ...this.data.nextPresencePosition(room, this.now()) });
    this.data.hub.publish(channelOf(this.data.keys, { kind: "presence", room }), message);
    const published = readPresenceBusMessage(message);
    if (!published) throw new Error("A presence event did not survive its own encoding");
    return published;
  }

  private dropIfEmpty(room: string, entry: MemoryPresenceRoom): void {
    if (entry.expiry.size === 0 && this.data.presence.get(room) === entry) this.data.presence.delete(room);
  }
}
