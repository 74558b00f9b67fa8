import { roomNameSchema } from "@meshwork/protocol";
import type { MeshState } from "@meshwork/redis-state";
import type { ClusterBus, RoomChange } from "../cluster/clusterBus";
import { type ConnectionRef, connectionIdOf } from "../connections/connection";
import type { LocalConnections } from "../connections/localConnections";
import type { LocalRooms } from "./localRooms";

function checkRoom(room: string): void {
  if (!roomNameSchema.safeParse(room).success) {
    throw new TypeError("meshwork: a room name must be a non-empty string");
  }
}

/**
 * Room membership, cluster-wide. Memberships live in the shared state; the instance that serves a connection also
 * keeps it in its {@link LocalRooms}, which decide the room topics it listens to. A change made on one instance for
 * a connection on another is acknowledged by that instance before the call resolves, so a room broadcast sent
 * afterwards reaches (or no longer reaches) the connection.
 */
export class RoomMembership {
  constructor(
    private readonly state: MeshState,
    private readonly local: LocalConnections,
    private readonly localRooms: LocalRooms,
    private readonly bus: ClusterBus,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Adds a connection to a room. @throws MeshError `NOT_FOUND` when no instance serves the connection. */
  async add(room: string, ref: ConnectionRef): Promise<void> {
    checkRoom(room);
    const id = connectionIdOf(ref);
    await this.state.rooms.addMember(room, id);
    await this.syncOwner(room, id, "room-add");
  }

  /** Whether a connection of this instance is a member of a room (as its local rooms know it). */
  isLocalMember(room: string, connectionId: string): boolean {
    return this.localRooms.has(room, connectionId);
  }

  /** Removes a connection from a room. Removing a non-member does nothing. */
  async remove(room: string, ref: ConnectionRef): Promise<void> {
    checkRoom(room);
    const id = connectionIdOf(ref);
    if (await this.state.rooms.removeMember(room, id)) await this.syncOwner(room, id, "room-remove");
  }

  /** Removes a connection from every room it is in. */
  async removeFromAll(ref: ConnectionRef): Promise<void> {
    const id = connectionIdOf(ref);
    const rooms = await this.state.rooms.removeFromAll(id);
    await Promise.all(rooms.map((room) => this.syncOwner(room, id, "room-remove")));
  }

  /** Empties a room on every instance and deletes its metadata. */
  async clear(room: string): Promise<void> {
    checkRoom(room);
    await this.state.rooms.clear(room);
    await this.localRooms.clear(room);
    // Every instance with a local member listens to the room's topic, so one notice reaches them all.
    await this.bus.publishControl({ kind: "room", room }, { t: "room-clear", o: this.bus.instanceId, room });
  }

  /** Whether a connection is in a room. */
  has(room: string, ref: ConnectionRef): Promise<boolean> {
    return this.state.rooms.isMember(room, connectionIdOf(ref));
  }

  /** Ids of a room's members, on every instance. */
  members(room: string): Promise<string[]> {
    return this.state.rooms.members(room);
  }

  private async syncOwner(room: string, id: string, change: RoomChange): Promise<void> {
    if (this.local.get(id)) {
      if (change === "room-add") await this.localRooms.join(room, id);
      else await this.localRooms.leave(room, id);
      return;
    }
    const instanceId = await this.state.connections.instanceOf(id);
    // Not served anywhere, or a stale entry of this very instance (its unregister failed while Redis was
    // away and is being retried): there is no live socket whose local rooms could change.
    if (instanceId === null || instanceId === this.bus.instanceId) return;
    const acknowledged = await this.bus.requestRoomChange(instanceId, change, room, id);
    if (!acknowledged) {
      this.reportError(
        new Error(`meshwork: instance ${instanceId} did not acknowledge ${change} of ${id} in "${room}"`),
      );
    }
  }
}
