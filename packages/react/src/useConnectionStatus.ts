import type { ClientStatus } from "@meshwork/client";
import { useCallback, useSyncExternalStore } from "react";
import { useMesh } from "./useMesh";

/** The client's connection status; the component re-renders only when it changes. */
export function useConnectionStatus(): ClientStatus {
  const client = useMesh();
  const subscribe = useCallback((notify: () => void) => client.on("status", notify), [client]);
  const snapshot = () => client.status;
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
