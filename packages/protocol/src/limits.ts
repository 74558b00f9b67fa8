/** Longest command or event name accepted on the wire. */
export const MAX_NAME_LENGTH = 256;

/** Prefix of names reserved for meshwork's built-in commands and events. */
export const RESERVED_PREFIX = "mesh/";

/** Tells whether a command or event name is reserved for meshwork itself. */
export function isReservedName(name: string): boolean {
  return name.startsWith(RESERVED_PREFIX);
}

/**
 * Event names the client uses for its own lifecycle. The server refuses to push messages under these
 * names, so a broadcast can never be mistaken for a status change.
 */
export const CLIENT_LIFECYCLE_EVENTS = [
  "connect",
  "disconnect",
  "reconnect",
  "reconnectfailed",
  "status",
  "latency",
  "ping",
  "close",
  "error",
] as const;

export type ClientLifecycleEvent = (typeof CLIENT_LIFECYCLE_EVENTS)[number];

const lifecycleEvents: ReadonlySet<string> = new Set(CLIENT_LIFECYCLE_EVENTS);

/** Tells whether a name is one of the client's lifecycle events. */
export function isClientLifecycleEvent(name: string): name is ClientLifecycleEvent {
  return lifecycleEvents.has(name);
}
