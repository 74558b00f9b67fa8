import { MeshError } from "@meshwork/protocol";

const noop = (): void => {};

/**
 * `maxSubscriptionsPerConnection`: how many channels, records, rooms and presence watches each local connection
 * holds, all kinds together, and the check a client's subscribe or join passes before it adds one.
 *
 * The holders (every `TopicSubscriptions`) report each membership they gain or lose, so the count follows every
 * way one ends: an unsubscribe, a server-side `removeFromRoom` or `clearRoom`, a close. A subscribe still being
 * answered holds a reservation, so concurrent subscribes cannot overshoot the cap together. Rooms the server adds
 * count but are never refused: the cap bounds what a client can make the server hold.
 */
export class SubscriptionCap {
  private readonly held = new Map<string, number>();
  private readonly reserved = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A holder gained a membership for `connectionId`. */
  added(connectionId: string): void {
    this.held.set(connectionId, (this.held.get(connectionId) ?? 0) + 1);
  }

  /** A holder lost a membership of `connectionId`. */
  removed(connectionId: string): void {
    const count = (this.held.get(connectionId) ?? 0) - 1;
    if (count > 0) this.held.set(connectionId, count);
    else this.held.delete(connectionId);
  }

  /** Subscriptions `connectionId` holds, all kinds together. */
  countOf(connectionId: string): number {
    return this.held.get(connectionId) ?? 0;
  }

  /**
   * Checks that `connectionId` may add one more subscription; call it right before an add that takes effect at
   * once (in the same tick). Passes when the connection already holds that subscription (`alreadyHeld`).
   * @throws MeshError `SUBSCRIPTION_LIMIT` when the connection holds (or is being given) `max` already
   */
  check(connectionId: string, alreadyHeld: boolean): void {
    if (alreadyHeld) return;
    if (this.countOf(connectionId) + (this.reserved.get(connectionId) ?? 0) >= this.max) throw this.limitError();
  }

  /**
   * Reserves a slot for a subscribe or join of `connectionId` whose add takes a while (a room join writes the shared
   * state first); call the returned function once it has been added (or has failed). Nothing is reserved when the connection already holds that subscription (`alreadyHeld`).
   * @throws MeshError `SUBSCRIPTION_LIMIT` when the connection holds (or is being given) `max` already
   */
  reserve(connectionId: string, alreadyHeld: boolean): () => void {
    if (alreadyHeld) return noop;
    const pending = this.reserved.get(connectionId) ?? 0;
    if (this.countOf(connectionId) + pending >= this.max) throw this.limitError();
    this.reserved.set(connectionId, pending + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.reserved.get(connectionId) ?? 1) - 1;
      if (left > 0) this.reserved.set(connectionId, left);
      else this.reserved.delete(connectionId);
    };
  }

  private limitError(): MeshError {
    return new MeshError(
      "SUBSCRIPTION_LIMIT",
      `This connection already holds ${this.max} subscriptions (channels, records, rooms and presence together); ` +
        "unsubscribe from one first",
      { details: { limit: this.max } },
    );
  }
}
