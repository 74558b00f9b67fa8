import { MeshError } from "@meshwork/protocol";
import type { RestoreContext } from "./session";

/** What a subscription manager (channels, records) needs from its client. */
export interface SubscriptionManagerHooks {
  /** Sends a command the way `command()` does, queued while the client reconnects. */
  readonly request: (command: string, payload: unknown) => Promise<unknown>;
  /** Whether the client is offline and not reconnecting, so nothing is subscribed on any server. */
  readonly isOffline: () => boolean;
  /** Receives errors nobody awaits: failed resyncs and restorations, and throwing callbacks. */
  readonly reportError: (error: MeshError) => void;
}

/** Validation issues as zod reports them. */
export type Issues = readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];

/** The error for a payload that fails local validation, worded like the server's. */
export function invalidPayload(issues: Issues): MeshError {
  const listed = issues.map((issue) => `${issue.path.map(String).join(".") || "payload"}: ${issue.message}`);
  return new MeshError("INVALID_PAYLOAD", `Invalid payload: ${listed.join("; ")}`, { details: issues });
}

/** The error for a server answer that does not have the shape its command promises. */
export function unreadable(command: string, issues: unknown): MeshError {
  return new MeshError("BAD_MESSAGE", `The server answered "${command}" with an unreadable result`, {
    details: issues,
  });
}

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

/** What a manager's local registry of subscriptions offers; channels and records each have one. */
export interface SubscriptionRegistry<TMessage, TAttempt> {
  readonly size: number;
  remove(key: string): void;
  receive(message: TMessage): void;
  clear(): void;
  /** The subscriptions to restore on a new connection, each as a fresh attempt. */
  beginRestore(): TAttempt[];
}

/** The error for an application callback (or hook) that threw, reported instead of breaking delivery. */
export function callbackError(what: string, key: string, details: Record<string, string>, error: unknown): MeshError {
  const message = error instanceof Error ? error.message : String(error);
  return new MeshError("INTERNAL_ERROR", `The ${what} of ${key} threw: ${message}`, { cause: error, details });
}

/**
 * What channel and record subscriptions of one client share: requests per key run one after the other (an
 * unsubscribe never overtakes the subscribe before it), unsubscribing drops the local subscription at once, frames
 * are routed to the registry, and every subscription is restored, one attempt each, on a new connection.
 */
export abstract class SubscriptionManager<TMessage, TAttempt> {
  protected readonly queue = new KeyedQueue();
  protected abstract readonly subscriptions: SubscriptionRegistry<TMessage, TAttempt>;

  constructor(
    protected readonly hooks: SubscriptionManagerHooks,
    private readonly unsubscribeCommand: string,
  ) {}

  /** Number of subscriptions. */
  get size(): number {
    return this.subscriptions.size;
  }

  /** Routes a frame to its subscription. */
  receive(message: TMessage): void {
    this.subscriptions.receive(message);
  }

  /** Drops every subscription, e.g. when the client closes; nothing is restored after that. */
  clear(): void {
    this.subscriptions.clear();
  }

  /** Restorer: resubscribes everything on the new connection. Never rejects; failures go to `reportError`. */
  async restore({ request }: RestoreContext): Promise<void> {
    const attempts = this.subscriptions.beginRestore();
    await Promise.all(attempts.map((attempt) => this.restoreOne(attempt, request)));
  }

  protected abstract restoreOne(attempt: TAttempt, request: RestoreContext["request"]): Promise<void>;

  /**
   * Unsubscribes `key` at once locally, then tells the server with the validated `payload`; resolves with whether
   * the server had the subscription.
   */
  protected unsubscribeKey(key: string, payload: unknown): Promise<boolean> {
    this.subscriptions.remove(key);
    return this.queue.run(key, () => requestUnsubscribe(this.hooks, this.unsubscribeCommand, payload));
  }
}
