import { MAX_NAME_LENGTH, RESERVED_PREFIX, isClientLifecycleEvent, isReservedName } from "@meshwork/protocol";

function checkLength(kind: string, name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new TypeError(`meshwork: a ${kind} name must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
}

/**
 * Throws a `TypeError` unless `name` may be pushed to clients: a push under a client lifecycle event name
 * (`connect`, `latency`, …) would be mistaken for a status change, and `mesh/` names belong to meshwork.
 */
export function assertPushName(name: string): void {
  checkLength("push", name);
  if (isReservedName(name)) {
    throw new TypeError(`meshwork: cannot push "${name}": names starting with "${RESERVED_PREFIX}" are reserved`);
  }
  if (isClientLifecycleEvent(name)) {
    throw new TypeError(`meshwork: cannot push "${name}": it is a client lifecycle event name`);
  }
}

/** Throws a `TypeError` unless `name` may be registered as an application command. */
export function assertCommandName(name: string): void {
  checkLength("command", name);
  if (isReservedName(name)) {
    throw new TypeError(
      `meshwork: cannot register "${name}": command names starting with "${RESERVED_PREFIX}" are reserved`,
    );
  }
}
