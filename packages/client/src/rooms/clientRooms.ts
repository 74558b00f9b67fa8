import {
  type JoinRoomResult as JoinRoomAnswer,
  MeshError,
  type Metadata,
  ROOM_COMMANDS,
  joinRoomPayloadSchema,
  joinRoomResultSchema,
  leaveRoomPayloadSchema,
  leaveRoomResultSchema,
  toMeshError,
} from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import { KeyedQueue } from "../subscriptions/keyedQueue";
import { invalidPayload, unreadable } from "../subscriptions/subscriptionErrors";
import type { SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import type { JoinRoomResult, LeaveRoomResult } from "../types";
import { readConnectionMetadata, readRoomMetadata } from "./metadataReads";

function parseJoinAnswer(result: unknown): JoinRoomAnswer {
  const parsed = joinRoomResultSchema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw unreadable(ROOM_COMMANDS.join, parsed.error.issues);
}

/**
 * Rooms as one client sees them: joining and leaving (requests for one room go out one after the other, so a leave
 * never overtakes the join before it), the rooms it joined, rejoined on every new connection before `reconnect`
 * fires, and the metadata reads the server allows.
 */
export class ClientRooms {
  /** Rooms this client joined itself and has not left: what a reconnect rejoins. */
  readonly #joined = new Set<string>();
  readonly #queue = new KeyedQueue();

  constructor(private readonly hooks: SubscriptionManagerHooks) {}

  /** Joins a room; remembers it for reconnects once the server accepted. */
  join(room: string): Promise<JoinRoomResult> {
    const parsed = joinRoomPayloadSchema.safeParse({ roomName: room });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.#queue.run(room, async (): Promise<JoinRoomResult> => {
      const answer = parseJoinAnswer(await this.hooks.request(ROOM_COMMANDS.join, parsed.data));
      if (!answer.success) return { success: false, present: [], reason: answer.reason };
      this.#joined.add(room);
      return { success: true, present: answer.present };
    });
  }

  /**
   * Leaves a room. It is forgotten at once, so a reconnect does not rejoin it; offline, the client is in no room
   * and nothing is sent.
   */
  leave(room: string): Promise<LeaveRoomResult> {
    const parsed = leaveRoomPayloadSchema.safeParse({ roomName: room });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    this.#joined.delete(room);
    return this.#queue.run(room, async (): Promise<LeaveRoomResult> => {
      if (this.hooks.isOffline()) return { success: true };
      const parsedAnswer = leaveRoomResultSchema.safeParse(await this.hooks.request(ROOM_COMMANDS.leave, parsed.data));
      if (!parsedAnswer.success) throw unreadable(ROOM_COMMANDS.leave, parsedAnswer.error.issues);
      return parsedAnswer.data;
    });
  }

  /** This connection's metadata, or another connection's where the server allows it. */
  connectionMetadata(connectionId: string | undefined): Promise<Metadata | null> {
    return readConnectionMetadata(this.hooks.request, connectionId);
  }

  /** A room's metadata, for rooms this client may join. */
  roomMetadata(room: string): Promise<Metadata | null> {
    return readRoomMetadata(this.hooks.request, room);
  }

  /** Rejoins every joined room on a new connection; a room the server now refuses is dropped and reported. */
  async restore({ request }: RestoreContext): Promise<void> {
    await Promise.all([...this.#joined].map((room) => this.#rejoin(room, request)));
  }

  /** Forgets every room, e.g. when the client goes offline: a later `connect()` starts in no room. */
  clear(): void {
    this.#joined.clear();
  }

  async #rejoin(room: string, request: RestoreContext["request"]): Promise<void> {
    let answer: JoinRoomAnswer;
    try {
      answer = parseJoinAnswer(await request(ROOM_COMMANDS.join, { roomName: room }));
    } catch (thrown) {
      const error = toMeshError(thrown, "INTERNAL_ERROR");
      // The new connection dropped too: keep the room for the next reconnect to rejoin.
      if (error.code === "CONNECTION_CLOSED") return;
      const message = `Could not rejoin room "${room}": ${error.message}`;
      this.#drop(room, new MeshError(error.code, message, { cause: error, details: { roomName: room } }));
      return;
    }
    if (answer.success) return;
    const message = `The server refused to rejoin room "${room}": ${answer.reason}`;
    this.#drop(room, new MeshError("FORBIDDEN", message, { details: { roomName: room, reason: answer.reason } }));
  }

  #drop(room: string, error: MeshError): void {
    // Left meanwhile: nothing to drop, nothing to report.
    if (!this.#joined.delete(room)) return;
    this.hooks.reportError(error);
  }
}
