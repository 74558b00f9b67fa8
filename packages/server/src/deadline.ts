/**
 * Waits for `work`, but no longer than `ms`: resolves true when it settled in time, false at the deadline;
 * rejects when `work` rejects first. Shutdown uses it so an unreachable Redis cannot hold `close()` hostage.
 */
export function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
