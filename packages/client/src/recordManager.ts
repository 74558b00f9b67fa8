import {
  MeshError,
  RECORD_COMMANDS,
  type RecordUpdateMessage,
  type SubscribeRecordPayload,
  type SubscribeRecordResult as SubscribeRecordAnswer,
  publishRecordUpdatePayloadSchema,
  publishRecordUpdateResultSchema,
  subscribeRecordPayloadSchema,
  subscribeRecordResultSchema,
  toMeshError,
  unsubscribeRecordPayloadSchema,
} from "@meshwork/protocol";
import { type RecordAttempt, RecordSubscriptions } from "./recordSubscriptions";
import type { RestoreContext } from "./session";
import {
  SubscriptionManager,
  type SubscriptionManagerHooks,
  callbackError,
  invalidPayload,
  unreadable,
} from "./subscriptionSupport";
import type {
  PublishRecordUpdateOptions,
  PublishRecordUpdateResult,
  RecordCallback,
  SubscribeRecordOptions,
  SubscribeRecordResult,
} from "./types";

/** What the manager needs from its client. */
export type RecordManagerHooks = SubscriptionManagerHooks;



function parseSubscribeAnswer(result: unknown): SubscribeRecordAnswer {
  const parsed = subscribeRecordResultSchema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw unreadable(RECORD_COMMANDS.subscribe, parsed.error.issues);
}

/** Lets code awaiting a subscribe run before held-back updates reach the callback (see {@link RecordManager.subscribe}). */
function afterAwaiters(run: () => void): void {
  setTimeout(run, 0);
}

/**
 * Record subscriptions of one client: `subscribe` / `unsubscribe` / `publish` requests, the one routing path for
 * `record-update` frames, automatic resynchronisation of patch-mode subscriptions that meet a gap, and their
 * restoration after a reconnect. Requests for the same record (resyncs included) go out one after the other, so
 * the server never sees an unsubscribe overtake the subscribe that follows it, or a resync re-register a record
 * after it was unsubscribed.
 */
export class RecordManager extends SubscriptionManager<RecordUpdateMessage, RecordAttempt> {
  protected readonly subscriptions: RecordSubscriptions;

  constructor(hooks: RecordManagerHooks) {
    super(hooks, RECORD_COMMANDS.unsubscribe);
    this.subscriptions = new RecordSubscriptions({
      reportError: (error, recordId) => hooks.reportError(callbackError("callback", `record "${recordId}"`, { recordId }, error)),
      resync: (attempt) => this.#resync(attempt),
    });
  }

  /**
   * Subscribes to a record, or replaces the callback and mode of its subscription, and resolves with the value
   * and version. Updates that race the answer are held back and delivered, filtered by version, only after the
   * code awaiting this call has run, so `record = result.record` never overwrites a newer update.
   */
  subscribe(recordId: string, callback: RecordCallback, options: SubscribeRecordOptions = {}): Promise<SubscribeRecordResult> {
    if (typeof callback !== "function") {
      return Promise.reject(new TypeError(`The callback of record "${String(recordId)}" must be a function`));
    }
    const parsed = subscribeRecordPayloadSchema.safeParse({ recordId, mode: options.mode ?? "full" });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    const payload = parsed.data as SubscribeRecordPayload & Required<Pick<SubscribeRecordPayload, "mode">>;
    const attempt = this.subscriptions.begin(recordId, callback, payload.mode);
    return this.queue.run(recordId, async (): Promise<SubscribeRecordResult> => {
      let answer: SubscribeRecordAnswer;
      try {
        answer = parseSubscribeAnswer(await this.hooks.request(RECORD_COMMANDS.subscribe, payload));
      } catch (error) {
        this.subscriptions.fail(attempt);
        throw error;
      }
      if (!answer.success) {
        this.subscriptions.fail(attempt);
        const refused = { success: false, record: null, version: 0 };
        return answer.reason === undefined ? refused : { ...refused, reason: answer.reason };
      }
      if (this.subscriptions.complete(attempt, answer, false)) {
        afterAwaiters(() => this.subscriptions.activate(attempt));
      }
      return { success: true, record: answer.record, version: answer.version };
    });
  }

