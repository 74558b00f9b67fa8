import { randomUUID } from "node:crypto";
import type { RedisCommands } from "../redis/redisCommands";
import type { RecordCommit, RecordStore, RecordWrite, StoredRecord } from "./recordStore";

/**
 * The {@link RecordStore} on Redis: each record is one hash (value, version, incarnation, writer), so value and
 * version change together; writes and deletions publish in the same Lua script that applies them.
 */
export class RedisRecordStore implements RecordStore {
  constructor(private readonly commands: RedisCommands) {}

  async get(recordId: string): Promise<StoredRecord> {
    const [version, json, incarnation] = await this.commands.redis.hmget(
      this.commands.keys.record(recordId),
      "v",
      "d",
      "i",
    );
    return { json: json ?? null, version: Number(version ?? 0), incarnation: incarnation ?? "" };
  }

  async commit(write: RecordWrite): Promise<RecordCommit> {
    const k = this.commands.keys;
    const [ok, version, incarnation] = (await this.commands.run(
      "meshCommitRecord",
      [k.record(write.recordId), k.busRecord(write.recordId)],
      [
        write.expectedVersion,
        write.json,
        write.changeHead,
        write.expectedIncarnation ?? "",
        randomUUID(),
        write.writer,
        write.afterOwnWrite ? "1" : "",
      ],
    )) as [number, number, string];
    return { ok: ok === 1, version: Number(version), incarnation: String(incarnation) };
  }

  async delete(recordId: string, origin: string): Promise<number> {
    const k = this.commands.keys;
    return Number(await this.commands.run("meshDeleteRecord", [k.record(recordId), k.busRecord(recordId)], [origin]));
  }
}
