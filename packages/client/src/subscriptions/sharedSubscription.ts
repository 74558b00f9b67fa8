import type { MeshError } from "@meshwork/protocol";

/**
 * One network subscription shared by any number of holders: listeners (a callback each, with its own options)
 * and observers (told when the snapshot changes). Ref-counted, after TanStack Query's `Subscribable`: the
 * manager starts the network subscription when the first holder arrives and stops it when the last one leaves.
 * A callback is held once however often it is added, so adding it again never doubles its deliveries.
 */
export abstract class SharedSubscription<TCallback, TListenerOptions, TSnapshot> {
  protected readonly listeners = new Map<TCallback, TListenerOptions>();
  readonly #observers = new Set<{ readonly onChange: () => void }>();
  #ended = false;

  /**
   * @param key the channel or record id.
   * @param reportError receives what an observer throws; the others are still told.
   */
  constructor(
    readonly key: string,
    protected readonly reportError: (error: unknown, what: "callback" | "observer" | "onRecover") => void,
  ) {}

  /** Listeners and observers together; the network subscription lives while this is above zero. */
  get holders(): number {
    return this.listeners.size + this.#observers.size;
  }

  /** Whether the subscription ended (unsubscribed, refused, failed, or the client closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds a listener, or gives an existing one new options. */
  addListener(callback: TCallback, options: TListenerOptions): void {
    this.listeners.set(callback, options);
  }

  /** Removes a listener; returns whether it was one. */
  removeListener(callback: TCallback): boolean {
    return this.listeners.delete(callback);
  }

  /** Adds an observer; the returned function removes this registration (and returns whether it was still there). */
  addObserver(onChange: () => void): () => boolean {
    const observer = { onChange };
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** What observers see now; the same object until something they can see changes. */
  abstract getSnapshot(): TSnapshot;

  /**
   * Ends the subscription: no listener is called again, and observers see the final snapshot (`idle`, or `error`
   * with `error`) once more before they are dropped.
   */
  end(error?: MeshError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.listeners.clear();
    this.onEnd(error);
    this.changed();
    this.#observers.clear();
  }

  /** Lets the subclass record the final status before observers are told. */
  protected abstract onEnd(error: MeshError | undefined): void;

  /** The listeners and their options at this moment, so one that leaves or joins during a delivery is safe. */
  protected currentListeners(): [TCallback, TListenerOptions][] {
    return [...this.listeners];
  }

  /** Tells every observer that the snapshot changed. */
  protected changed(): void {
    for (const observer of [...this.#observers]) {
      try {
        observer.onChange();
      } catch (error) {
        this.reportError(error, "observer");
      }
    }
  }
}
