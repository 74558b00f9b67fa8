import { encodeServerMessage } from "@meshwork/protocol";
import { type ConnectionRef, connectionIdOf } from "./connection";
import type { ConnectionRegistry } from "./connectionRegistry";
import { assertPushName } from "./names";

/**
 * Pushes messages to connections. Each push is encoded once, into one buffer every socket sends, however many
 * connections it reaches.
 *
 * Today every target is looked up among this instance's connections; targets elsewhere are not reached. This
 * module is the one place that decides where a push goes, so cross-instance routing (one publish per
 * broadcast on the bus, each instance delivering to its own sockets) plugs in here without touching callers.
 */
export class Delivery {
  constructor(private readonly registry: ConnectionRegistry) {}

  /** Pushes to one connection by id. Resolves `true` when it was handed to an open connection. */
  sendTo(connectionId: string, command: string, payload: unknown): Promise<boolean> {
    assertPushName(command);
    const frame = encodeServerMessage({ type: "push", command, payload });
    const connection = this.registry.get(connectionId);
    return Promise.resolve(connection ? connection.sendFrame(frame) : false);
  }

  /** Pushes to every connection, or to the listed ones (each once, even when listed twice). */
  broadcast(command: string, payload: unknown, connections?: Iterable<ConnectionRef>): Promise<void> {
    const frame = this.encode(command, payload);
    if (connections === undefined) {
      for (const connection of this.registry.values()) connection.sendFrame(frame);
      return Promise.resolve();
    }
    const seen = new Set<string>();
    for (const ref of connections) {
      const id = connectionIdOf(ref);
      if (seen.has(id)) continue;
      seen.add(id);
      this.registry.get(id)?.sendFrame(frame);
    }
    return Promise.resolve();
  }

  /** Pushes to every connection except the excluded ones. */
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void> {
    const frame = this.encode(command, payload);
    const refs: Iterable<ConnectionRef> = typeof exclude === "string" || !(Symbol.iterator in exclude) ? [exclude] : exclude;
    const excluded = new Set<string>();
    for (const ref of refs) excluded.add(connectionIdOf(ref));
    for (const connection of this.registry.values()) {
      if (!excluded.has(connection.id)) connection.sendFrame(frame);
    }
    return Promise.resolve();
  }

  private encode(command: string, payload: unknown): Buffer {
    assertPushName(command);
    return Buffer.from(encodeServerMessage({ type: "push", command, payload }));
  }
}
