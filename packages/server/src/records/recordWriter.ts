import { MeshError, type PatchOperation } from "@meshwork/protocol";
import {
  type MeshState,
  type RecordBusHeader,
  type RecordCommit,
  type StoredRecord,
  recordChangeHead,
} from "@meshwork/redis-state";
import { createPatch } from "rfc6902";
import { assertRecordDepth } from "./recordDepth";
import { RecordTails } from "./recordTails";

/**
 * A record's value and version, as the server reads it; a record that does not exist is `null` at version 0.
 * (Exported publicly under its first name, `RecordSnapshot`; the client's subscribe answer is another shape.)
 */
export interface VersionedValue<T = unknown> {
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

/** A committed write: its version and, when it made a new version, the state it left. */
interface Written {
  readonly version: number;
  readonly state?: StoredRecord & { json: string };
}

/**
 * Writes records with optimistic concurrency: every write is a Lua compare-and-set on the version that also
 * publishes the change, so every patch is against the version right before it, versions go 1, 2, 3… without gaps
 * or duplicates, and no update is lost, however many instances write.
 *
 * Writes to one record from one instance keep their call order. While the instance knows the state its own queued
 * writes will leave (the tail), a new write is diffed against it and sent at once, right behind them: one command,
 * no read, and a steady writer's changes leave back to back instead of one per round trip. Such a write commits
 * only on top of this instance's own previous version; if anything else got in between, it and every write behind
 * it are refused, and each is redone the careful way, in order: read, diff, compare-and-set, and after a lost race
 * a random pause and again. A write that had to wait for the ones before it (the tail was unknown when it was
 * called) skips the read when the write right before it left a version of this instance's own.
 */
export class RecordWriter {
  /** The last write queued per record on this instance. */
  private readonly queues = new Map<string, Promise<Written>>();
  private readonly tails = new RecordTails();

  constructor(
    private readonly state: MeshState,
    private readonly origin: string,
  ) {}

  /** A record's value and version. */
  async get<T = unknown>(recordId: string): Promise<VersionedValue<T>> {
    const stored = await this.state.records.get(recordId);
    return { value: stored.json === null ? null : (JSON.parse(stored.json) as T), version: stored.version };
  }

  /**
   * Sets a record's value and returns its version. A value equal to the current one changes nothing and keeps
   * the version. @throws MeshError `VERSION_CONFLICT` when `expectedVersion` does not match, `INVALID_PAYLOAD`
   * when the value is nested deeper than `MAX_RECORD_DEPTH` (100).
   */
  async update(recordId: string, value: unknown, options: RecordWriteOptions = {}): Promise<number> {
    assertRecordDepth(recordId, value);
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError("meshwork: a record value must be JSON-serialisable");
    const previous = this.queues.get(recordId);
    const tail = options.expectedVersion === undefined ? this.tails.get(recordId) : undefined;
    const head = tail && tail.json !== json ? this.changeHead(tail, json) : null;
    let write: Promise<Written>;
    if (tail && head !== null) {
      const next = { json, version: tail.version + 1, incarnation: tail.incarnation };
      this.tails.set(recordId, next);
      write = this.sendBehind(recordId, tail, next, head, previous);
    } else {
      this.tails.forget(recordId);
      write = this.afterPrevious(previous, (base) => this.commit(recordId, json, options.expectedVersion, base));
    }
    this.queues.set(recordId, write);
    try {
      const written = await write;
      // The last write queued leaves the state every later write builds on.
      if (written.state && this.queues.get(recordId) === write) this.tails.set(recordId, written.state);
      return written.version;
    } finally {
      if (this.queues.get(recordId) === write) this.queues.delete(recordId);
    }
  }

  /** Deletes a record; its subscribers are told. Returns whether it existed. */
  async delete(recordId: string): Promise<boolean> {
    this.tails.forget(recordId);
    return (await this.state.records.delete(recordId, this.origin)) > 0;
  }

  /** Sends a write at once, on top of this instance's own write of `tail`; redoes it carefully if refused. */
  private async sendBehind(
    recordId: string,
    tail: StoredRecord,
    next: StoredRecord & { json: string },
    changeHead: string,
    previous: Promise<Written> | undefined,
  ): Promise<Written> {
    const sent = this.state.records.commit({
      recordId,
      expectedVersion: tail.version,
      json: next.json,
      changeHead,
      writer: this.origin,
      expectedIncarnation: tail.incarnation,
      afterOwnWrite: true,
    });
    let commit: RecordCommit;
    try {
      commit = await sent;
    } catch (error) {
      this.tails.forget(recordId);
      throw error;
    }
    if (commit.ok) return { version: commit.version, state: next };
    this.tails.forget(recordId);
    return this.afterPrevious(previous, (base) => this.commit(recordId, next.json, undefined, base));
  }

  /**
   * Runs `write` once the write queued before it has settled, whatever its outcome, handing it the state that
   * write left when it made a new version.
   */
  private async afterPrevious(
    previous: Promise<Written> | undefined,
    write: (base: StoredRecord | undefined) => Promise<Written>,
  ): Promise<Written> {
    const written = await previous?.catch(() => undefined);
    return write(written?.state);
  }

  /**
   * Read, diff, compare-and-set; after a lost race, wait a random moment and again. A `base` (the state this
   * instance's previous write left) saves the first read: the write then commits only on top of that version, and
   * reads if anything else got there first. A no-op is never decided on the base alone.
   */
  private async commit(
    recordId: string,
    json: string,
    expectedVersion: number | undefined,
    base?: StoredRecord,
  ): Promise<Written> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const trusted = attempt === 0 && expectedVersion === undefined && base && base.json !== json ? base : undefined;
      const current = trusted ?? (await this.state.records.get(recordId));
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw conflict(recordId, expectedVersion, current.version);
      }
      if (current.json === json) return { version: current.version };
      const changeHead = this.changeHead(current, json);
      if (changeHead === null) {
        if (trusted) continue;
        return { version: current.version };
      }
      const commit = await this.state.records.commit({
        recordId,
        expectedVersion: current.version,
        json,
        changeHead,
        writer: this.origin,
        expectedIncarnation: current.version === 0 ? undefined : current.incarnation,
        afterOwnWrite: trusted !== undefined,
      });
      if (commit.ok) {
        return { version: commit.version, state: { json, version: commit.version, incarnation: commit.incarnation } };
      }
      if (expectedVersion !== undefined) throw conflict(recordId, expectedVersion, commit.version);
      // Losing against a base is no race: the next attempt reads, at once.
      if (!trusted) await afterLostRace(attempt);
    }
    throw new MeshError("VERSION_CONFLICT", `Record "${recordId}" changed under every attempt to write it`);
  }

  /**
   * The change from `current` to the value `json` for the bus (header and patch), or `null` when the two are
   * equal as JSON values (key order aside) and there is nothing to write.
   */
  private changeHead(current: StoredRecord, json: string): string | null {
    const previous: unknown = current.json === null ? null : JSON.parse(current.json);
    const patch = createPatch(previous, JSON.parse(json)) as PatchOperation[];
    if (patch.length === 0 && current.json !== null) return null;
    const header: RecordBusHeader = { t: "record", o: this.origin, v: current.version + 1 };
    // A patch that replaces the whole document cannot be applied in place: receivers send the value instead.
    const replacesRoot = patch.some((operation) => operation.path === "");
    return recordChangeHead(replacesRoot ? { ...header, root: true } : header, JSON.stringify(patch));
  }
}
