import {
  MeshError,
  RECORD_COMMANDS,
  type RecordMode,
  type RecordUpdateMessage,
  type SubscribeRecordResult as SubscribeRecordAnswer,
  publishRecordUpdatePayloadSchema,
  publishRecordUpdateResultSchema,
  subscribeRecordPayloadSchema,
  subscribeRecordResultSchema,
  toMeshError,
  unsubscribeRecordPayloadSchema,
} from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import type { RecordStore, RecordStoreSnapshot } from "../storeTypes";
import { callbackError, invalidPayload, notAFunction, unreadable } from "../subscriptions/subscriptionErrors";
import { SubscriptionManager, type SubscriptionManagerHooks } from "../subscriptions/subscriptionManager";
import type {
  PublishRecordUpdateOptions,
  PublishRecordUpdateResult,
  RecordCallback,
  SubscribeRecordOptions,
  SubscribeRecordResult,
} from "../types";
import { type RecordAttempt, RecordStateMachine } from "./recordStateMachine";
import { SharedRecord } from "./sharedRecord";

const IDLE: RecordStoreSnapshot = Object.freeze({ data: null, version: 0, status: "idle", error: undefined });

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
 * Record subscriptions of one client: one {@link SharedRecord} per record shared by all its listeners, the
 * `subscribe` / `unsubscribe` / `publish` requests, the one routing path for `record-update` frames, automatic
 * resynchronisation of patch-mode subscriptions that meet a gap, and restoration after a reconnect. Requests for
 * the same record (resyncs included) go out one after the other, so the server never sees an unsubscribe overtake
 * the subscribe that follows it, or a resync re-register a record after it was unsubscribed.
 */
export class RecordManager extends SubscriptionManager<
  RecordUpdateMessage,
  RecordAttempt,
  SharedRecord,
  RecordStoreSnapshot
