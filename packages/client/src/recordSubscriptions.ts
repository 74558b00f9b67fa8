import type { RecordMode, RecordUpdateMessage } from "@meshwork/protocol";
import { isApplicablePatch } from "./applyPatch";
import type { RecordCallback, RecordUpdate } from "./types";

/**
 * `subscribing`: a subscribe (or, after a reconnect, a restoring subscribe) is out, or answered and waiting to
 * be activated; updates are held back. `active`: updates are delivered. `resyncing`: a patch-mode subscription
 * met a gap and asked for the current value again; updates are held back until it arrives.
 */
export type RecordSubscriptionState = "subscribing" | "active" | "resyncing";

/** Where a record subscription stands. */
interface RecordSubscription {
  readonly recordId: string;
  callback: RecordCallback;
  mode: RecordMode;
  state: RecordSubscriptionState;
  /**
   * The version the application has: from the subscribe answer, then from each update delivered. Updates at or
   * below it are already included; 0 after a deletion, since a deleted record reads as `null` at version 0.
   */
  version: number;
  /** Whether a subscribe was answered once, so the server streams this record's changes to the client. */
  established: boolean;
  /** The request whose answer makes the subscription active; answers to any other request change nothing. */
  activatingAttempt: number;
  /** Updates that arrived while not active, in arrival order. */
  readonly buffer: RecordUpdateMessage[];
}

/** One subscribe request on its way: the application's, a resynchronisation, or a restoration after a reconnect. */
export interface RecordAttempt {
  readonly recordId: string;
  readonly id: number;
  readonly kind: "subscribe" | "resync" | "restore";
  readonly mode: RecordMode;
  readonly subscription: RecordSubscription;
}

/** The current value as a subscribe answer gives it. */
export interface RecordSnapshot {
  readonly record: unknown;
  readonly version: number;
}

/** What {@link RecordSubscriptions} needs from its owner. */
export interface RecordSubscriptionHooks {
  /** Receives what a callback threw; delivery goes on. */
  readonly reportError: (error: unknown, recordId: string) => void;
  /** Sends the resubscription that resynchronises a subscription; its answer goes to {@link RecordSubscriptions.complete}. */
  readonly resync: (attempt: RecordAttempt) => void;
}

/**
 * The client's record subscriptions, one per record, and the single path every `record-update` takes. It tracks
 * the version the application has and keeps every callback gap-free:
 * - updates at or below that version are dropped (the snapshot already held them);
 * - updates arriving while a request is out are held back, then filtered the same way;
 * - in patch mode, a patch that does not follow the tracked version by exactly one (or that `applyPatch` would
 *   refuse) is not delivered: the subscription asks for the current value once, holds updates back meanwhile,
 *   and delivers that value as `full`;
 * - a deletion is delivered and resets the version to 0, since a re-created record starts again at version 1.
 * It does no I/O: the {@link RecordManager} sends the requests and hands their answers here.
 */
export class RecordSubscriptions {
  readonly #subscriptions = new Map<string, RecordSubscription>();
  readonly #hooks: RecordSubscriptionHooks;
  #nextAttempt = 1;

  constructor(hooks: RecordSubscriptionHooks) {
    this.#hooks = hooks;
  }

  /** Number of subscribed records. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** The state of a record's subscription, or `undefined` when not subscribed. */
  stateOf(recordId: string): RecordSubscriptionState | undefined {
    return this.#subscriptions.get(recordId)?.state;
  }

  /** The version the application has of a record, or `undefined` when not subscribed. */
  versionOf(recordId: string): number | undefined {
    return this.#subscriptions.get(recordId)?.version;
  }

  /**
   * Starts an application's subscribe: creates the record's subscription or replaces its callback and mode, and
   * holds updates back until this request's answer is activated.
   */
  begin(recordId: string, callback: RecordCallback, mode: RecordMode): RecordAttempt {
    const id = this.#nextAttempt++;
    let subscription = this.#subscriptions.get(recordId);
    if (subscription === undefined) {
      subscription = {
        recordId,
        callback,
        mode,
        state: "subscribing",
        version: 0,
        established: false,
        activatingAttempt: id,
        buffer: [],
      };
      this.#subscriptions.set(recordId, subscription);
    } else {
      subscription.callback = callback;
      subscription.mode = mode;
      subscription.state = "subscribing";
      subscription.activatingAttempt = id;
    }
    return { recordId, id, kind: "subscribe", mode, subscription };
  }

