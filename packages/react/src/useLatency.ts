import { useCallback, useSyncExternalStore } from "react";
import { useMesh } from "./useMesh";

/** The last round trip the server measured, in milliseconds; `undefined` before the first. */
export function useLatency(): number | undefined {
  const client = useMesh();
  const subscribe = useCallback((notify: () => void) => client.on("latency", notify), [client]);
  const snapshot = () => client.latency;
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
