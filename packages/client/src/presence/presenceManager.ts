import {
  MeshError,
  PRESENCE_COMMANDS,
  type PresenceMessage,
  type SubscribePresenceResult as SubscribePresenceAnswer,
  subscribePresencePayloadSchema,
  subscribePresenceResultSchema,
  toMeshError,
  unsubscribePresencePayloadSchema,
} from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import { callbackError, invalidPayload, notAFunction, unreadable } from "../subscriptions/subscriptionErrors";
import { SubscriptionManager, type SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import { type PresenceAttempt, PresenceStateMachine } from "./presenceStateMachine";
import type { PresenceCallback, PresenceStore, PresenceStoreSnapshot, SubscribePresenceResult } from "./presenceTypes";
import { SharedPresence } from "./sharedPresence";

const IDLE: PresenceStoreSnapshot = Object.freeze({ members: [], states: {}, status: "idle", error: undefined });

function parseAnswer(result: unknown): SubscribePresenceAnswer {
  const parsed = subscribePresenceResultSchema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw unreadable(PRESENCE_COMMANDS.subscribe, parsed.error.issues);
}

function payloadOf(room: string): { roomName: string } | MeshError {
  const parsed = subscribePresencePayloadSchema.safeParse({ roomName: room });
  return parsed.success ? parsed.data : invalidPayload(parsed.error.issues);
}

/** Lets code awaiting a subscribe run before held-back events reach the callback (as records do). */
function afterAwaiters(run: () => void): void {
  setTimeout(run, 0);
}

/**
 * Presence subscriptions of one client: one {@link SharedPresence} per room shared by all its listeners and
 * observers, the subscribe / unsubscribe requests (one after the other per room), the one routing path for
 * `presence` frames, and restoration after a reconnect, where each store tells its listeners what changed.
 */
export class PresenceManager extends SubscriptionManager<
  PresenceMessage,
  PresenceAttempt,
  SharedPresence,
  PresenceStoreSnapshot
> {
  protected readonly machine = new PresenceStateMachine();
  /** The subscribe that started each store, which listeners arriving before its answer wait for. */
  readonly #started = new WeakMap<SharedPresence, Promise<SubscribePresenceResult>>();

  constructor(hooks: SubscriptionManagerHooks) {
    super(hooks, PRESENCE_COMMANDS.unsubscribe, IDLE);
  }

  /**
   * Adds a listener to a room's presence and resolves with the members and states its events start from. The
   * first one subscribes on the server; later ones share that subscription and start from what the store knows.
   * Events that race the first answer are held back, filtered by position, and delivered only after the code
   * awaiting this call has run, so `members = result.present` never overwrites a newer event.
   */
  subscribe(room: string, callback: PresenceCallback): Promise<SubscribePresenceResult> {
    if (typeof callback !== "function") return Promise.reject(notAFunction("presence of room", room));
    const payload = payloadOf(room);
    if (payload instanceof MeshError) return Promise.reject(payload);
    const existing = this.stores.get(room);
    const store = existing ?? this.#open(room, payload);
    store.listen(callback);
    if (existing?.loaded) return Promise.resolve({ success: true, present: store.members, states: store.states });
    return this.#started.get(store) as Promise<SubscribePresenceResult>;
  }

  /**
   * Removes `callback`'s listener, or without one the whole subscription; the last holder to leave tells the
   * server. Resolves whether the server had it (or, while others remain, whether `callback` was one).
   */
  unsubscribe(room: string, callback?: PresenceCallback): Promise<boolean> {
    const parsed = unsubscribePresencePayloadSchema.safeParse({ roomName: room });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.unsubscribeKey(room, parsed.data, callback && ((store) => store.removeListener(callback)));
  }

  /** The observable presence store of a room; observing it holds the subscription. */
  store(room: string): PresenceStore {
    const payload = payloadOf(room);
    if (payload instanceof MeshError) throw payload;
    const open = () => {
      const store = this.#open(room, payload);
      (this.#started.get(store) as Promise<SubscribePresenceResult>).catch(() => undefined);
      return store;
    };
    return { roomName: room, ...this.storeHandle(room, payload, open) };
  }

  /**
   * Resubscribes a room on the new connection; its store compares the new snapshot with what it knew and tells
   * its listeners the difference. A room the server now refuses is dropped and reported.
   */
  protected async restoreOne(attempt: PresenceAttempt, request: RestoreContext["request"]): Promise<void> {
    const room = attempt.key;
    let answer: SubscribePresenceAnswer;
    try {
      answer = parseAnswer(await request(PRESENCE_COMMANDS.subscribe, { roomName: room }));
    } catch (thrown) {
      const error = toMeshError(thrown, "INTERNAL_ERROR");
      // The new connection dropped too: keep the subscription for the next reconnect to restore.
      if (error.code === "CONNECTION_CLOSED") {
        this.machine.activate(attempt);
        return;
      }
      const message = `Could not restore the presence subscription of room "${room}": ${error.message}`;
      this.#giveUp(attempt, new MeshError(error.code, message, { cause: error, details: { roomName: room } }));
      return;
    }
    if (answer.success) {
      this.machine.complete(attempt, answer, true);
      return;
    }
    const message = `The server refused to restore the presence subscription of room "${room}": ${answer.reason}`;
    const details = { roomName: room, reason: answer.reason };
    this.#giveUp(attempt, new MeshError("FORBIDDEN", message, { details }));
  }

  /** Creates a room's store and sends the subscribe that starts it. */
  #open(room: string, payload: { roomName: string }): SharedPresence {
    const store = new SharedPresence(room, (error, what) =>
      this.hooks.reportError(callbackError(what, `the presence of room "${room}"`, { roomName: room }, error)),
    );
    this.stores.set(room, store);
    const attempt = this.machine.begin(room, store.sink, store.stateChanged);
    const started = this.queue.run(room, async (): Promise<SubscribePresenceResult> => {
      let answer: SubscribePresenceAnswer;
      try {
        answer = parseAnswer(await this.hooks.request(PRESENCE_COMMANDS.subscribe, payload));
      } catch (thrown) {
        if (this.machine.fail(attempt)) this.endStore(room, toMeshError(thrown, "INTERNAL_ERROR"), store);
        throw thrown;
      }
      if (!answer.success) {
        const error = new MeshError("FORBIDDEN", `The server refused the presence of room "${room}": ${answer.reason}`);
        if (this.machine.fail(attempt)) this.endStore(room, error, store);
        return { success: false, present: [], states: {}, reason: answer.reason };
      }
      if (this.machine.complete(attempt, answer, false)) afterAwaiters(() => this.machine.activate(attempt));
      return { success: true, present: answer.present, states: answer.states };
    });
    this.#started.set(store, started);
    return store;
  }

  #giveUp(attempt: PresenceAttempt, error: MeshError): void {
    if (!this.machine.isCurrent(attempt)) return;
    const store = this.stores.get(attempt.key);
    const dropped = this.machine.fail(attempt);
    this.hooks.reportError(error);
    if (dropped) this.endStore(attempt.key, error, store);
  }
}
