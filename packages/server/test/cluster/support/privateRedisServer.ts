import { afterAll, beforeAll } from "vitest";
import { RedisProcess } from "../../../../../testing/redis-server.mjs";

/**
 * A redis-server of the test file's own, for tests that must measure Redis or take it away without disturbing
 * the shared one: started before the file's tests, killed by pid after them.
 */
export function privateRedisServer(): { readonly server: RedisProcess } {
  const holder: { server?: RedisProcess } = {};
  beforeAll(async () => {
    holder.server = await RedisProcess.launch();
  });
  afterAll(async () => {
    await holder.server?.stop("SIGKILL");
  });
  return {
    get server(): RedisProcess {
      if (!holder.server) throw new Error("the private redis-server starts in beforeAll");
      return holder.server;
    },
  };
}
