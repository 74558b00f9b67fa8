import type { MeshError, RecordMode } from "@meshwork/protocol";
import { applyPatch } from "../applyPatch";
import type { RecordStoreSnapshot, StoreStatus } from "../storeTypes";
import { SharedSubscription } from "../subscriptions/sharedSubscription";
import type { SubscriptionState } from "../subscriptions/subscriptionStateMachine";
import type { RecordCallback, RecordUpdate } from "../types";
import type { RecordSubscribeAnswer } from "./recordStateMachine";

/** A copy of a JSON value (records are JSON), so a value the store patches is never one a listener holds. */
function copy<T>(value: T): T {
  return value === undefined || value === null ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The shared subscription to one record. One network subscription serves listeners of both modes, in the mode
 * of the holder that started it:
 * - in `full` mode every update carries the whole value; patch-mode listeners get it as `full` too, which patch
 *   mode always allows (it already brings `full` on creation, after a resync and after a reconnect);
 * - in `patch` mode the store keeps its own copy of the value and applies each patch to it; full-mode listeners
 *   get that value as `full`, each its own copy.
 * Either way the store keeps the current value for its observers ({@link getSnapshot}), and every listener gets
 * every version once, in order. A patch the store cannot apply makes it ask for the current value (a resync).
 */
export class SharedRecord extends SharedSubscription<RecordCallback, RecordMode, RecordStoreSnapshot> {
  #value: unknown = null;
  #version = 0;
  #status: StoreStatus = "subscribing";
  #error: MeshError | undefined;
  #snapshot: RecordStoreSnapshot | undefined;

  /**
   * @param mode the network subscription's mode.
   * @param resync asks the state machine for the current value again.
   */
  constructor(
    recordId: string,
    readonly mode: RecordMode,
    reportError: (error: unknown, what: "callback" | "observer" | "onRecover") => void,
    private readonly resync: () => void,
  ) {
    super(recordId, reportError);
  }

  /** Adds a listener, or gives one already there a new mode. */
  listen(callback: RecordCallback, mode: RecordMode): void {
    this.addListener(callback, mode);
  }

  /** Takes the value of the subscribe answer that started the store. */
  settle(answer: RecordSubscribeAnswer): void {
    this.#set(answer.record, answer.version);
  }

  /** The current value and version for a listener that joins: a copy, which it may change as it likes. */
  current(): RecordSubscribeAnswer {
    return { record: copy(this.#value), version: this.#version };
  }

  getSnapshot(): RecordStoreSnapshot {
    if (this.#snapshot === undefined) {
      // Patch mode changes its own value in place: observers get a copy that stays as it was.
      const data = this.mode === "patch" ? copy(this.#value) : this.#value;
      this.#snapshot = { data, version: this.#version, status: this.#status, error: this.#error };
    }
    return this.#snapshot;
  }

  /** Follows the network subscription's state. */
  readonly stateChanged = (state: SubscriptionState): void => {
    if (this.#status === state) return;
    this.#status = state;
    this.#changed();
  };

  /** Takes one update and hands it to every listener in the form its mode wants; called once per version. */
  readonly deliver = (update: RecordUpdate): void => {
    if (update.deleted) this.#set(null, 0);
    else if (update.patch === undefined) this.#set(update.full, update.version);
    else {
      try {
        applyPatch(this.#value, update.patch);
      } catch {
        // The value it keeps no longer matches the server's: fetch the current one, delivered as `full`.
        this.resync();
        return;
      }
      this.#version = update.version;
      this.#changed();
    }
    for (const [callback, mode] of this.currentListeners()) {
      if (this.listeners.get(callback) !== mode) continue;
      const derived = update.patch !== undefined && mode === "full";
      try {
        callback(derived ? { recordId: update.recordId, version: update.version, full: copy(this.#value) } : update);
      } catch (error) {
        this.reportError(error, "callback");
      }
    }
  };

  protected onEnd(error: MeshError | undefined): void {
    this.#status = error === undefined ? "idle" : "error";
    this.#error = error;
    this.#snapshot = undefined;
  }

  #set(value: unknown, version: number): void {
    // In patch mode the store patches its value in place, so it keeps a copy no listener holds.
    this.#value = this.mode === "patch" ? copy(value) : value;
    this.#version = version;
    this.#changed();
  }

  #changed(): void {
    this.#snapshot = undefined;
    this.changed();
  }
}
