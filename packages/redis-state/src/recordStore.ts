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

/** A compare-and-set write of a record: see `MeshState.commitRecord`. */
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

/**
 * The header of a record change on the bus. `del` marks a deletion; `root` marks a patch that replaces the whole
 * value (the record was created or changed type), which patch-mode subscribers cannot apply in place. The Lua
 * delete script builds the same header.
 */
export interface RecordBusHeader {
  readonly t: "record";
  readonly o: string;
  readonly v: number;
  readonly del?: true;
  readonly root?: true;
}

/**
 * A record change on the bus is three lines: the header, the RFC 6902 patch JSON and the new value JSON (`null`
 * for a deletion). JSON text never holds a raw newline, so the lines split cleanly, and a receiver can splice
 * either JSON text into its frames without parsing it. The writer sends only the first two lines, {@link
 * recordChangeHead}; the store appends the value it stores, so the value crosses to Redis once per write.
 */
export function recordChangeHead(header: RecordBusHeader, patchJson: string): string {
  return `${JSON.stringify(header)}\n${patchJson}`;
}

/** The bus message of a record change: its head and the value JSON, as the store publishes it. */
export function recordBusMessage(head: string, valueJson: string): string {
  return `${head}\n${valueJson}`;
}

/** A record change read off the bus: the parsed header and the patch and value JSON texts, unparsed. */
export interface RecordBusChange {
  readonly header: RecordBusHeader;
  readonly patchJson: string;
  readonly valueJson: string;
}

/** Splits a record change off the bus; `null` when it is not one. */
export function readRecordBusMessage(text: string): RecordBusChange | null {
  const first = text.indexOf("\n");
  const second = first < 0 ? -1 : text.indexOf("\n", first + 1);
  if (second < 0) return null;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, first));
  } catch {
    return null;
  }
  if (typeof header !== "object" || header === null || typeof (header as RecordBusHeader).v !== "number") return null;
  return {
    header: header as RecordBusHeader,
    patchJson: text.slice(first + 1, second),
    valueJson: text.slice(second + 1),
  };
}