> {
  protected readonly machine: RecordStateMachine;
  /** The subscribe that started each store, which later listeners wait for. */
  readonly #started = new WeakMap<SharedRecord, Promise<SubscribeRecordResult>>();

  constructor(hooks: SubscriptionManagerHooks) {
    super(hooks, RECORD_COMMANDS.unsubscribe, IDLE);
    this.machine = new RecordStateMachine({
      reportError: (error, recordId) => this.#reportCallback(recordId, "callback", error),
      resync: (attempt) => this.#resync(attempt),
    });
  }

  /**
   * Adds a listener to a record and resolves with the value and version it starts from. The first listener
   * subscribes on the server; later ones share that subscription and get the store's current value. Updates
   * that race the first answer are held back and delivered, filtered by version, only after the code awaiting
   * this call has run, so `record = result.record` never overwrites a newer update.
   */
  subscribe(
    recordId: string,
    callback: RecordCallback,
    options: SubscribeRecordOptions = {},
  ): Promise<SubscribeRecordResult> {
    if (typeof callback !== "function") return Promise.reject(notAFunction("record", recordId));
    const mode = this.#mode(recordId, options.mode);
    if (mode instanceof MeshError) return Promise.reject(mode);
    const existing = this.stores.get(recordId);
    const store = existing ?? this.#open(recordId, mode);
    store.listen(callback, mode);
    const started = this.#started.get(store) as Promise<SubscribeRecordResult>;
    if (existing === undefined) return started;
    return started.then((result) => (result.success ? { success: true, ...store.current() } : result));
  }

  /**
   * Removes `callback`'s listener, or without one the whole subscription. When no listener is left, the
   * subscription ends at once locally and the server is told; resolves with whether the server had it (or, while
   * other listeners remain, whether `callback` was one).
   */
  unsubscribe(recordId: string, callback?: RecordCallback): Promise<boolean> {
    const parsed = unsubscribeRecordPayloadSchema.safeParse({ recordId });
    if (!parsed.success) return Promise.reject(invalidPayload(parsed.error.issues));
    return this.unsubscribeKey(recordId, parsed.data, callback && ((store) => store.removeListener(callback)));
  }

  /** The observable store of a record; observing it holds the subscription, in `mode` if it starts it. */
  store(recordId: string, mode: RecordMode | undefined): RecordStore {
    const checked = this.#mode(recordId, mode ?? "patch");
    if (checked instanceof MeshError) throw checked;
    const open = () => {
      const store = this.#open(recordId, checked);
      (this.#started.get(store) as Promise<SubscribeRecordResult>).catch(() => undefined);
      return store;
    };
    return { recordId, ...this.storeHandle(recordId, { recordId }, open) };
  }

  /** Writes a writable record and resolves with its new version. */
  async publish(
    recordId: string,
    value: unknown,
    options: PublishRecordUpdateOptions = {},
  ): Promise<PublishRecordUpdateResult> {
    if (value === undefined) {
      throw new MeshError("INVALID_PAYLOAD", `The value of record "${String(recordId)}" must be JSON, not undefined`);
    }
    const parsed = publishRecordUpdatePayloadSchema.safeParse(
      options.expectedVersion === undefined
        ? { recordId, value }
        : { recordId, value, expectedVersion: options.expectedVersion },
    );
    if (!parsed.success) throw invalidPayload(parsed.error.issues);
    const result = publishRecordUpdateResultSchema.safeParse(
      await this.hooks.request(RECORD_COMMANDS.publish, parsed.data),
    );
    if (!result.success) throw unreadable(RECORD_COMMANDS.publish, result.error.issues);
    return { version: result.data.version };
  }

  /**
   * Resubscribes a record on the new connection and delivers its current value to the listeners as `full`,
   * always (even when the version did not change: a record deleted and re-created while the client was away can
   * be back at the same version with another value).
   */
  protected async restoreOne(attempt: RecordAttempt, request: RestoreContext["request"]): Promise<void> {
    let answer: SubscribeRecordAnswer;
    try {
      answer = parseSubscribeAnswer(
        await request(RECORD_COMMANDS.subscribe, { recordId: attempt.key, mode: attempt.mode }),
      );
    } catch (thrown) {
      this.#failedRequest(attempt, thrown, "restore");
      return;
    }
    this.#answered(attempt, answer, "restore");
  }

  /** Validates a subscribe locally, as the server would; resolves the mode. */
  #mode(recordId: string, mode: RecordMode | undefined): RecordMode | MeshError {
    const parsed = subscribeRecordPayloadSchema.safeParse({ recordId, mode: mode ?? "full" });
    return parsed.success ? (parsed.data.mode ?? "full") : invalidPayload(parsed.error.issues);
  }

  /** Creates a record's store and sends the subscribe that starts it. */
  #open(recordId: string, mode: RecordMode): SharedRecord {
    const store = new SharedRecord(
      recordId,
      mode,
      (error, what) => this.#reportCallback(recordId, what, error),
      () => this.machine.resync(recordId),
    );
    this.stores.set(recordId, store);
    const attempt = this.machine.begin(recordId, store.deliver, mode, store.stateChanged);
    const started = this.queue.run(recordId, async (): Promise<SubscribeRecordResult> => {
      let answer: SubscribeRecordAnswer;
      try {
        answer = parseSubscribeAnswer(await this.hooks.request(RECORD_COMMANDS.subscribe, { recordId, mode }));
      } catch (thrown) {
        if (this.machine.fail(attempt)) this.endStore(recordId, toMeshError(thrown, "INTERNAL_ERROR"), store);
        throw thrown;
      }
      if (!answer.success) {
        const error = new MeshError("FORBIDDEN", answer.reason ?? `The server refused record "${recordId}"`);
        if (this.machine.fail(attempt)) this.endStore(recordId, error, store);
        const refused = { success: false, record: null, version: 0 };
        return answer.reason === undefined ? refused : { ...refused, reason: answer.reason };
      }
      if (this.machine.complete(attempt, answer, false)) {
        store.settle(answer);
        afterAwaiters(() => this.machine.activate(attempt));
      }
      return { success: true, record: answer.record, version: answer.version };
    });
    this.#started.set(store, started);
    return store;
  }

  #resync(attempt: RecordAttempt): void {
    void this.queue.run(attempt.key, async () => {
      // Unsubscribed, subscribed again or restored while waiting for its turn: nothing to resync any more.
      if (!this.machine.isActivating(attempt)) return;
      let answer: SubscribeRecordAnswer;
      try {
        const payload = { recordId: attempt.key, mode: attempt.mode };
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
      this.machine.complete(attempt, answer, true);
      return;
    }
    const store = this.stores.get(attempt.key);
    if (!this.machine.fail(attempt)) return;
    const why = answer.reason === undefined ? "" : `: ${answer.reason}`;
    const message = `The server refused to ${what} the subscription to record "${attempt.key}"${why}`;
    const error = new MeshError("FORBIDDEN", message, { details: { recordId: attempt.key, reason: answer.reason } });
    this.hooks.reportError(error);
    this.endStore(attempt.key, error, store);
  }

  /**
   * A resync or restoration got no answer. When the connection dropped, the subscription stays for the next
   * reconnect to restore with the current value. Otherwise the error is reported: a failed resync keeps the
   * subscription (the server still streams it; the next gap asks again), a failed restoration drops it, since the
   * server may not have it.
   */
  #failedRequest(attempt: RecordAttempt, thrown: unknown, what: "restore" | "resynchronise"): void {
    if (!this.machine.isActivating(attempt)) return;
    const thrownError = toMeshError(thrown, "INTERNAL_ERROR");
    const store = this.stores.get(attempt.key);
    const drop = thrownError.code !== "CONNECTION_CLOSED" && what === "restore";
    if (drop) this.machine.fail(attempt);
    else this.machine.abort(attempt);
    if (thrownError.code === "CONNECTION_CLOSED") return;
    const message = `Could not ${what} the subscription to record "${attempt.key}": ${thrownError.message}`;
    const error = new MeshError(thrownError.code, message, { cause: thrownError, details: { recordId: attempt.key } });
    this.hooks.reportError(error);
    if (drop) this.endStore(attempt.key, error, store);
  }

  #reportCallback(recordId: string, what: "callback" | "observer" | "onRecover", error: unknown): void {
    this.hooks.reportError(callbackError(what, `record "${recordId}"`, { recordId }, error));
  }
}
