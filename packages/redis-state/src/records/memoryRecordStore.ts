import { randomUUID } from "node:crypto";
import { channelOf } from "../bus/bus";
import { recordBusMessage, recordDeletionMessage } from "../bus/busMessages";
import type { MemoryData } from "../memory/memoryData";
import type { RecordCommit, RecordStore, RecordWrite, StoredRecord } from "./recordStore";

/** The {@link RecordStore} in process memory. */
export class MemoryRecordStore implements RecordStore {
  constructor(private readonly data: MemoryData) {}

  async get(recordId: string): Promise<StoredRecord> {
    const record = this.data.records.get(recordId);
    return record
      ? { json: record.json, version: record.version, incarnation: record.incarnation }
      : { json: null, version: 0, incarnation: "" };
  }

  async commit(write: RecordWrite): Promise<RecordCommit> {
    const record = this.data.records.get(write.recordId);
    const current = record?.version ?? 0;
    const incarnation = record?.incarnation ?? randomUUID();
    if (
      current !== write.expectedVersion ||
      (write.expectedIncarnation !== undefined && write.expectedIncarnation !== incarnation) ||
      (write.afterOwnWrite && record?.writer !== write.writer)
    ) {
      return { ok: false, version: current, incarnation: record?.incarnation ?? "" };
    }
    this.data.records.set(write.recordId, {
      json: write.json,
      version: current + 1,
      incarnation,
      writer: write.writer,
    });
    this.data.hub.publish(
      channelOf(this.data.keys, { kind: "record", recordId: write.recordId }),
      recordBusMessage(write.changeHead, write.json),
    );
    return { ok: true, version: current + 1, incarnation };
  }

  async delete(recordId: string, origin: string): Promise<number> {
    const record = this.data.records.get(recordId);
    if (!record) return 0;
    this.data.records.delete(recordId);
    this.data.hub.publish(
      channelOf(this.data.keys, { kind: "record", recordId }),
      recordDeletionMessage(origin, record.version),
    );
    return record.version;
  }
}
