import type { RecordStoreSnapshot } from "@meshwork/client";

/**
 * What a record hook shows while rendering on the server, or before anything arrived: no value, nothing
 * subscribed. One frozen object, so `useSyncExternalStore` sees a stable server snapshot.
 */
export const IDLE_RECORD: RecordStoreSnapshot<never> = Object.freeze({
  data: null,
  version: 0,
  status: "idle",
  error: undefined,
});
