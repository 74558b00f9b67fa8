// The child's side of lib/children.mjs: `{ seq, method, params }` in, `{ seq, ok, value | error }` out. A child
// never outlives its parent (it exits when the IPC channel closes) nor its time budget.

/** Serves `handlers[method](params)` to the parent; `shutdown` may clean up before the child exits. */
export function serveIpc(handlers) {
  // An uncaught exception or unhandled rejection ends the child (Node's default), with its stack on stderr.
  const maxLifetimeMs = Number(process.env.BENCH_CHILD_MAX_MS) || 10 * 60_000;
  const overtime = () => {
    process.stderr.write(`child exceeded its ${maxLifetimeMs} ms budget, exiting\n`);
    process.exit(3);
  };
  setTimeout(overtime, maxLifetimeMs).unref();
  process.on("disconnect", () => process.exit(0));
  process.on("message", async ({ seq, method, params }) => {
    if (method === "shutdown") {
      const report = (err) => process.stderr.write(`shutdown: ${err?.stack ?? err}\n`);
      await Promise.resolve(handlers.shutdown?.()).catch(report);
      // Reply, then exit normally so --cpu-prof and similar flags can write their files.
      process.send({ seq, ok: true }, () => process.exit(0));
      return;
    }
    try {
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
