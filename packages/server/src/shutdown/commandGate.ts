import { withDeadline } from "../deadline";

/**
 * Lets commands in while the server runs and keeps count of those still running, so shutdown can stop taking
 * new ones and wait for the rest to answer. Only commands that return a promise are counted: a synchronous
 * command has answered by the time `execute` returns.
 */
export class CommandGate {
  private running = 0;
  private draining = false;
  private idle: (() => void) | null = null;

  /** Whether new commands are still taken. */
  get open(): boolean {
    return !this.draining;
  }

  /** Commands started and not yet answered. */
  get inFlight(): number {
    return this.running;
  }

  /** Counts a command whose answer is still to come; call {@link finished} once it has been written. */
  started(): void {
    this.running++;
  }

  /** A counted command has answered (or failed). */
  finished(): void {
    this.running--;
    if (this.running === 0 && this.idle) {
      this.idle();
      this.idle = null;
    }
  }

  /**
   * Takes no more commands, then waits until every running one has answered, but no longer than `ms`.
   * Resolves whether they all finished in time.
   */
  async drain(ms: number): Promise<boolean> {
    this.draining = true;
    if (this.running === 0) return true;
    const settled = new Promise<void>((resolve) => {
      this.idle = resolve;
    });
    return withDeadline(settled, ms);
  }
}
