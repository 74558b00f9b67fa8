import type { ClientStatus } from "./types";

/**
 * The client's status strings under the names the original Mesh's `Status` had, so ported code such as
 * `client.status === Status.ONLINE` keeps working. Each value is the string `client.status` holds
 * (`Status.ONLINE === "online"`); the object is frozen.
 */
export const Status = Object.freeze({
  CONNECTING: "connecting",
  ONLINE: "online",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
} as const satisfies { readonly [S in ClientStatus as Uppercase<S>]: S });

/** One of the {@link Status} values: the same union as `ClientStatus`, usable as a type the way an enum is. */
export type Status = (typeof Status)[keyof typeof Status];
