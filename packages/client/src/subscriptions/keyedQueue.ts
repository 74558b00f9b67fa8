/**
 * Runs operations one after another per key (a channel, a record), so an unsubscribe can never overtake the
 * subscribe issued before it, even on a server that handles commands concurrently.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `operation` after every operation queued earlier for `key`; settles as it does. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(operation);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return run;
  }
}
