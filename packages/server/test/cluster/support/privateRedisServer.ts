import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { RedisProcess } from "../../../../../testing/redis-server.mjs";

/**
 * A redis-server of the test file's own, for tests that must measure Redis or take it away without disturbing
 * the shared one: started before the file's tests, killed by pid after them. With `persistent`, it keeps every
 * write in an append-only file (fsynced before the answer) in a temporary directory of its own, removed after the
 * file's tests, so a restart brings back everything it acknowledged.
 */
export function privateRedisServer(options: { persistent?: boolean } = {}): { readonly server: RedisProcess } {
  const holder: { server?: RedisProcess; dir?: string } = {};
  beforeAll(async () => {
    if (options.persistent) holder.dir = await mkdtemp(join(tmpdir(), "meshwork-redis-"));
    holder.server = await RedisProcess.launch(holder.dir ? { appendOnlyDir: holder.dir } : {});
  });
  afterAll(async () => {
    await holder.server?.stop("SIGKILL");
    if (holder.dir) await rm(holder.dir, { recursive: true, force: true });
  });
  return {
    get server(): RedisProcess {
      if (!holder.server) throw new Error("the private redis-server starts in beforeAll");
      return holder.server;
    },
  };
}