  /**
   * Starts the resubscription of every established subscription after a reconnect. Updates held back from the
   * old connection are dropped: the restoring answer delivers the current value anyway. Where an application's
   * subscribe waits to be sent, that one stays the request that activates.
   */
  beginRestore(): RecordAttempt[] {
    return [...this.#subscriptions.values()]
      .filter((subscription) => subscription.established)
      .map((subscription) => {
        const id = this.#nextAttempt++;
        if (subscription.state !== "subscribing") {
          subscription.state = "subscribing";
          subscription.activatingAttempt = id;
          subscription.buffer.length = 0;
        }
        return { recordId: subscription.recordId, id, kind: "restore" as const, mode: subscription.mode, subscription };
      });
  }

  /** Whether the attempt's subscription is still the record's (not unsubscribed or cleared since). */
  isCurrent(attempt: RecordAttempt): boolean {
    return this.#subscriptions.get(attempt.recordId) === attempt.subscription;
  }

  /** Whether the attempt's answer is the one that activates its subscription. */
  isActivating(attempt: RecordAttempt): boolean {
    return this.isCurrent(attempt) && attempt.subscription.activatingAttempt === attempt.id;
  }

  /**
   * Applies a successful answer of the activating request: takes its version. With `deliver` (resync, restore)
   * the value goes to the callback as `full` and the subscription becomes active at once; without (the
   * application's subscribe, whose caller gets the value) it stays held back until {@link activate}. Returns
   * whether the answer was applied.
   */
  complete(attempt: RecordAttempt, snapshot: RecordSnapshot, deliver: boolean): boolean {
    if (!this.isActivating(attempt)) return false;
    const subscription = attempt.subscription;
    subscription.version = snapshot.version;
    subscription.established = true;
    if (!deliver) return true;
    this.#deliver(subscription, { recordId: subscription.recordId, version: snapshot.version, full: snapshot.record });
    this.activate(attempt);
    return true;
  }

  /** Starts delivering: held-back updates first, filtered by version. Does nothing for a superseded attempt. */
  activate(attempt: RecordAttempt): void {
    if (!this.isActivating(attempt) || attempt.subscription.state === "active") return;
    attempt.subscription.state = "active";
    this.#flush(attempt.subscription);
  }

  /**
   * Ends a request that failed or was refused. If it was the activating one, the record is unsubscribed and
   * `true` returned; an answer to a superseded request changes nothing.
   */
  fail(attempt: RecordAttempt): boolean {
    if (!this.isActivating(attempt)) return false;
    this.#subscriptions.delete(attempt.recordId);
    return true;
  }

  /**
   * Ends a resync or restoration that did not get an answer (the connection dropped, or it timed out): the
   * subscription stays, at its version, and what it held back is dropped. The next reconnect restores it with
   * the current value; a later gap asks again, so failures never turn into a loop of immediate retries.
   */
  abort(attempt: RecordAttempt): void {
    if (!this.isActivating(attempt)) return;
    attempt.subscription.buffer.length = 0;
    attempt.subscription.state = "active";
  }

  /** Unsubscribes locally: from now on the record's updates are ignored. Returns whether it was subscribed. */
  remove(recordId: string): boolean {
    return this.#subscriptions.delete(recordId);
  }

  /** Drops every subscription. */
  clear(): void {
    this.#subscriptions.clear();
  }

  /** Routes a `record-update`: held back unless active, then filtered by version; ignored when unsubscribed. */
  receive(message: RecordUpdateMessage): void {
    const subscription = this.#subscriptions.get(message.recordId);
    if (subscription === undefined) return;
    if (subscription.state === "active") this.#apply(subscription, message);
    else subscription.buffer.push(message);
  }

  #flush(subscription: RecordSubscription): void {
    const { buffer } = subscription;
    const current = () => this.#subscriptions.get(subscription.recordId) === subscription;
    // A callback may unsubscribe or subscribe again, and a gap starts a resync: what is left then is dropped or
    // stays held back.
    while (buffer.length > 0 && subscription.state === "active" && current()) {
      this.#apply(subscription, buffer.shift() as RecordUpdateMessage);
    }
    if (!current()) buffer.length = 0;
  }

  #apply(subscription: RecordSubscription, message: RecordUpdateMessage): void {
    const { recordId, version } = message;
    if (message.deleted) {
      // Older than what the application has, or the record is already gone from its view: nothing to tell.
      if (version < subscription.version || subscription.version === 0) return;
      subscription.version = 0;
      this.#deliver(subscription, { recordId, version, deleted: true });
      return;
    }
    if (version <= subscription.version) return;
    const { patch } = message;
    if (patch === undefined) {
      subscription.version = version;
      this.#deliver(subscription, { recordId, version, full: message.full });
      return;
    }
    const follows = version === subscription.version + 1;
    if (subscription.mode === "patch" && follows && isApplicablePatch(patch)) {
      subscription.version = version;
      this.#deliver(subscription, { recordId, version, patch });
      return;
    }
    // A missed version, a patch the application could not apply safely, or a patch where the whole value is
    // expected: ask for the current value instead. This update is part of it; later ones wait for it.
    this.#startResync(subscription);
  }

  #startResync(subscription: RecordSubscription): void {
    const id = this.#nextAttempt++;
    subscription.state = "resyncing";
    subscription.activatingAttempt = id;
    this.#hooks.resync({ recordId: subscription.recordId, id, kind: "resync", mode: subscription.mode, subscription });
  }

  #deliver(subscription: RecordSubscription, update: RecordUpdate): void {
    try {
      subscription.callback(update);
    } catch (error) {
      this.#hooks.reportError(error, subscription.recordId);
    }
  }
}
