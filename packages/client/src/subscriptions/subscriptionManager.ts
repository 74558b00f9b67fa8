import { MeshError, toMeshError } from "@meshwork/protocol";
import type { RestoreContext } from "../session";
import type { ExternalStore } from "../storeTypes";
import { KeyedQueue } from "./keyedQueue";

/** What a subscription manager (channels, records) needs from its client. */
export interface SubscriptionManagerHooks {
  /** Sends a command the way `command()` does, queued while the client reconnects. */
  readonly request: (command: string, payload: unknown) => Promise<unknown>;
  /** Whether the client is offline and not reconnecting, so nothing is subscribed on any server. */
  readonly isOffline: () => boolean;
  /** Receives errors nobody awaits: failed resyncs and restorations, and throwing callbacks. */
  readonly reportError: (error: MeshError) => void;
}

/** Sends an unsubscribe command unless the client is offline; resolves whether the server had the subscription. */
export async function requestUnsubscribe(
  hooks: SubscriptionManagerHooks,
  command: string,
  payload: unknown,
): Promise<boolean> {
  if (hooks.isOffline()) return false;
  const result = await hooks.request(command, payload);
  if (typeof result === "boolean") return result;
  throw new MeshError("BAD_MESSAGE", `The server answered "${command}" with a non-boolean`);
}

/** What a manager's state machine offers it; channels and records each have one. */
export interface SubscriptionRegistry<TMessage, TAttempt> {
  readonly size: number;
  remove(key: string): boolean;
  receive(message: TMessage): void;
  clear(): void;
  /** The subscriptions to restore on a new connection, each as a fresh attempt. */
  beginRestore(): TAttempt[];
}

/** What a manager needs of its stores (see {@link SharedSubscription}). */
export interface ManagedStore<TSnapshot> {
  readonly holders: number;
  addObserver(onChange: () => void): () => boolean;
  getSnapshot(): TSnapshot;
  end(error?: MeshError): void;
}

/**
 * What channel and record subscriptions of one client share: one store per key, shared by every listener and
 * observer of it (the first holder starts the network subscription, the last one to leave stops it); requests
 * per key run one after the other (an unsubscribe never overtakes the subscribe before it); unsubscribing drops
 * the local subscription at once; frames are routed to the state machine; and every subscription is restored,
 * one attempt each, on a new connection.
 */
export abstract class SubscriptionManager<TMessage, TAttempt, TStore extends ManagedStore<TSnapshot>, TSnapshot> {
  protected readonly queue = new KeyedQueue();
  protected readonly stores = new Map<string, TStore>();
  protected abstract readonly machine: SubscriptionRegistry<TMessage, TAttempt>;

  constructor(
    protected readonly hooks: SubscriptionManagerHooks,
    private readonly unsubscribeCommand: string,
    private readonly idleSnapshot: TSnapshot,
  ) {}

  /** Number of subscriptions. */
  get size(): number {
    return this.machine.size;
  }

  /** Routes a frame to its subscription. */
  receive(message: TMessage): void {
    this.machine.receive(message);
  }

  /** Drops every subscription, e.g. when the client closes; nothing is restored after that. */
  clear(): void {
    this.machine.clear();
    const stores = [...this.stores.values()];
    this.stores.clear();
    for (const store of stores) store.end();
  }

  /** Restorer: resubscribes everything on the new connection. Never rejects; failures go to `reportError`. */
  async restore({ request }: RestoreContext): Promise<void> {
    const attempts = this.machine.beginRestore();
    await Promise.all(attempts.map((attempt) => this.restoreOne(attempt, request)));
  }

  protected abstract restoreOne(attempt: TAttempt, request: RestoreContext["request"]): Promise<void>;

  /**
   * Removes a listener from `key`'s store, or with `listener` undefined the whole subscription. When the
   * subscription ends (no holder left, or all of it dropped), it is dropped locally at once and the server told
   * with `payload`; resolves with whether the server had it. Removing one listener of several resolves whether it
   * was one.
   */
  protected unsubscribeKey(key: string, payload: unknown, listener?: (store: TStore) => boolean): Promise<boolean> {
    if (listener !== undefined) {
      const store = this.stores.get(key);
      if (store === undefined || !listener(store)) return Promise.resolve(false);
      if (store.holders > 0) return Promise.resolve(true);
    }
    this.machine.remove(key);
    this.endStore(key);
    return this.queue.run(key, () => requestUnsubscribe(this.hooks, this.unsubscribeCommand, payload));
  }

  /** Ends `key`'s store (only `store`, when given), e.g. after the server refused it; observers see `error`. */
  protected endStore(key: string, error?: MeshError, only?: TStore): void {
    const store = this.stores.get(key);
    if (store === undefined || (only !== undefined && only !== store)) return;
    this.stores.delete(key);
    store.end(error);
  }

  /**
   * The observable surface of `key`'s store for `useSyncExternalStore`. Observing holds the subscription: `open`
   * creates and starts the store when nobody holds it yet; the last holder to leave unsubscribes with `payload`.
   */
  protected storeHandle(key: string, payload: unknown, open: () => TStore): ExternalStore<TSnapshot> {
    let observed: TStore | undefined;
    return {
      subscribe: (onChange) => {
        const store = this.stores.get(key) ?? open();
        observed = store;
        const stop = store.addObserver(onChange);
        return () => {
          if (!stop() || this.stores.get(key) !== store || store.holders > 0) return;
          this.unsubscribeKey(key, payload).catch((error: unknown) =>
            this.hooks.reportError(toMeshError(error, "INTERNAL_ERROR")),
          );
        };
      },
      getSnapshot: () => (this.stores.get(key) ?? observed)?.getSnapshot() ?? this.idleSnapshot,
    };
  }
}
