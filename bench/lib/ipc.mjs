// Child side of the IPC used by children.mjs: `{ seq, method, params }` in, `{ seq, ok, value | error }` out.
// A child never outlives its parent (it exits when the IPC channel closes) nor its time budget.

/**
 * Serves `handlers[method](params)` to the parent.
 * @param {Record<string, (params: any) => unknown>} handlers `shutdown` may be given to clean up first
 */
export function serveIpc(handlers) {
  if (!process.send) throw new Error("this module runs as a child process started by bench/run.mjs");
  const maxLifetimeMs = Number(process.env.BENCH_CHILD_MAX_MS) || 10 * 60_000;
  const exit = (code, why) => {
    process.stderr.write(`${why}\n`);
    process.exit(code);
  };
  setTimeout(() => exit(3, `child exceeded its ${maxLifetimeMs} ms budget, exiting`), maxLifetimeMs).unref();
  process.on("disconnect", () => process.exit(0));
  process.on("uncaughtException", (err) => exit(1, `uncaught exception: ${err?.stack ?? err}`));
  process.on("unhandledRejection", (err) => exit(1, `unhandled rejection: ${err?.stack ?? err}`));
  process.on("message", async ({ seq, method, params } = {}) => {
    if (method === "shutdown") {
      await Promise.resolve(handlers.shutdown?.(params)).catch((err) => process.stderr.write(`shutdown: ${err?.stack ?? err}\n`));
      // Reply, then exit normally so --cpu-prof and similar flags can write their files.
      process.send({ seq, ok: true }, () => process.exit(0));
      return;
    }
    try {
      if (!handlers[method]) throw new Error(`unknown method ${method}`);
      process.send({ seq, ok: true, value: await handlers[method](params) });
    } catch (err) {
      process.send({ seq, ok: false, error: err?.message ?? String(err) });
    }
  });
}

/** Rejects after `ms` with `what timed out`; clears its timer when `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
