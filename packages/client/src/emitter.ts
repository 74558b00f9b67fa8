/** Removes the listener it was returned for. Calling it again does nothing. */
export type Unsubscribe = () => void;

/** Receives an error thrown by a listener, with the event it was listening to. */
export type ListenerErrorReporter = (error: unknown, event: string) => void;

interface Registration {
  // Stored untyped: each event has its own argument tuple, which the map's value type cannot express.
  readonly listener: unknown;
  readonly once: boolean;
}

/**
 * A small typed event emitter. `TEvents` maps each event name to the tuple of arguments its listeners get.
 * A throwing listener never stops the others or the emitter's owner: its error goes to the reporter.
 */
export class Emitter<TEvents extends { [K in keyof TEvents]: unknown[] }> {
  readonly #registrations = new Map<keyof TEvents, Set<Registration>>();
  readonly #reportError: ListenerErrorReporter;

  /** @param reportError called with whatever a listener throws. */
  constructor(reportError: ListenerErrorReporter) {
    this.#reportError = reportError;
  }

  /** Adds a listener; the returned function removes exactly this registration. */
  on<K extends keyof TEvents & string>(event: K, listener: (...args: TEvents[K]) => void): Unsubscribe {
    return this.#add(event, { listener, once: false });
  }

  /** Adds a listener that is removed before its first call. */
  once<K extends keyof TEvents & string>(event: K, listener: (...args: TEvents[K]) => void): Unsubscribe {
    return this.#add(event, { listener, once: true });
  }

  /** Calls the event's listeners in registration order. Listeners removed during the emit are skipped. */
  emit<K extends keyof TEvents & string>(event: K, ...args: TEvents[K]): void {
    const registrations = this.#registrations.get(event);
    if (registrations === undefined) return;
    for (const registration of [...registrations]) {
      if (!registrations.has(registration)) continue;
      if (registration.once) this.#remove(event, registration);
      try {
        (registration.listener as (...args: TEvents[K]) => void)(...args);
      } catch (error) {
        this.#reportError(error, event);
      }
    }
  }

  /** Number of listeners of an event. */
  listenerCount(event: keyof TEvents & string): number {
    return this.#registrations.get(event)?.size ?? 0;
  }

  /** Removes every listener of every event. */
  clear(): void {
    this.#registrations.clear();
  }

  #add(event: keyof TEvents, registration: Registration): Unsubscribe {
    let registrations = this.#registrations.get(event);
    if (registrations === undefined) {
      registrations = new Set();
      this.#registrations.set(event, registrations);
    }
    registrations.add(registration);
    return () => this.#remove(event, registration);
  }

  #remove(event: keyof TEvents, registration: Registration): void {
    const registrations = this.#registrations.get(event);
    if (registrations === undefined) return;
    registrations.delete(registration);
    // Dropping empty sets keeps a client that subscribes to many short-lived event names from growing forever.
    if (registrations.size === 0) this.#registrations.delete(event);
  }
}
