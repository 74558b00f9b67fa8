import { MeshError } from "@meshwork/protocol";
import type { Redis } from "ioredis";
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
    readonly redis: Redis,
    readonly keys: MeshKeys,
  ) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  }

  /** Runs a Lua script; a script's `NOT_FOUND` error becomes a `MeshError` with that code. */
  async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const runner = (this.redis as unknown as Record<ScriptName, ScriptRunner>)[name];
    try {
      return await runner.call(this.redis, ...keys, ...args);
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
