import { MeshError, type PatchOperation } from "@meshwork/protocol";
import { type MeshState, type StoredRecord, recordBusMessage } from "@meshwork/redis-state";
import { createPatch } from "rfc6902";

/** A record's value and version; a record that does not exist is `null` at version 0. */
export interface RecordSnapshot<T = unknown> {
  readonly value: T | null;
  readonly version: number;
}

/** Options of a record write. */
export interface RecordWriteOptions {
  /**
   * Write only if the record is still at this version (`0`: only if it does not exist yet); otherwise the write
   * fails with `VERSION_CONFLICT`. Without it, a write that loses a race is retried against the newer version.
   */
  expectedVersion?: number;
}

/** The body of a record change on the bus: the patch against the previous version and the full new value. */
export interface RecordChangeBody {
  readonly patch: PatchOperation[];
  readonly full: unknown;
}

// Records whose last written value an instance keeps, to skip the read before its next write.
const LAST_WRITTEN_LIMIT = 1_000;

// A write that keeps losing races this many times in a row gives up rather than spin.
const MAX_ATTEMPTS = 100;

// Longest pause, in milliseconds, between a lost race and the next attempt.
const MAX_RETRY_DELAY = 20;

/**
 * Waits a random moment after the `attempt`-th lost race (0-based), up to a ceiling that doubles with each loss.
 * Without it, writers whose instances see the store with the same latency fall into lockstep: one reads just
 * before the other commits, every time, and loses every race until it gives up (a livelock, not bad luck).
 */
function afterLostRace(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** (attempt + 1), MAX_RETRY_DELAY);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

function conflict(recordId: string, expected: number, found: number): MeshError {
  return new MeshError("VERSION_CONFLICT", `Record "${recordId}" is at version ${found}, not ${expected}`, {
    details: { recordId, expectedVersion: expected, version: found },
  });
}

/**
 * Writes records with optimistic concurrency: read value and version, diff, then commit only if the version is
 * unchanged (one Lua compare-and-set that also publishes the change). Two commands per write without contention;
 * a writer that loses a race waits a random moment, re-reads and diffs again, so every patch is against the
 * version right before it, versions go 1, 2, 3… without gaps or duplicates, and no update is lost.
 */
export class RecordWriter {
  /** The last write queued per record on this instance: writes to one record from one instance run one by one. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The value and version this instance last committed per record, most recent last (bounded). */
  private readonly lastWritten = new Map<string, StoredRecord>();

  constructor(
    private readonly state: MeshState,
    private readonly origin: string,
  ) {}

  /** A record's value and version. */
  async get<T = unknown>(recordId: string): Promise<RecordSnapshot<T>> {
    const stored = await this.state.getRecord(recordId);
    return { value: stored.json === null ? null : (JSON.parse(stored.json) as T), version: stored.version };
  }

  /**
   * Sets a record's value and returns its version. A value equal to the current one changes nothing and keeps
   * the version. @throws MeshError `VERSION_CONFLICT` when `expectedVersion` does not match.
   */
  update(recordId: string, value: unknown, options: RecordWriteOptions = {}): Promise<number> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError("meshwork: a record value must be JSON-serialisable");
    // Writes from this instance queue up per record, so they never race each other: only writers on other
    // instances can make a compare-and-set fail, which keeps retries few however many calls are in flight.
    const previous = this.queues.get(recordId) ?? Promise.resolve();
    const write = previous.then(
      () => this.commit(recordId, json, options.expectedVersion),
      () => this.commit(recordId, json, options.expectedVersion),
    );
    this.queues.set(recordId, write);
    void write
      .finally(() => {
        if (this.queues.get(recordId) === write) this.queues.delete(recordId);
      })
      .catch(() => undefined);
    return write;
  }

  private async commit(recordId: string, json: string, expectedVersion: number | undefined): Promise<number> {
    const next: unknown = JSON.parse(json);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The value this instance wrote last saves the read: if another instance wrote since (or deleted and
      // re-created the record, which changes its incarnation), the compare-and-set fails and the next attempt
      // reads. A no-op is never decided on the cached value alone.
      const cached = attempt === 0 ? this.lastWritten.get(recordId) : undefined;
      const current = cached && cached.json !== json ? cached : await this.state.getRecord(recordId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        if (current === cached) continue;
        throw conflict(recordId, expectedVersion, current.version);
      }
      if (current.json === json) return current.version;
      const previous: unknown = current.json === null ? null : JSON.parse(current.json);
      const patch = createPatch(previous, next) as PatchOperation[];
      if (patch.length === 0 && current.json !== null) return current.version;
      const version = current.version + 1;
      const body: RecordChangeBody = { patch, full: next };
      const message = recordBusMessage({ t: "record", o: this.origin, v: version }, JSON.stringify(body));
      const commit = await this.state.commitRecord(
        recordId,
        current.version,
        json,
        message,
        current.version === 0 ? undefined : current.incarnation,
      );
      if (commit.ok) {
        this.remember(recordId, { json, version: commit.version, incarnation: commit.incarnation });
        return commit.version;
      }
      this.lastWritten.delete(recordId);
      if (expectedVersion !== undefined) {
        if (current === cached) continue;
        throw conflict(recordId, expectedVersion, commit.version);
      }
      await afterLostRace(attempt);
    }
    throw new MeshError("VERSION_CONFLICT", `Record "${recordId}" changed under every attempt to write it`);
  }

  private remember(recordId: string, stored: StoredRecord): void {
    // Insertion order makes the map an LRU: the entry written now goes last, the oldest is evicted first.
    this.lastWritten.delete(recordId);
    this.lastWritten.set(recordId, stored);
    if (this.lastWritten.size > LAST_WRITTEN_LIMIT) {
      const oldest = this.lastWritten.keys().next().value;
      if (oldest !== undefined) this.lastWritten.delete(oldest);
    }
  }

  /** Deletes a record; its subscribers are told. Returns whether it existed. */
  async delete(recordId: string): Promise<boolean> {
    this.lastWritten.delete(recordId);
    return (await this.state.deleteRecord(recordId, this.origin)) > 0;
  }
}
