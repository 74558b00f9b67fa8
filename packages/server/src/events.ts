import type { ReapedConnection } from "@meshwork/redis-state";
import type { Connection, DisconnectInfo } from "./connections/connection";

export type { DisconnectInfo } from "./connections/connection";

/** What {@link MeshServerEventMap.instancedown} reports. */
export interface InstanceDownInfo {
  readonly instanceId: string;
  readonly connections: readonly ReapedConnection[];
}

/** Events of {@link MeshServer}, with the arguments their listeners receive. */
export interface MeshServerEventMap {
  /** A connection is registered and has its `hello`; it may send and receive from now on. */
  connected: [connection: Connection];
  /** A connection that had been `connected` is gone, locally and from shared state. Fires once per connection. */
  disconnected: [connection: Connection, info: DisconnectInfo];
  /**
   * Another instance stopped heartbeating and this instance, the one survivor that removed its state, reports
   * what went: each of its connections with the rooms it was in. Fires once per dead instance, cluster-wide.
   */
  instancedown: [info: InstanceDownInfo];
  /** An internal failure (state store, listener, auth hook). Without a listener it goes to the logger. */
  error: [error: Error];
}

/** A listener of one of the server's events. */
export type ServerEventListener<E extends keyof MeshServerEventMap> = (...args: MeshServerEventMap[E]) => unknown;

/** Adds a listener of one event and returns a function that removes it: `onConnection` and `onDisconnection`. */
export type ServerEventAlias<E extends keyof MeshServerEventMap> = (listener: ServerEventListener<E>) => () => void;

/** What {@link serverEventAlias} calls: the server's own `on`. */
interface ServerEventSource {
  on<E extends keyof MeshServerEventMap>(event: E, listener: ServerEventListener<E>): () => void;
}

/**
 * `server.on(event, listener)` under a name of its own, for the original Mesh's `onConnection(cb)` and
 * `onDisconnection(cb)`. The original returned the server for chaining; this returns the unsubscribe function,
 * as every `on` in meshwork does.
 */
export function serverEventAlias<E extends keyof MeshServerEventMap>(event: E): ServerEventAlias<E> {
  return function (this: ServerEventSource, listener: ServerEventListener<E>): () => void {
    return this.on(event, listener);
  };
}

type Listener<Args extends unknown[]> = (...args: Args) => unknown;

/**
 * A small typed event emitter. Unlike Node's `EventEmitter` it never throws from `emit`: a listener that throws
 * or returns a rejected promise is reported to `onListenerError`, so user code in a listener cannot break
 * the server's own bookkeeping, and an `error` without listeners cannot crash the process.
 */
export class TypedEvents<Events extends { [K in keyof Events]: unknown[] }> {
  // Copy-on-write arrays: emit iterates a snapshot, so listeners may subscribe or unsubscribe while it runs.
  private readonly listeners = new Map<keyof Events, ReadonlyArray<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof Events) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const current = this.listeners.get(event) ?? [];
    this.listeners.set(event, [...current, listener as Listener<never>]);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs at most once; returns a function that removes it. */
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const off = this.on(event, ((...args: Events[E]) => {
      off();
      return listener(...args);
    }) as Listener<Events[E]>);
    return off;
  }

  /** Removes a listener added with {@link on} (the first registration of it, if added twice). */
  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    const current = this.listeners.get(event);
    if (!current) return;
    const index = current.indexOf(listener as Listener<never>);
    if (index === -1) return;
    const next = current.filter((_, i) => i !== index);
    if (next.length === 0) this.listeners.delete(event);
    else this.listeners.set(event, next);
  }

  /** How many listeners an event has. */
  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event`; never throws. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const current = this.listeners.get(event) as ReadonlyArray<Listener<Events[E]>> | undefined;
    if (!current) return;
    for (const listener of current) {
      try {
        const result = listener(...args);
        if (result instanceof Promise) result.catch((error: unknown) => this.onListenerError(error, event));
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A server's events, and how it reports an internal failure. */
export interface ServerEvents {
  readonly events: TypedEvents<MeshServerEventMap>;
  /** Emits `error`, or logs when nobody listens. */
  readonly reportError: (error: unknown) => void;
}

/** Creates a server's events; a listener that throws is reported like any internal failure. */
export function createServerEvents(logger: { error(message: string, ...args: unknown[]): void }): ServerEvents {
  const events: TypedEvents<MeshServerEventMap> = new TypedEvents<MeshServerEventMap>((error, event) => {
    if (event === "error") logger.error("meshwork: an error listener threw", error);
    else reportError(error);
  });
  const reportError = (error: unknown): void => {
    if (events.listenerCount("error") > 0) events.emit("error", toError(error));
    else logger.error("meshwork:", error);
  };
  return { events, reportError };
}
