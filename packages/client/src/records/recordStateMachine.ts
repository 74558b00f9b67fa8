import type { RecordMode, RecordUpdateMessage } from "@meshwork/protocol";
import { isApplicablePatch } from "../applyPatch";
import {
  type StateListener,
  type SubscriptionAttempt,
  type SubscriptionEntry,
  SubscriptionStateMachine,
} from "../subscriptions/subscriptionStateMachine";
import type { RecordCallback, RecordUpdate } from "../types";

/** Where a record subscription stands. */
interface RecordSubscription extends SubscriptionEntry<RecordUpdateMessage> {
  callback: RecordCallback;
  mode: RecordMode;
  /**
   * The version the application has: from the subscribe answer, then from each update delivered. Updates at or
   * below it are already included; 0 after a deletion, since a deleted record reads as `null` at version 0.
   */
  version: number;
}

/** One subscribe request on its way: the application's, a resynchronisation, or a restoration after a reconnect. */
export interface RecordAttempt extends SubscriptionAttempt<RecordSubscription> {
  readonly kind: "subscribe" | "resync" | "restore";
  readonly mode: RecordMode;
}

/** The current value and version, as the server's answer to a record subscribe gives them. */
export interface RecordSubscribeAnswer {
  readonly record: unknown;
  readonly version: number;
}

/** What {@link RecordStateMachine} needs from its owner. */
export interface RecordStateMachineHooks {
  /** Receives what a callback threw; delivery goes on. */
  readonly reportError: (error: unknown, recordId: string) => void;
  /** Sends the resubscription that resynchronises a subscription; its answer goes to {@link RecordStateMachine.complete}. */
  readonly resync: (attempt: RecordAttempt) => void;
}

/**
 * The client's record subscriptions, one per record, and the single path every `record-update` takes. On top of
 * {@link SubscriptionStateMachine} it tracks the version the application has and keeps every callback gap-free:
 * - updates at or below that version are dropped (the snapshot already held them);
 * - in patch mode, a patch that does not follow the tracked version by exactly one (or that `applyPatch` would
 *   refuse) is not delivered: the subscription asks for the current value once (`resyncing`), holds updates back
 *   meanwhile, and delivers that value as `full`;
 * - a deletion is delivered and resets the version to 0, since a re-created record starts again at version 1.
 * The {@link RecordManager} sends the requests and hands their answers here.
 */
export class RecordStateMachine extends SubscriptionStateMachine<
  RecordUpdateMessage,
  RecordSubscription,
  RecordAttempt
> {
  readonly #hooks: RecordStateMachineHooks;

  constructor(hooks: RecordStateMachineHooks) {
    super();
    this.#hooks = hooks;
  }

  /** The version the application has of a record, or `undefined` when not subscribed. */
  versionOf(recordId: string): number | undefined {
    return this.entries.get(recordId)?.version;
  }

  /**
   * Starts a subscribe request: creates the record's subscription or replaces its callback and mode, and holds
   * updates back until this request's answer is activated.
   */
  begin(recordId: string, callback: RecordCallback, mode: RecordMode, onState?: StateListener): RecordAttempt {
    const [id, subscription] = this.beginAttempt(
      recordId,
      (first) => ({
        key: recordId,
        callback,
        mode,
        state: "subscribing",
        version: 0,
        established: false,
        activatingAttempt: first,
        buffer: [],
        onState,
      }),
      (existing) => {
        existing.callback = callback;
        existing.mode = mode;
      },
    );
    return { key: recordId, id, kind: "subscribe", mode, subscription };
  }

  /**
   * Applies a successful answer of the activating request: takes its version. With `deliver` (resync, restore)
   * the value goes to the callback as `full` and the subscription becomes active at once; without (the
   * application's subscribe, whose caller gets the value) it stays held back until {@link activate}. Returns
   * whether the answer was applied.
   */
  complete(attempt: RecordAttempt, answer: RecordSubscribeAnswer, deliver: boolean): boolean {
    if (!this.isActivating(attempt)) return false;
    const subscription = attempt.subscription;
    subscription.version = answer.version;
    subscription.established = true;
    if (!deliver) return true;
    this.#deliver(subscription, { recordId: subscription.key, version: answer.version, full: answer.record });
    this.activate(attempt);
    return true;
  }

  /** Starts delivering: held-back updates first, filtered by version. Does nothing for a superseded attempt. */
  activate(attempt: RecordAttempt): void {
    if (!this.isActivating(attempt) || attempt.subscription.state === "active") return;
    this.setState(attempt.subscription, "active");
    this.flush(attempt.subscription);
  }

  /**
   * Ends a resync or restoration that did not get an answer (the connection dropped, or it timed out): the
   * subscription stays, at its version, and what it held back is dropped. The next reconnect restores it with
   * the current value; a later gap asks again, so failures never turn into a loop of immediate retries.
   */
  abort(attempt: RecordAttempt): void {
    if (!this.isActivating(attempt)) return;
    attempt.subscription.buffer.length = 0;
    this.setState(attempt.subscription, "active");
  }

  /**
   * Asks for the current value of an active subscription again, e.g. when its owner could not apply a patch
   * the version check let through. Does nothing unless the record is subscribed and active.
   */
  resync(recordId: string): void {
    const subscription = this.entries.get(recordId);
    if (subscription?.state === "active") this.#startResync(subscription);
  }

  protected keyOf(message: RecordUpdateMessage): string {
    return message.recordId;
  }

  protected restoreAttempt(subscription: RecordSubscription, id: number): RecordAttempt {
    return { key: subscription.key, id, kind: "restore", mode: subscription.mode, subscription };
  }

  /** Updates held back from the old connection are dropped: the restoring answer delivers the current value anyway. */
  protected override restarted(subscription: RecordSubscription): void {
    subscription.buffer.length = 0;
  }

  protected apply(subscription: RecordSubscription, message: RecordUpdateMessage): void {
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
    const id = this.nextAttemptId();
    subscription.activatingAttempt = id;
    this.setState(subscription, "resyncing");
    this.#hooks.resync({ key: subscription.key, id, kind: "resync", mode: subscription.mode, subscription });
  }

  #deliver(subscription: RecordSubscription, update: RecordUpdate): void {
    try {
      subscription.callback(update);
    } catch (error) {
      this.#hooks.reportError(error, subscription.key);
    }
  }
}
