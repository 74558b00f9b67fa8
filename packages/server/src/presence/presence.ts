import {
  type PresenceMember,
  type PresenceStateResult,
  PRESENCE_COMMANDS,
  type PublishPresenceStatePayload,
  type SubscribePresenceResult,
  clearPresenceStatePayloadSchema,
  publishPresenceStatePayloadSchema,
  subscribePresencePayloadSchema,
  unsubscribePresencePayloadSchema,
} from "@meshwork/protocol";
import type { PresenceMember as StoredMember, ReapedConnection } from "@meshwork/redis-state";
import type { ConnectionMetadataAccess } from "../access/connectionMetadataAccess";
import { passesGuard } from "../access/guards";
import type { Connection } from "../connections/connection";
import type { LocalRoomListener } from "../rooms/localRooms";
import { type BuiltinCommand, type FeatureDeps, type ServerFeature, builtinCommand } from "../serverFeature";
import { PresenceMembers } from "./presenceMembers";
import { PresenceWatchers } from "./presenceWatchers";
import type { RoomPresence, TrackPresenceOptions } from "./presenceTypes";
import { TrackedRooms } from "./trackedRooms";

/**
 * Presence of tracked rooms: members of a tracked room are present while connected, watchers get each join, state
 * and leave once with its position. Follows the local room membership (it is the {@link LocalRoomListener} of the
 * local rooms), refreshes and sweeps every heartbeat, and serves the `mesh/…-presence` commands.
 */
