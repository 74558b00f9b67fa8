import { type MeshError, toMeshError } from "@meshwork/protocol";
import type { Unsubscribe } from "./emitter";
import type { CommandOptions } from "./types";

/** What a restorer may use while the client is restoring: requests that go out at once, ahead of the queue. */
export interface RestoreContext {
  /** Sends a command on the new connection immediately; rejects with `CONNECTION_CLOSED` if it drops. */
  request(command: string, payload?: unknown, options?: CommandOptions | number): Promise<unknown>;
}

/** Restores one kind of subscription after a reconnect, e.g. channels, records or rooms. */
export type Restorer = (context: RestoreContext) => Promise<void> | void;

/**
 * Internal per-client hooks for features that must survive a reconnect. Restorers run after the new
 * connection's hello and before the client reports `online` and `reconnect`; queued commands go out after them.
 * Not part of the public API: features inside this package reach it through {@link sessionOf}.
 */
export class ClientSession {
  readonly #restorers = new Set<{ readonly restore: Restorer }>();
  readonly #context: RestoreContext;
  readonly #reportError: (error: MeshError) => void;

  /**
   * @param request sends a command at once on the established connection.
   * @param reportError receives what a restorer throws; a failing restorer does not hold back the others.
   */
  constructor(request: RestoreContext["request"], reportError: (error: MeshError) => void) {
    this.#context = { request };
    this.#reportError = reportError;
  }

  /** Adds a restorer; the returned function removes it. */
  registerRestorer(restore: Restorer): Unsubscribe {
    const registration = { restore };
    this.#restorers.add(registration);
    return () => {
      this.#restorers.delete(registration);
    };
  }

  /** Runs every restorer concurrently and resolves when all have settled. Never rejects. */
  async restore(): Promise<void> {
    const runs = [...this.#restorers].map(async ({ restore }) => restore(this.#context));
    for (const outcome of await Promise.allSettled(runs)) {
      if (outcome.status === "rejected") this.#reportError(toMeshError(outcome.reason, "INTERNAL_ERROR"));
    }
  }
}

const sessions = new WeakMap<object, ClientSession>();

/** Links a client to its session. */
export function attachSession(client: object, session: ClientSession): void {
  sessions.set(client, session);
}

/** The session of a client. @throws Error when the object is not a MeshClient. */
export function sessionOf(client: object): ClientSession {
  const session = sessions.get(client);
  if (session === undefined) throw new Error("Not a MeshClient: it has no session");
  return session;
}
