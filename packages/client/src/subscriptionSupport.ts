import { MeshError } from "@meshwork/protocol";

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
