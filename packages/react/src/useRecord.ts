import type { RecordMode, RecordStoreSnapshot } from "@meshwork/client";
import { useMemo } from "react";
import { IDLE_RECORD } from "./internal/serverSnapshots";
import { useSharedStore } from "./useSharedStore";
import { useMesh } from "./useMesh";

/** Options of {@link useRecord}. */
export interface UseRecordOptions {
  /**
   * How the server sends updates: `patch` (JSON patches, applied by the client to the value it keeps) or `full`
   * (the whole value each time). Either way the hook shows the whole value. Only the first observer of a record
   * chooses; later components share its subscription. @default "patch"
   */
  mode?: RecordMode;
}

/** What {@link useRecord} returns: the record's current value and where its subscription stands. */
export type UseRecordResult<T> = RecordStoreSnapshot<T>;

/**
 * The live value of a record. The first component to use a record subscribes to it, later ones share that
 * subscription, and the last one to unmount releases it. Reconnects, missed versions and patches are handled by
 * the client: `data` is always the whole value at `version` (`null` while the record does not exist or before
 * the first answer). The result object changes only when something in it changes. On the server it renders the
 * idle snapshot and touches nothing.
 *
 * @example
 * const { data, status } = useRecord<Profile>("user:1");
 */
export function useRecord<T = unknown>(recordId: string, options: UseRecordOptions = {}): UseRecordResult<T> {
  const client = useMesh();
  const mode = options.mode ?? "patch";
  const store = useMemo(() => client.recordStore<T>(recordId, { mode }), [client, recordId, mode]);
  return useSharedStore(store, IDLE_RECORD as RecordStoreSnapshot<T>);
}
