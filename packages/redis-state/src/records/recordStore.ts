/**
 * A record as stored: its value's JSON (`null` when it does not exist), its version (0 when it does not) and the
 * id of its current life (`""` when it does not exist; a deleted and re-created record gets a new one).
 */
export interface StoredRecord {
  readonly json: string | null;
  readonly version: number;
  readonly incarnation: string;
}

/** The outcome of a compare-and-set write: the new version, or the version that was found instead. */
export interface RecordCommit {
  readonly ok: boolean;
  readonly version: number;
  readonly incarnation: string;
}

/** A compare-and-set write of a record: see {@link RecordStore.commit}. */
export interface RecordWrite {
  readonly recordId: string;
  /** The version the record must still be at (0: it must not exist yet). */
  readonly expectedVersion: number;
  /** The new value's JSON. */
  readonly json: string;
  /** The change's header and patch (`recordChangeHead`), for version `expectedVersion + 1`. */
  readonly changeHead: string;
  /** Who writes; stored with the value, so that a later write can require the version before it to be its own. */
  readonly writer: string;
  /** Refuse unless the record is still in this life (see `StoredRecord.incarnation`). */
  readonly expectedIncarnation?: string;
  /**
   * Refuse unless `writer` made the version at `expectedVersion`. A writer that sends a write before the previous
   * one was answered names this: if the previous one was refused, this one is refused too, rather than landing
   * on a version someone else made, with a patch against a value that was never stored.
   */
  readonly afterOwnWrite?: boolean;
}

/** Versioned records: values changed by compare-and-set, each change published on the record's bus topic. */
export interface RecordStore {
  /** A record's value JSON and version, read together. */
  get(recordId: string): Promise<StoredRecord>;

  /**
   * Writes a record's value if its version is still `write.expectedVersion` (and the other conditions of `write`
   * hold), and publishes the change on the record's topic in the same atomic step: `write.changeHead` followed by
   * the value JSON. Writes sent one after another are applied in the order they were sent.
   */
  commit(write: RecordWrite): Promise<RecordCommit>;

  /** Deletes a record and publishes the deletion; returns the version it had (0: it did not exist). */
  delete(recordId: string, origin: string): Promise<number>;
}
