import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Vitest runs test files in workers started without --expose-gc. V8 reads the flag when a context is created,
// so turning it on at run time and creating a fresh context yields a working `gc` without touching the runner.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** `heapUsed` in bytes after full garbage collections, so what is measured is what is still referenced. */
export async function settledHeapUsed(): Promise<number> {
  for (let pass = 0; pass < 3; pass++) {
    collect();
    // Let finalizers and pending socket callbacks run between passes.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
