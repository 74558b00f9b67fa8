import { MeshError } from "@meshwork/protocol";

/**
 * Deepest nesting of arrays and objects a record value may have. Diffing a record (JSON Patch) recurses once per
 * level, so an unbounded depth would let one write exhaust the stack; real documents stay far below this.
 */
export const MAX_RECORD_DEPTH = 100;

/**
 * Refuses a record value nested deeper than {@link MAX_RECORD_DEPTH}. Walks the value without recursion, so the
 * check itself cannot overflow the stack, and stops at the first level past the limit.
 * @throws MeshError `INVALID_PAYLOAD`
 */
export function assertRecordDepth(recordId: string, value: unknown): void {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const item of level) {
      if (item === null || typeof item !== "object") continue;
      if (depth >= MAX_RECORD_DEPTH) {
        throw new MeshError(
          "INVALID_PAYLOAD",
          `Record "${recordId}": the value is nested deeper than ${MAX_RECORD_DEPTH} levels`,
          { details: { maxDepth: MAX_RECORD_DEPTH } },
        );
      }
      for (const child of Array.isArray(item) ? item : Object.values(item)) next.push(child);
    }
    level = next;
  }
}
