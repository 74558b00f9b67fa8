import { randomUUID } from "node:crypto";

/** A fresh, globally unique id for a server instance. */
export function createInstanceId(): string {
  return randomUUID();
}
