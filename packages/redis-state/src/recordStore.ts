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

/**
 * The header of a record change on the bus; the change's body (`{ full?, patch? }` JSON) follows after a newline.
 * `del` marks a deletion. The Lua delete script builds the same header.
 */
export interface RecordBusHeader {
  readonly t: "record";
  readonly o: string;
  readonly v: number;
  readonly del?: true;
}

/** Encodes a record change for the bus. */
export function recordBusMessage(header: RecordBusHeader, body: string): string {
  return `${JSON.stringify(header)}\n${body}`;
}