export class Presence implements ServerFeature {
  readonly commands: readonly BuiltinCommand[] = [
    builtinCommand(PRESENCE_COMMANDS.subscribe, subscribePresencePayloadSchema, (ctx) =>
      this.subscribe(ctx.connection, ctx.payload.roomName),
    ),
    builtinCommand(PRESENCE_COMMANDS.unsubscribe, unsubscribePresencePayloadSchema, (ctx) =>
      this.watchers.remove(ctx.payload.roomName, ctx.connection.id),
    ),
    builtinCommand(PRESENCE_COMMANDS.publishState, publishPresenceStatePayloadSchema, (ctx) =>
      this.publishState(ctx.connection, ctx.payload),
    ),
    builtinCommand(PRESENCE_COMMANDS.clearState, clearPresenceStatePayloadSchema, (ctx) =>
      this.clearState(ctx.connection, ctx.payload.roomName),
    ),
  ];
  /** What the local rooms tell presence: a local connection joined or left a room. */
  readonly roomListener: LocalRoomListener;
  private readonly tracked: TrackedRooms;
  private readonly members: PresenceMembers;
  private readonly watchers: PresenceWatchers;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly metadataAccess: ConnectionMetadataAccess,
    heartbeatInterval: number,
  ) {
    this.tracked = new TrackedRooms(heartbeatInterval);
    this.members = new PresenceMembers(deps, this.tracked);
    this.watchers = new PresenceWatchers(deps, {
      access: metadataAccess,
      isOwnMember: (watcher, room, memberId, connectionIds) =>
        connectionIds.includes(watcher.id) || this.members.memberIdOf(watcher.id, room) === memberId,
    });
    this.roomListener = {
      joined: (room, connectionId) => this.members.joined(room, connectionId),
      left: (room, connectionId) => this.members.left(room, connectionId),
    };
  }

  /** Presence entries held by this instance's connections (the `meshwork_presence_members` gauge). */
  localMemberCount(): number {
    return this.members.count();
  }

  /** Tracks the presence of a room, or of every room a pattern matches. */
  track(room: string | RegExp, options?: TrackPresenceOptions): void {
    this.tracked.track(room, options);
  }

  /** A room's members (with their metadata) and states, from the shared state. */
  async get(room: string): Promise<RoomPresence> {
    const { members, states } = await this.deps.state.presence.snapshot(room);
    return { members: members.map((member) => memberOf(member, member.metadata)), states: { ...states } };
  }

  /** Drops a closed connection's watching, and leaves every tracked room it was present in. */
  async onConnectionClosed(connectionId: string): Promise<void> {
    await Promise.all([this.watchers.removeConnection(connectionId), this.members.closed(connectionId)]);
  }

  /** After each heartbeat: refreshes this instance's members, then sweeps every room with presence. */
  async onHeartbeat(): Promise<void> {
    // An instance that tracks nothing has nothing to refresh, and leaves the sweeping to those that do.
    if (!this.tracked.any) return;
    await this.members.refresh();
    const { presence } = this.deps.state;
    const rooms = await presence.roomsWithPresence();
    await Promise.all(rooms.map((room) => presence.sweepExpired(room, this.deps.bus.instanceId)));
  }

  /** This instance reaped a crashed one: its members leave their tracked rooms now. */
  onInstanceReaped(connections: readonly ReapedConnection[]): void {
    void this.members.reaped(connections).catch(this.deps.reportError);
  }

  /**
   * `mesh/subscribe-presence`. Listens to the room's presence topic first and reads the snapshot after, so nothing
   * published in between is lost: such an event may arrive before the answer, and the client drops it by position.
   */
  private async subscribe(connection: Connection, room: string): Promise<SubscribePresenceResult> {
    const rule = this.tracked.ruleFor(room);
    if (!rule) return { success: false, reason: `Room "${room}" is not tracked for presence` };
    const guard = rule.guard;
    if (guard && !(await passesGuard(() => guard(connection, room), this.deps.reportError, `presence "${room}"`))) {
      return { success: false, reason: `Watching the presence of room "${room}" was denied` };
    }
    // The add below counts the watch before it yields, so checking right before it cannot overshoot.
    this.deps.subscriptionCap.check(connection.id, this.watchers.has(room, connection.id));
    if (!(await this.watchers.add(room, connection.id))) return { success: false, reason: "The connection closed" };
    const snapshot = await this.deps.state.presence.snapshot(room);
    const present = await Promise.all(
      snapshot.members.map(async (member) =>
        memberOf(member, (await this.mayReadMetadata(connection, room, member)) ? member.metadata : null),
      ),
    );
    return {
      success: true,
      present,
      states: { ...snapshot.states },
      position: { epoch: snapshot.epoch, seq: snapshot.seq },
    };
  }

  /** `mesh/publish-presence-state`: for a connection present in the room, as its member. */
  private async publishState(
    connection: Connection,
    payload: PublishPresenceStatePayload,
  ): Promise<PresenceStateResult> {
    const { roomName: room, state, expireAfter } = payload;
    const memberId = this.members.memberIdOf(connection.id, room);
    if (memberId === null) return { success: false, reason: `Not present in room "${room}"` };
    const origin = this.deps.bus.instanceId;
    const update = { memberId, state, origin, ...(expireAfter === undefined ? {} : { expireAfterMs: expireAfter }) };
    const event = await this.deps.state.presence.publishState(room, update);
    // A null state clears the state, which announces nothing when there was none: still a success.
    if (event === null && state !== null && state !== undefined) {
      return { success: false, reason: `Not present in room "${room}"` };
    }
    return { success: true };
  }

  /** `mesh/clear-presence-state`. */
  private async clearState(connection: Connection, room: string): Promise<PresenceStateResult> {
    const memberId = this.members.memberIdOf(connection.id, room);
    if (memberId === null) return { success: false, reason: `Not present in room "${room}"` };
    await this.deps.state.presence.clearState(room, memberId, this.deps.bus.instanceId);
    return { success: true };
  }

  /** A watcher sees its own member's metadata, another's where `exposeConnectionMetadata` allows it. */
  private async mayReadMetadata(watcher: Connection, room: string, member: StoredMember): Promise<boolean> {
    if (member.connectionIds.includes(watcher.id) || this.members.memberIdOf(watcher.id, room) === member.memberId) {
      return true;
    }
    return this.metadataAccess.canRead(watcher, member.connectionIds[0] ?? member.memberId);
  }
}

function memberOf(member: StoredMember, metadata: unknown): PresenceMember {
  return {
    connectionId: member.memberId,
    connectionIds: [...member.connectionIds],
    metadata: (metadata ?? null) as PresenceMember["metadata"],
  };
}
