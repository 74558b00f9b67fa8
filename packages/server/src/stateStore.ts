import { MemoryState, type MeshState, RedisState } from "@meshwork/redis-state";
import type { MeshLogger, MeshServerOptions } from "./options";

// Loggers already told that state is in memory: the notice is given once per logger, not once per server.
const toldInMemory = new WeakSet<MeshLogger>();

/** The state store a server uses, and whether the server made it (and so closes it). */
export interface StateStore {
  readonly state: MeshState;
  readonly owned: boolean;
}

/**
 * The store the options name: the `state` given, else Redis from `redis`/`redisOptions`, else this process's
 * shared memory store under `keyPrefix` (said once per logger: it serves one process only).
 */
export function openStateStore(
  options: MeshServerOptions,
  keyPrefix: string,
  logger: MeshLogger,
  reportError: (error: unknown) => void,
): StateStore {
  if (options.state) return { state: options.state, owned: false };
  const redis = options.redis ?? options.redisOptions;
  if (redis !== undefined)
    return { state: new RedisState({ connection: redis, keyPrefix, onError: reportError }), owned: true };
  if (!toldInMemory.has(logger)) {
    toldInMemory.add(logger);
    logger.info(
      "meshwork: no state store configured, so connections and metadata live in this process's memory. " +
        "That serves one process only; give a shared store to run several processes.",
    );
  }
  return { state: MemoryState.shared(keyPrefix), owned: true };
}
