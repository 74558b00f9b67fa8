/**
 * Which local connections are in which rooms, on this instance only. It decides when the instance starts
 * listening to a room's topic (its first local member joined) and when it stops (its last one left).
 */
export class RoomIndex {
  private readonly membersByRoom = new Map<string, Set<string>>();
  private readonly roomsByConnection = new Map<string, Set<string>>();

  /** Adds a membership. Returns true when the room had no local member before. */
  add(room: string, connectionId: string): boolean {
    let members = this.membersByRoom.get(room);
    const first = !members;
    if (!members) {
      members = new Set();
      this.membersByRoom.set(room, members);
    }
    members.add(connectionId);
    let rooms = this.roomsByConnection.get(connectionId);
    if (!rooms) {
      rooms = new Set();
      this.roomsByConnection.set(connectionId, rooms);
    }
    rooms.add(room);
    return first;
  }

  /** Removes a membership. Returns true when the room has no local member left. */
  remove(room: string, connectionId: string): boolean {
    const members = this.membersByRoom.get(room);
    if (!members?.delete(connectionId)) return false;
    const rooms = this.roomsByConnection.get(connectionId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.roomsByConnection.delete(connectionId);
    if (members.size > 0) return false;
    this.membersByRoom.delete(room);
    return true;
  }

  /** Removes a connection from every room; returns the rooms that have no local member left. */
  removeConnection(connectionId: string): string[] {
    const emptied: string[] = [];
    for (const room of [...(this.roomsByConnection.get(connectionId) ?? [])]) {
      if (this.remove(room, connectionId)) emptied.push(room);
    }
    return emptied;
  }

  /** Removes every local member of a room; returns them. */
  clear(room: string): string[] {
    const members = [...(this.membersByRoom.get(room) ?? [])];
    for (const connectionId of members) this.remove(room, connectionId);
    return members;
  }

  /** Local members of a room (live view; do not modify). */
  membersOf(room: string): ReadonlySet<string> {
    return this.membersByRoom.get(room) ?? EMPTY;
  }

  /** Rooms of a local connection. */
  roomsOf(connectionId: string): string[] {
    return [...(this.roomsByConnection.get(connectionId) ?? [])];
  }

  /** Rooms with at least one local member. */
  rooms(): string[] {
    return [...this.membersByRoom.keys()];
  }

  /** Every local membership, as [room, connectionId] pairs. */
  *memberships(): IterableIterator<[string, string]> {
    for (const [room, members] of this.membersByRoom) for (const id of members) yield [room, id];
  }
}

const EMPTY: ReadonlySet<string> = new Set();
