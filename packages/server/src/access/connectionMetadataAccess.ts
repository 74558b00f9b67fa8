import type { Connection } from "../connections/connection";
import { passesGuard } from "./guards";

/**
 * Decides whether `connection` may read the metadata of another connection (`targetConnectionId`). Anything but
 * `true` denies; throwing denies too, and the error is reported.
 */
export type ConnectionMetadataGuard = (
  connection: Connection,
  targetConnectionId: string,
) => boolean | Promise<boolean>;

/**
 * Who may read which connection's metadata. A connection always reads its own; another connection's only through
 * the guard the server set with `exposeConnectionMetadata`, and never without one. Decided here, on the server,
 * for every read: a client is never sent metadata it may not see.
 */
export class ConnectionMetadataAccess {
  private guard: ConnectionMetadataGuard | undefined;

  constructor(private readonly reportError: (error: unknown) => void) {}

  /** Lets connections read other connections' metadata where `guard` allows; replaces an earlier guard. */
  expose(guard: ConnectionMetadataGuard): void {
    if (typeof guard !== "function") {
      throw new TypeError(
        "meshwork: exposeConnectionMetadata takes a guard (connection, targetConnectionId) => boolean",
      );
    }
    this.guard = guard;
  }

  /** Whether any connection may read another's metadata at all (a guard was set). */
  get exposed(): boolean {
    return this.guard !== undefined;
  }

  /** Whether `connection` may read the metadata of `targetConnectionId`. */
  canRead(connection: Connection, targetConnectionId: string): Promise<boolean> {
    if (targetConnectionId === connection.id) return Promise.resolve(true);
    const guard = this.guard;
    if (guard === undefined) return Promise.resolve(false);
    return passesGuard(
      () => guard(connection, targetConnectionId),
      this.reportError,
      `the metadata of connection "${targetConnectionId}"`,
    );
  }
}
