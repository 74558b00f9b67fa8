import { CLOSE_CODES } from "@meshwork/protocol";
import type { LocalConnections } from "../connections/localConnections";

/**
 * The newest position (record version, channel offset) this instance relayed per topic, to notice the shared state
 * going back in time. On a Redis Cluster, a failover promotes a replica that may not have received the master's last
 * writes (replication is asynchronous): versions or offsets that subscribers already hold are then granted again, to
 * other content, and a client would drop them as already seen or apply a patch to a value the store no longer has.
 * Positions only go up on the bus of one topic (each is published by the script that grants it, in order), so a
 * position at or below the last one of the same epoch can only mean that.
 */
export class RelayedPositions {
  private readonly last = new Map<string, { epoch: string; position: number }>();

  constructor(
    private readonly local: LocalConnections,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /**
   * Records a topic's position. Returns true, and reports it, when it is not past the last one of the same epoch:
   * the message must not be delivered, and the topic's subscribers here must be {@link reset}.
   */
  wentBack(kind: string, key: string, position: number, epoch = ""): boolean {
    const last = this.last.get(key);
    this.last.set(key, { epoch, position });
    if (last === undefined || last.epoch !== epoch || position > last.position) return false;
    this.reportError(
      new Error(
        `meshwork: ${kind} "${key}" went back from ${last.position} to ${position} (a failover lost writes); ` +
          "closing its subscribers here so they resubscribe",
      ),
    );
    return true;
  }

  /** Closes subscribers with `STATE_RESET`: they reconnect and subscribe again, taking what the store holds now. */
  reset(connectionIds: Iterable<string>): void {
    const { code, reason } = CLOSE_CODES.STATE_RESET;
    for (const id of [...connectionIds]) this.local.get(id)?.close(code, reason);
  }

  /** Forgets a topic: it was deleted (its positions start again) or this instance stopped listening to it. */
  forget(key: string): void {
    this.last.delete(key);
  }
}
