import { MeshError, toMeshError } from "@meshwork/protocol";
import type { ClientRooms } from "../rooms/clientRooms";
import type { RestoreContext } from "../session";
import type { SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import type { JoinRoomResult, LeaveRoomResult } from "../types";
import { OwnPresenceStates } from "./ownPresenceStates";
import { PresenceManager } from "./presenceManager";
import type { PresenceCallback } from "./presenceTypes";

/**
 * Rooms and presence together, in the order a new connection needs them: rooms are rejoined first (so this
 * client is a member again), then presence subscriptions restored (their snapshots include it), then its own
 * states set again (it must be present to have one), all before `reconnect` fires.
 */
export class ClientPresence {
  /** Presence subscriptions: shared stores per room. */
  readonly subscriptions: PresenceManager;
  /** The states this client set, per room. */
  readonly ownStates: OwnPresenceStates;

  constructor(
    private readonly rooms: ClientRooms,
    private readonly hooks: SubscriptionManagerHooks,
  ) {
    this.subscriptions = new PresenceManager(hooks);
    this.ownStates = new OwnPresenceStates(hooks);
  }

  /**
   * Joins a room, then, when it was joined and `onPresence` is given, subscribes to its presence with it. The
   * join's result is returned as is; a presence subscription that fails or is refused is reported through `error`.
   */
  async join(room: string, onPresence?: PresenceCallback): Promise<JoinRoomResult> {
    const joined = await this.rooms.join(room);
    if (!joined.success || onPresence === undefined) return joined;
    try {
      const watched = await this.subscriptions.subscribe(room, onPresence);
      if (!watched.success) {
        const message = `Joined room "${room}" but the server refused its presence: ${watched.reason}`;
        this.hooks.reportError(
          new MeshError("FORBIDDEN", message, { details: { roomName: room, reason: watched.reason } }),
        );
      }
    } catch (thrown) {
      this.hooks.reportError(toMeshError(thrown, "INTERNAL_ERROR"));
    }
    return joined;
  }

  /** Leaves a room; the state this client set there goes with its membership. */
  leave(room: string): Promise<LeaveRoomResult> {
    const left = this.rooms.leave(room);
    this.ownStates.forget(room);
    return left;
  }

  /** Restorer: rooms, then presence subscriptions, then this client's own states. Never rejects. */
  async restore(context: RestoreContext): Promise<void> {
    await this.rooms.restore(context);
    await this.subscriptions.restore(context);
    await this.ownStates.restore(context);
  }

  /** Forgets rooms, presence subscriptions and own states, e.g. when the client goes offline. */
  clear(): void {
    this.rooms.clear();
    this.subscriptions.clear();
    this.ownStates.forget();
  }
}
