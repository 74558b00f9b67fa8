import { type PresenceEvent as PresenceEventMessage, encodeServerMessage } from "@meshwork/protocol";
import { type PresenceEvent, readPresenceBusMessage } from "@meshwork/redis-state";
import type { ConnectionMetadataAccess } from "../access/connectionMetadataAccess";
import type { Connection } from "../connections/connection";
import type { FeatureDeps } from "../serverFeature";
import { RelayedPositions } from "../topics/relayedPositions";
import { TopicSubscriptions } from "../topics/topicSubscriptions";
import { PreparedFrame } from "../transport/preparedFrame";

/** Whose metadata a watcher sees: its own member's always, another's where the server allows it. */
export interface MetadataVisibility {
  /** Whether `watcher`'s own member in `room` is `memberId`. */
  isOwnMember(watcher: Connection, room: string, memberId: string, connectionIds: readonly string[]): boolean;
  readonly access: ConnectionMetadataAccess;
}

/**
 * This instance's watchers of rooms' presence. The instance listens to a room's presence topic only while it has a
 * local watcher; each event arrives once per instance, is encoded once (twice at most for a join: with and without
 * the member's metadata) and sent to every local watcher of the room, with its position. Nothing is filtered by a
 * watcher's snapshot: the client drops what its snapshot already holds.
 */
export class PresenceWatchers {
  private readonly topics: TopicSubscriptions<true>;
  private readonly positions: RelayedPositions;
  /** Rooms whose events wait for a metadata guard: later events queue behind them, so each watcher keeps the order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: FeatureDeps,
    private readonly visibility: MetadataVisibility,
  ) {
    this.topics = new TopicSubscriptions<true>(
      deps.bus,
      (room) => ({ kind: "presence", room }),
      (room, message) => this.onMessage(room, message),
      deps.subscriptionCap,
      (room) => this.positions.forget(room),
    );
    this.positions = new RelayedPositions(deps.local, deps.reportError);
  }

  /** Whether a connection watches a room's presence here. */
  has(room: string, connectionId: string): boolean {
    return this.topics.has(room, connectionId);
  }

  /**
   * Adds a local watcher; resolves `true` once every event published from now on reaches it, `false` (adding
   * nothing) for a connection that closed meanwhile, whose cleanup would not find it.
   */
  async add(room: string, connectionId: string): Promise<boolean> {
    if (!this.deps.local.get(connectionId)) return false;
    await this.topics.add(room, connectionId, true);
    return true;
  }

  /** Removes a local watcher; returns whether it was one. */
  remove(room: string, connectionId: string): Promise<boolean> {
    return this.topics.remove(room, connectionId);
  }

  /** Removes a closed connection from every room it watched. */
  removeConnection(connectionId: string): Promise<void> {
    return this.topics.removeConnection(connectionId);
  }

  private onMessage(room: string, text: string): void {
    const event = readPresenceBusMessage(text);
    if (!event) {
      this.deps.reportError(new Error(`meshwork: unreadable presence event in room "${room}"`));
      return;
    }
    const watchers = this.topics.membersOf(room);
    if (watchers.size === 0) return;
    if (this.positions.wentBack("presence of room", room, event.seq, String(event.epoch))) {
      this.positions.reset(watchers.keys());
      return;
    }
    const needsGuard = event.type === "join" && event.metadata !== null && this.visibility.access.exposed;
    const queued = this.queues.get(room);
    if (!needsGuard && !queued) {
      this.deliver(room, event, new Set());
      return;
    }
    const next = (queued ?? Promise.resolve())
      .then(() => this.deliverGuarded(room, event))
      .catch(this.deps.reportError)
      .finally(() => {
        if (this.queues.get(room) === next) this.queues.delete(room);
      });
    this.queues.set(room, next);
  }

  /** Asks the metadata guard for every watcher that is not the member itself, then delivers. */
  private async deliverGuarded(room: string, event: PresenceEvent): Promise<void> {
    const allowed = new Set<string>();
    const target = event.connectionIds?.[0] ?? event.memberId;
    await Promise.all(
      [...this.topics.membersOf(room).keys()].map(async (id) => {
        const watcher = this.deps.local.get(id);
        if (watcher && (await this.visibility.access.canRead(watcher, target))) allowed.add(id);
      }),
    );
    this.deliver(room, event, allowed);
  }

  /** Sends the event to every local watcher; a join's metadata only to its own member and to `allowed`. */
  private deliver(room: string, event: PresenceEvent, allowed: ReadonlySet<string>): void {
    const position = { epoch: event.epoch, seq: event.seq };
    const withMetadata = frameOf(room, event, position, true);
    const carriesMetadata = event.type === "join" && event.metadata !== null;
    let withheld: PreparedFrame | null = null;
    for (const id of this.topics.membersOf(room).keys()) {
      const watcher = this.deps.local.get(id);
      if (!watcher) continue;
      const sees =
        !carriesMetadata ||
        allowed.has(id) ||
        this.visibility.isOwnMember(watcher, room, event.memberId, event.connectionIds ?? []);
      if (sees) {
        watcher.sendFrame(withMetadata);
        continue;
      }
      withheld ??= frameOf(room, event, position, false);
      watcher.sendFrame(withheld);
    }
  }
}

/** The `presence` server message of an event, encoded once for many sockets. */
function frameOf(
  room: string,
  event: PresenceEvent,
  position: { epoch: number; seq: number },
  withMetadata: boolean,
): PreparedFrame {
  const message: PresenceEventMessage = { type: event.type, roomName: room, connectionId: event.memberId };
  if (event.connectionIds) message.connectionIds = [...event.connectionIds];
  if (event.type === "join")
    message.metadata = withMetadata ? ((event.metadata ?? null) as PresenceEventMessage["metadata"]) : null;
  if (event.type === "state") message.state = event.state ?? null;
  return new PreparedFrame(Buffer.from(encodeServerMessage({ type: "presence", event: message, position })));
}
