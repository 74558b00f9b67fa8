import {
  type GetConnectionMetadataPayload,
  type JoinRoomResult,
  type LeaveRoomResult,
  MeshError,
  type MetadataResult,
  ROOM_COMMANDS,
  type RoomMember,
  getConnectionMetadataPayloadSchema,
  getRoomMetadataPayloadSchema,
  joinRoomPayloadSchema,
  leaveRoomPayloadSchema,
} from "@meshwork/protocol";
import { type AccessGuard, AccessRules } from "../access/accessRules";
import type { ConnectionMetadataAccess, ConnectionMetadataGuard } from "../access/connectionMetadataAccess";
import type { Connection } from "../connections/connection";
import { type BuiltinCommand, type FeatureDeps, type ServerFeature, builtinCommand } from "../serverFeature";
import type { RoomMembership } from "./roomMembership";

/**
 * What clients may do with rooms and metadata themselves: join and leave exposed rooms (`mesh/join-room`,
 * `mesh/leave-room`), and read the metadata they are allowed to see (`mesh/get-connection-metadata`,
 * `mesh/get-room-metadata`). Joining and leaving go through the same cluster-wide {@link RoomMembership} as the
 * server's own `addToRoom` / `removeFromRoom`, so a room broadcast from any instance reaches a client that joined
 * itself. Every access decision is made here, on the server: a client is never sent what it may not see.
 */
export class ClientRooms implements ServerFeature {
  readonly commands: readonly BuiltinCommand[] = [
    builtinCommand(ROOM_COMMANDS.join, joinRoomPayloadSchema, (ctx) => this.join(ctx.connection, ctx.payload.roomName)),
    builtinCommand(ROOM_COMMANDS.leave, leaveRoomPayloadSchema, (ctx) =>
      this.leave(ctx.connection, ctx.payload.roomName),
    ),
    builtinCommand(ROOM_COMMANDS.getConnectionMetadata, getConnectionMetadataPayloadSchema, (ctx) =>
      this.connectionMetadata(ctx.connection, ctx.payload),
    ),
    builtinCommand(ROOM_COMMANDS.getRoomMetadata, getRoomMetadataPayloadSchema, (ctx) =>
      this.roomMetadata(ctx.connection, ctx.payload.roomName),
    ),
  ];
  private readonly exposure: AccessRules;

  /** @param metadataAccess who may read whose metadata, shared with presence */
  constructor(
    private readonly deps: FeatureDeps,
    private readonly membership: RoomMembership,
    private readonly metadataAccess: ConnectionMetadataAccess,
  ) {
    this.exposure = new AccessRules("room", deps.reportError);
  }

  /** Lets clients join a room, or every room a pattern matches, optionally behind a guard. */
  expose(room: string | RegExp, guard?: AccessGuard): void {
    this.exposure.expose(room, guard);
  }

  /** Lets clients read other connections' metadata where `guard` allows. */
  exposeConnectionMetadata(guard: ConnectionMetadataGuard): void {
    this.metadataAccess.expose(guard);
  }

  /**
   * `mesh/join-room`. The membership is written cluster-wide and this instance listens to the room before the
   * answer leaves, so a room broadcast sent after the client saw its answer reaches it.
   */
  private async join(connection: Connection, room: string): Promise<JoinRoomResult> {
    const access = await this.exposure.check(connection, room);
    if (!access.allowed) return { success: false, reason: access.reason };
    // The guard may have taken a while; a connection closed meanwhile was cleaned up already.
    if (!connection.isOpen) return { success: false, reason: "The connection closed" };
    const release = this.deps.subscriptionCap.reserve(
      connection.id,
      this.membership.isLocalMember(room, connection.id),
    );
    try {
      await this.membership.add(room, connection);
    } finally {
      release();
    }
    return { success: true, present: await this.present(connection, room) };
  }

  /**
   * `mesh/leave-room`. Clients leave only rooms they could join by name (exposed ones), whatever the guard says
   * now: leaving grants nothing. Rooms no rule exposes are the server's to manage.
   */
  private async leave(connection: Connection, room: string): Promise<LeaveRoomResult> {
    if (!this.exposure.covers(room)) return { success: false, reason: `Room "${room}" is not exposed` };
    await this.membership.remove(room, connection);
    return { success: true };
  }

  /** `mesh/get-connection-metadata`: the caller's own, or another connection's where the server allows it. */
  private async connectionMetadata(
    connection: Connection,
    payload: GetConnectionMetadataPayload,
  ): Promise<MetadataResult> {
    const target = payload?.connectionId ?? connection.id;
    if (!(await this.metadataAccess.canRead(connection, target))) {
      throw new MeshError("FORBIDDEN", "Reading another connection's metadata is not allowed");
    }
    return { metadata: await this.deps.state.connections.getMetadata(target) };
  }

  /** `mesh/get-room-metadata`: only for rooms the caller may join (exposed and passing the guard). */
  private async roomMetadata(connection: Connection, room: string): Promise<MetadataResult> {
    const access = await this.exposure.check(connection, room);
    if (!access.allowed) throw new MeshError("FORBIDDEN", access.reason);
    return { metadata: await this.deps.state.rooms.getMetadata(room) };
  }

  /**
   * The room's members with their metadata, as `connection` may see them: its own always, another member's only
   * where `exposeConnectionMetadata` allows, `null` otherwise (what is withheld never leaves the server).
   */
  private async present(connection: Connection, room: string): Promise<RoomMember[]> {
    const { connections, rooms } = this.deps.state;
    if (!this.metadataAccess.exposed) {
      // Nobody may read another's metadata: read only the caller's, not every member's.
      const [members, own] = await Promise.all([rooms.members(room), connections.getMetadata(connection.id)]);
      return members.map((connectionId) => ({ connectionId, metadata: connectionId === connection.id ? own : null }));
    }
    const entries = await connections.getMetadataForRoom(room);
    return Promise.all(
      entries.flatMap((entry) =>
        Object.entries(entry).map(async ([connectionId, metadata]) => ({
          connectionId,
          metadata: (await this.metadataAccess.canRead(connection, connectionId)) ? metadata : null,
        })),
      ),
    );
  }
}
