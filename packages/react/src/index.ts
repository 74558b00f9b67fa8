export { MeshProvider, type MeshProviderProps } from "./MeshProvider";
export { useMesh } from "./useMesh";
export { useConnectionStatus } from "./useConnectionStatus";
export { useLatency } from "./useLatency";
export { useRoom, type UseRoomResult } from "./useRoom";
export { usePresence, type SetPresenceStateOptions, type UsePresenceResult } from "./usePresence";
export type { AnyMeshClient } from "./meshContext";
