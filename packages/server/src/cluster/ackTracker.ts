/**
 * Requests sent to another instance that wait for its acknowledgement, each with a deadline. A request
 * whose instance never answers (it died, or Redis dropped the message) settles as not acknowledged when
 * its deadline passes, so no caller waits forever and nothing accumulates.
 */
export class AckTracker {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (acked: boolean) => void; timer: ReturnType<typeof setTimeout> }
  >();

  constructor(private readonly timeoutMs: number) {}

  /** Reserves an id; the promise resolves true on {@link acknowledge}, false at the deadline or on {@link cancelAll}. */
  expect(): { id: number; acknowledged: Promise<boolean> } {
    const id = this.next++;
    const acknowledged = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(false);
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(id, { resolve, timer });
    });
    return { id, acknowledged };
  }

  /** Settles a request as acknowledged. Unknown or late ids are ignored. */
  acknowledge(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    entry.resolve(true);
  }

  /** Settles every pending request as not acknowledged (on shutdown). */
  cancelAll(): void {
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
      this.pending.delete(id);
    }
  }

  /** Requests still waiting: for leak tests. */
  get size(): number {
    return this.pending.size;
  }
}
