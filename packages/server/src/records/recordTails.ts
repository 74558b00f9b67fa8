import type { StoredRecord } from "@meshwork/redis-state";

// Records whose tail an instance keeps, and the most value JSON it keeps in all (characters): enough for an
// instance writing a few hot records, never a copy of the whole store.
const MAX_RECORDS = 1_000;
const MAX_CHARS = 16 * 1024 * 1024;

/**
 * Per record, the value, version and incarnation this instance's own writes leave once every one of them queued so
 * far has committed: the state a new write can be diffed against and sent at once, without reading the record.
 * Known only while every queued write is one of this instance's own, sent against a known tail or committed; any
 * other write (a retry, one with `expectedVersion`) makes it unknown until that write is done. Least recently
 * written records are forgotten first.
 */
export class RecordTails {
  private readonly tails = new Map<string, StoredRecord & { json: string }>();
  private chars = 0;

  get(recordId: string): (StoredRecord & { json: string }) | undefined {
    return this.tails.get(recordId);
  }

  set(recordId: string, tail: StoredRecord & { json: string }): void {
    // Insertion order makes the map an LRU: the entry written now goes last, the oldest is evicted first.
    this.forget(recordId);
    if (tail.json.length > MAX_CHARS) return;
    this.tails.set(recordId, tail);
    this.chars += tail.json.length;
    while (this.tails.size > MAX_RECORDS || this.chars > MAX_CHARS) {
      const oldest = this.tails.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  forget(recordId: string): void {
    const tail = this.tails.get(recordId);
    if (!tail) return;
    this.tails.delete(recordId);
    this.chars -= tail.json.length;
  }
}
