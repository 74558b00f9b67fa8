/**
 * Counts checks that passed without a server `ping`. The owner calls {@link PingWatchdog.check} on a timer and
 * {@link PingWatchdog.notePing} on every ping; the watchdog itself holds no timer, so it is pure and testable.
 */
export class PingWatchdog {
  #missed = 0;
  #pingSinceLastCheck = false;

  /** @param maxMissed checks in a row that may pass without a ping before the connection counts as dead. */
  constructor(readonly maxMissed: number) {}

  /** Checks in a row that passed without a ping. */
  get missed(): number {
    return this.#missed;
  }

  /** Records a ping from the server: the connection is alive. */
  notePing(): void {
    this.#missed = 0;
    this.#pingSinceLastCheck = true;
  }

  /** Runs one periodic check. Returns `true` once more than `maxMissed` checks in a row saw no ping. */
  check(): boolean {
    if (this.#pingSinceLastCheck) {
      this.#pingSinceLastCheck = false;
      return false;
    }
    this.#missed += 1;
    return this.#missed > this.maxMissed;
  }
}

/**
 * Period of the client's ping checks, or `undefined` when checks are off. A check period shorter than the
 * server's ping interval would count a healthy connection as dead, so the longer of the two wins; a server that
 * announces `pingInterval: 0` sends no pings, and `pingTimeout: 0` or `Infinity` turns checks off on purpose.
 */
export function pingCheckInterval(pingTimeout: number, serverPingInterval: number): number | undefined {
  if (serverPingInterval <= 0 || pingTimeout <= 0 || !Number.isFinite(pingTimeout)) return undefined;
  return Math.max(pingTimeout, serverPingInterval);
}