  /** Unsubscribes at once locally, then tells the server; resolves with whether the server had a subscription. */
  unsubscribe(recordId: string): Promise<boolean> {
    const parsed = unsubscribeRecordPayloadSchema.safeParse({ recordId });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.unsubscribeKey(recordId, parsed.data);
  }

  /** Writes a writable record and resolves with its new version. */
  async publish(recordId: string, value: unknown, options: PublishRecordUpdateOptions = {}): Promise<PublishRecordUpdateResult> {
    if (value === undefined) {
      throw new MeshError("INVALID_PAYLOAD", `The value of record "${String(recordId)}" must be JSON, not undefined`);
    }
    const parsed = publishRecordUpdatePayloadSchema.safeParse(
      options.expectedVersion === undefined ? { recordId, value } : { recordId, value, expectedVersion: options.expectedVersion },
    );
    if (!parsed.success) throw invalidPayload(parsed.error.issues);
    const result = publishRecordUpdateResultSchema.safeParse(
      await this.hooks.request(RECORD_COMMANDS.publish, parsed.data),
    );
    if (!result.success) throw unreadable(RECORD_COMMANDS.publish, result.error.issues);
    return { version: result.data.version };
  }

  /**
   * Resubscribes a record on the new connection and delivers its current value to the callback as `full`, always
   * (even when the version did not change: a record deleted and re-created while the client was away can be back
   * at the same version with another value).
   */
  protected async restoreOne(attempt: RecordAttempt, request: RestoreContext["request"]): Promise<void> {
    let answer: SubscribeRecordAnswer;
    try {
      answer = parseSubscribeAnswer(await request(RECORD_COMMANDS.subscribe, { recordId: attempt.recordId, mode: attempt.mode }));
    } catch (thrown) {
      this.#failedRequest(attempt, thrown, "restore");
      return;
    }
    this.#answered(attempt, answer, "restore");
  }

  #resync(attempt: RecordAttempt): void {
    void this.queue.run(attempt.recordId, async () => {
      // Unsubscribed, subscribed again or restored while waiting for its turn: nothing to resync any more.
      if (!this.subscriptions.isActivating(attempt)) return;
      let answer: SubscribeRecordAnswer;
      try {
        const payload = { recordId: attempt.recordId, mode: attempt.mode };
        answer = parseSubscribeAnswer(await this.hooks.request(RECORD_COMMANDS.subscribe, payload));
      } catch (thrown) {
        this.#failedRequest(attempt, thrown, "resynchronise");
        return;
      }
      this.#answered(attempt, answer, "resynchronise");
    });
  }

  #answered(attempt: RecordAttempt, answer: SubscribeRecordAnswer, what: "restore" | "resynchronise"): void {
    if (answer.success) {
      this.subscriptions.complete(attempt, answer, true);
      return;
    }
    if (!this.subscriptions.fail(attempt)) return;
    const why = answer.reason === undefined ? "" : `: ${answer.reason}`;
    const message = `The server refused to ${what} the subscription to record "${attempt.recordId}"${why}`;
    this.hooks.reportError(
      new MeshError("FORBIDDEN", message, { details: { recordId: attempt.recordId, reason: answer.reason } }),
    );
  }

  /**
   * A resync or restoration got no answer. When the connection dropped, the subscription stays for the next
   * reconnect to restore with the current value. Otherwise the error is reported: a failed resync keeps the
   * subscription (the server still streams it; the next gap asks again), a failed restoration drops it, since the
   * server may not have it.
   */
  #failedRequest(attempt: RecordAttempt, thrown: unknown, what: "restore" | "resynchronise"): void {
    if (!this.subscriptions.isActivating(attempt)) return;
    const error = toMeshError(thrown, "INTERNAL_ERROR");
    if (error.code === "CONNECTION_CLOSED" || what === "resynchronise") this.subscriptions.abort(attempt);
    else this.subscriptions.fail(attempt);
    if (error.code === "CONNECTION_CLOSED") return;
    const message = `Could not ${what} the subscription to record "${attempt.recordId}": ${error.message}`;
    this.hooks.reportError(new MeshError(error.code, message, { cause: error, details: { recordId: attempt.recordId } }));
  }

}
