import { type MeshError, isMeshError } from "@meshwork/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { toError } from "./internal/toError";
import { waitForVersion } from "./internal/waitForVersion";
import { type UseRecordOptions, type UseRecordResult, useRecord } from "./useRecord";
import { useMesh } from "./useMesh";

/** How long a conflicting write waits for the winning version to arrive before it reports the conflict anyway. */
const FRESH_VALUE_WAIT = 5_000;

/** The next value of a record, or a function of the value the component shows. */
export type RecordWrite<T> = T | ((previous: T | null) => T);

/** What {@link useWritableRecord} returns: {@link useRecord}'s result, a `write` and the last write's error. */
export interface UseWritableRecordResult<T> extends UseRecordResult<T> {
  /**
   * Sends a new value with `expectedVersion` set to the `version` this component shows, so a write based on a
   * stale value fails instead of overwriting a newer one. Resolves with the new version, or with `undefined` when
   * the write failed (see `error`); it never rejects.
   */
  readonly write: (next: RecordWrite<T>) => Promise<number | undefined>;
}

/**
 * {@link useRecord} for a record the server exposed as writable, plus `write`. When another writer got there
 * first, `error` is a MeshError `VERSION_CONFLICT` and `data` already shows the winning value, so the component
 * can show it and write again from it. `error` also carries the subscription's own error, and clears when a
 * later write succeeds.
 *
 * @example
 * const { data, write, error } = useWritableRecord<Counter>("counter:1");
 * <button onClick={() => write((prev) => ({ n: (prev?.n ?? 0) + 1 }))}>+1</button>
 */
export function useWritableRecord<T = unknown>(
  recordId: string,
  options: UseRecordOptions = {},
): UseWritableRecordResult<T> {
  const client = useMesh();
  const record = useRecord<T>(recordId, options);
  const mode = options.mode ?? "patch";
  const store = useMemo(() => client.recordStore<T>(recordId, { mode }), [client, recordId, mode]);
  const [writeError, setWriteError] = useState<{ recordId: string; error: MeshError } | undefined>(undefined);
  // What the component shows, read by `write` when it is called: the base of the next value and its version.
  const shown = useRef(record);
  shown.current = record;
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const write = useCallback(
    async (next: RecordWrite<T>): Promise<number | undefined> => {
      const { data, version } = shown.current;
      const value = typeof next === "function" ? (next as (previous: T | null) => T)(data) : next;
      try {
        const result = await client.publishRecordUpdate(recordId, value, { expectedVersion: version });
        if (mounted.current) setWriteError(undefined);
        return result.version;
      } catch (thrown) {
        const error = toError(thrown);
        const winner = conflictVersion(error);
        if (winner !== undefined) await waitForVersion(store, winner, FRESH_VALUE_WAIT);
        if (mounted.current) setWriteError({ recordId, error });
        return undefined;
      }
    },
    [client, recordId, store],
  );

  const ownError = writeError?.recordId === recordId ? writeError.error : undefined;
  const error = record.error ?? ownError;
  return useMemo(() => ({ ...record, error, write }), [record, error, write]);
}

/** The version that won, from a `VERSION_CONFLICT` the server sent (`details.version`). */
function conflictVersion(error: MeshError): number | undefined {
  if (!isMeshError(error) || error.code !== "VERSION_CONFLICT") return undefined;
  const details = error.details as { version?: unknown } | undefined;
  return typeof details?.version === "number" ? details.version : undefined;
}
