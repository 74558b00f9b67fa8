import { MeshError } from "@meshwork/protocol";
import type { Cluster, Redis } from "ioredis";
import type { MeshKeys } from "../keys";
import { SCRIPTS } from "./scripts";

/** The name a Lua script is defined under on the Redis client. */
export type ScriptName = keyof typeof SCRIPTS;

type ScriptRunner = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** Parses a JSON text read from Redis. */
export const parseJson = (text: string): unknown => JSON.parse(text);

/** A hash read from Redis, its JSON field values parsed. */
export function fieldsToObject(fields: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, parseJson(v)]));
}

/** A command connection: one Redis, or a Redis Cluster (the same commands, routed by each key's slot). */
export type RedisClient = Redis | Cluster;

/** The keys and arguments of a script call, named by a read made just before it (see {@link RedisCommands.runPlanned}). */
export interface ScriptPlan {
  readonly keys: string[];
  readonly args: (string | number)[];
}

/**
 * Attempts of a planned script before giving up: each retry means the names it read changed in between, which takes
 * a concurrent change to the same connection or room landing in that gap every time.
 */
const PLANNED_ATTEMPTS = 20;

const isStale = (error: unknown): boolean => error instanceof Error && /^STALE\b/.test(error.message);

function toStoreError(error: unknown): unknown {
  if (error instanceof Error && /\bNOT_FOUND\b/.test(error.message)) {
    return new MeshError("NOT_FOUND", "The connection is not registered", { cause: error });
  }
  if (error instanceof Error && /\bCONFLICT\b/.test(error.message)) {
    return new MeshError("INVALID_PAYLOAD", "The connection is present in the room as another member", {
      cause: error,
    });
  }
  return error;
}

/**
 * The one Redis command connection that every Redis store of a `RedisState` shares, with the key layout and the
 * Lua scripts (defined on the connection once, here). Sharing it keeps one ordered command stream per state, so a
 * write through one store is seen by a later read through another.
 */
export class RedisCommands {
  constructor(
    readonly redis: RedisClient,
    readonly keys: MeshKeys,
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  }

  /**
   * Runs a script whose keys depend on names held in Redis: `read` names them (a connection's rooms, a room's
   * members), the script checks Redis still holds exactly those names and refuses with `STALE` otherwise, and then
   * the names are read again. Every key is in KEYS, so this works on one slot of a Redis Cluster.
   */
  async runPlanned(name: ScriptName, read: () => Promise<ScriptPlan>): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const plan = await read();
      try {
        return await this.run(name, plan.keys, plan.args);
      } catch (error) {
        if (!isStale(error) || attempt >= PLANNED_ATTEMPTS) throw error;
      }
    }
  }

  /** Runs a Lua script; a script's `NOT_FOUND` error becomes a `MeshError` with that code. */
  async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const runner = (this.redis as unknown as Record<ScriptName, ScriptRunner>)[name];
    // A script with a varying number of keys takes the count first (ioredis `defineCommand` without numberOfKeys).
    const counted = SCRIPTS[name].numberOfKeys === undefined ? [keys.length, ...keys] : keys;
    try {
      return await runner.call(this.redis, ...counted, ...args);
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
