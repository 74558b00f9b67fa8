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
