import {
  type PresenceEvent,
  type PresenceMember,
  type PresencePosition,
  PRESENCE_COMMANDS,
  ROOM_COMMANDS,
  type SubscribePresenceResult,
  clearPresenceStatePayloadSchema,
  joinRoomPayloadSchema,
  leaveRoomPayloadSchema,
  publishPresenceStatePayloadSchema,
  subscribePresencePayloadSchema,
  unsubscribePresencePayloadSchema,
} from "@meshwork/protocol";
import type { ScriptedConnection, ScriptedHandler } from "./scriptedServer";

interface ScriptedRoom {
  epoch: number;
  seq: number;
  /** Member id → its connections and metadata, in join order. */
  readonly members: Map<string, { connectionIds: string[]; metadata: Record<string, unknown> | null }>;
  readonly states: Map<string, unknown>;
  readonly watchers: Set<ScriptedConnection>;
}

function invalid(issues: unknown): Error {
  return Object.assign(new Error("Invalid payload"), { code: "INVALID_PAYLOAD", details: issues });
}

/**
 * Rooms and presence on the scripted server, following the wire contract of `mesh/join-room`, `mesh/leave-room`
 * and the presence commands: a connection that joins a room is a member (its id the member id), a watcher is
 * registered before the snapshot is read and gets every event with its position, unfiltered (the client drops what
 * its snapshot holds), and a closed connection leaves its rooms. Members without a connection can be added by the
 * test (`join`, `leave`, `setState`). Rooms, states and positions outlive a restart, as Redis outlives a server.
 */
export class ScriptedPresence {
  /** Who may watch a room's presence: `true` allows, a string refuses with that reason. */
  access: (room: string, connection: ScriptedConnection) => true | string = () => true;
  /** Runs once the watcher is registered and before the snapshot is read. */
  afterRegister: ((room: string, connection: ScriptedConnection) => void | Promise<void>) | undefined;
  /** Runs after the snapshot is read and before the answer is sent. */
  beforeAnswer: ((room: string, connection: ScriptedConnection) => void | Promise<void>) | undefined;
  readonly #rooms = new Map<string, ScriptedRoom>();
  readonly #tracked = new WeakSet<ScriptedConnection>();

  constructor(handle: (command: string, handler: ScriptedHandler) => void) {
    handle(ROOM_COMMANDS.join, (payload, connection) => {
      const { roomName } = parse(joinRoomPayloadSchema, payload);
      this.#leaveOnClose(connection);
      this.join(roomName, connection.id);
      const present = this.snapshot(roomName).present.map(({ connectionId, metadata }) => ({ connectionId, metadata }));
      return { success: true, present };
    });
    handle(ROOM_COMMANDS.leave, (payload, connection) => {
      this.leave(parse(leaveRoomPayloadSchema, payload).roomName, connection.id);
      return { success: true };
    });
    handle(PRESENCE_COMMANDS.subscribe, (payload, connection) => this.#subscribe(payload, connection));
    handle(PRESENCE_COMMANDS.unsubscribe, (payload, connection) => {
      const { roomName } = parse(unsubscribePresencePayloadSchema, payload);
      return this.#rooms.get(roomName)?.watchers.delete(connection) ?? false;
    });
    handle(PRESENCE_COMMANDS.publishState, (payload, connection) => {
      const { roomName, state } = parse(publishPresenceStatePayloadSchema, payload);
      if (!this.#room(roomName).members.has(connection.id)) return { success: false, reason: "not present" };
      this.setState(roomName, connection.id, state ?? null);
      return { success: true };
    });
    handle(PRESENCE_COMMANDS.clearState, (payload, connection) => {
      const { roomName } = parse(clearPresenceStatePayloadSchema, payload);
      if (!this.#room(roomName).members.has(connection.id)) return { success: false, reason: "not present" };
      this.setState(roomName, connection.id, null);
      return { success: true };
    });
  }

  /** Adds a member (a connection id, or any id for a member the test plays), announcing its join. */
  join(room: string, memberId: string, metadata: Record<string, unknown> | null = null): PresencePosition {
    const members = this.#room(room).members;
    members.set(memberId, { connectionIds: [memberId], metadata });
    return this.#emit(room, {
      type: "join",
      roomName: room,
      connectionId: memberId,
      connectionIds: [memberId],
      metadata,
    });
  }

  /** Removes a member (its state goes with it), announcing its leave; nothing when it is not present. */
  leave(room: string, memberId: string): PresencePosition | undefined {
    const scripted = this.#room(room);
    const member = scripted.members.get(memberId);
    if (member === undefined) return undefined;
    scripted.members.delete(memberId);
    scripted.states.delete(memberId);
    const { connectionIds } = member;
    return this.#emit(room, { type: "leave", roomName: room, connectionId: memberId, connectionIds });
  }

  /** Sets a member's state (`null` clears it), announcing it. */
  setState(room: string, memberId: string, state: unknown): PresencePosition {
    const { states } = this.#room(room);
    if (state === null) states.delete(memberId);
    else states.set(memberId, state);
    return this.#emit(room, { type: "state", roomName: room, connectionId: memberId, state });
  }

  /** The room's members, states and position, as a subscribe answer gives them. */
  snapshot(room: string): { present: PresenceMember[]; states: Record<string, unknown>; position: PresencePosition } {
    const scripted = this.#room(room);
    const present = [...scripted.members].map(([connectionId, { connectionIds, metadata }]) => ({
      connectionId,
      connectionIds: [...connectionIds],
      metadata,
    }));
    return { present, states: Object.fromEntries(scripted.states), position: this.position(room) };
  }

  /** The room's current position. */
  position(room: string): PresencePosition {
    const { epoch, seq } = this.#room(room);
    return { epoch, seq };
  }

  /** Sends a `presence` frame as given to every open watcher of the room, e.g. a replay of an old event. */
  send(room: string, event: PresenceEvent, position: PresencePosition): void {
    for (const watcher of this.#room(room).watchers) {
      if (watcher.socket.readyState === watcher.socket.OPEN) watcher.send({ type: "presence", event, position });
    }
  }

  #emit(room: string, event: PresenceEvent): PresencePosition {
    const scripted = this.#room(room);
    scripted.seq += 1;
    const position = { epoch: scripted.epoch, seq: scripted.seq };
    this.send(room, event, position);
    return position;
  }

  async #subscribe(payload: unknown, connection: ScriptedConnection): Promise<SubscribePresenceResult> {
    const { roomName } = parse(subscribePresencePayloadSchema, payload);
    const access = this.access(roomName, connection);
    if (access !== true) return { success: false, reason: access };
    this.#leaveOnClose(connection);
    this.#room(roomName).watchers.add(connection);
    await this.afterRegister?.(roomName, connection);
    const snapshot = this.snapshot(roomName);
    await this.beforeAnswer?.(roomName, connection);
    return { success: true, ...snapshot };
  }

  #leaveOnClose(connection: ScriptedConnection): void {
    if (this.#tracked.has(connection)) return;
    this.#tracked.add(connection);
    connection.socket.on("close", () => {
      for (const [room, scripted] of this.#rooms) {
        scripted.watchers.delete(connection);
        this.leave(room, connection.id);
      }
    });
  }

  #room(room: string): ScriptedRoom {
    let scripted = this.#rooms.get(room);
    if (scripted === undefined) {
      scripted = { epoch: 1, seq: 0, members: new Map(), states: new Map(), watchers: new Set() };
      this.#rooms.set(room, scripted);
    }
    return scripted;
  }
}

function parse<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: unknown } } },
  payload: unknown,
): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return parsed.data;
}
