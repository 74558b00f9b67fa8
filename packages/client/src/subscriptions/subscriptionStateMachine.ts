/**
 * `subscribing`: a subscribe request (the application's, or a restoring one after a reconnect) is out, or answered
 * and waiting to be activated; incoming messages are held back. `active`: they are delivered. `resyncing`: a
 * record in patch mode met a gap and asked for the current value again; messages are held back until it arrives.
 */
export type SubscriptionState = "subscribing" | "active" | "resyncing";

/** Receives every state change of a subscription, e.g. to update what a store's observers see. */
export type StateListener = (state: SubscriptionState) => void;

/** What the state machine keeps per subscribed key (a channel, a record); each kind adds its own fields. */
export interface SubscriptionEntry<TMessage> {
  readonly key: string;
  state: SubscriptionState;
  /**
   * Whether a subscribe was answered once. From then on the server streams every message of the key to this
   * client, so a restoration after a reconnect resubscribes it.
   */
  established: boolean;
  /** The request whose answer makes the subscription active; answers to other requests do not activate it. */
  activatingAttempt: number;
  /** Messages that arrived while not active, in arrival order. */
  readonly buffer: TMessage[];
  /** Told about every state change. */
  readonly onState: StateListener | undefined;
}

/** One subscribe request on its way; each kind adds what its request carries. */
export interface SubscriptionAttempt<TEntry> {
  readonly key: string;
  readonly id: number;
  readonly subscription: TEntry;
}

/**
 * What channel and record subscriptions of one client share, one subscription per key: the states, the request
 * whose answer activates, holding messages back while a request is out and flushing them after, restoring every
 * established subscription on a new connection, and dropping a subscription when its activating request fails.
 * It does no I/O. Each kind says how it delivers a message (deduplication, gap detection) through {@link apply},
 * and how it takes an answer.
 */
export abstract class SubscriptionStateMachine<
  TMessage,
  TEntry extends SubscriptionEntry<TMessage>,
  TAttempt extends SubscriptionAttempt<TEntry>,
> {
  protected readonly entries = new Map<string, TEntry>();
  #nextAttempt = 1;

  /** Number of subscribed keys. */
  get size(): number {
    return this.entries.size;
  }

  /** The state of a key's subscription, or `undefined` when not subscribed. */
  stateOf(key: string): SubscriptionState | undefined {
    return this.entries.get(key)?.state;
  }

  /** Whether the attempt's subscription is still its key's (not unsubscribed or cleared since). */
  isCurrent(attempt: TAttempt): boolean {
    return this.entries.get(attempt.key) === attempt.subscription;
  }

  /** Whether the attempt's answer is the one that activates its subscription. */
  isActivating(attempt: TAttempt): boolean {
    return this.isCurrent(attempt) && attempt.subscription.activatingAttempt === attempt.id;
  }

  /**
   * Starts the resubscription of every established subscription after a reconnect. Where an application's
   * subscribe already waits to be sent, that one stays the request that activates.
   */
  beginRestore(): TAttempt[] {
    return [...this.entries.values()]
      .filter((entry) => entry.established)
      .map((entry) => {
        const id = this.nextAttemptId();
        if (entry.state !== "subscribing") {
          this.restarted(entry);
          entry.activatingAttempt = id;
          this.setState(entry, "subscribing");
        }
        return this.restoreAttempt(entry, id);
      });
  }

  /**
   * Ends a request that failed or was refused. If it was the activating one, the key is unsubscribed and `true`
   * returned; an answer to a superseded request changes nothing.
   */
  fail(attempt: TAttempt): boolean {
    if (!this.isActivating(attempt)) return false;
    this.entries.delete(attempt.key);
    return true;
  }

  /** Unsubscribes locally: from now on the key's messages are ignored. Returns whether it was subscribed. */
  remove(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Drops every subscription. */
  clear(): void {
    this.entries.clear();
  }

  /** Routes a message: held back unless active, delivered when active, ignored when its key is not subscribed. */
  receive(message: TMessage): void {
    const entry = this.entries.get(this.keyOf(message));
    if (entry === undefined) return;
    if (entry.state === "active") this.apply(entry, message);
    else entry.buffer.push(message);
  }

  /** The key a message belongs to. */
  protected abstract keyOf(message: TMessage): string;

  /** Delivers one message to an active subscription, or holds it back as the kind's rules say. */
  protected abstract apply(entry: TEntry, message: TMessage): void;

  /** The restoring attempt of an established subscription. */
  protected abstract restoreAttempt(entry: TEntry, id: number): TAttempt;

  /** Called when a restoration takes an active subscription back to `subscribing`; records drop what they held. */
  protected restarted(_entry: TEntry): void {}

  /** A fresh attempt id; ids only go up, so a later request always tells apart from an earlier one. */
  protected nextAttemptId(): number {
    return this.#nextAttempt++;
  }

  /** Stores a new subscription. */
  protected add(entry: TEntry): void {
    this.entries.set(entry.key, entry);
  }

  /**
   * Starts an application's subscribe request on `key`: creates the subscription with `create(id)`, or lets
   * `update` give the existing one its new callback and options; either way the request with this id is the one
   * whose answer activates it, and updates are held back until then.
   */
  protected beginAttempt(
    key: string,
    create: (id: number) => TEntry,
    update: (entry: TEntry) => void,
  ): [number, TEntry] {
    const id = this.nextAttemptId();
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = create(id);
      this.add(entry);
    } else {
      update(entry);
      entry.activatingAttempt = id;
      this.setState(entry, "subscribing");
    }
    return [id, entry];
  }

  /** Whether `entry` is still its key's subscription. */
  protected holds(entry: TEntry): boolean {
    return this.entries.get(entry.key) === entry;
  }

  protected setState(entry: TEntry, state: SubscriptionState): void {
    if (entry.state === state) return;
    entry.state = state;
    entry.onState?.(state);
  }

  /** Delivers what was held back, in order, for as long as the subscription stays current and active. */
  protected flush(entry: TEntry): void {
    const { buffer } = entry;
    // A callback may unsubscribe or subscribe again, and a record gap starts a resync: what is left then is
    // dropped or stays held back.
    while (buffer.length > 0 && entry.state === "active" && this.holds(entry)) {
      this.apply(entry, buffer.shift() as TMessage);
    }
    if (!this.holds(entry)) buffer.length = 0;
  }
}
