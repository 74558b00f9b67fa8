export { MeshProvider, type MeshProviderProps } from "./MeshProvider";
export { useMesh } from "./useMesh";
export { useConnectionStatus } from "./useConnectionStatus";
export { useLatency } from "./useLatency";
export type { AnyMeshClient } from "./meshContext";
