export type { MeshState, ConnectionMetadata, ConnectionMetadataEntry } from "./meshState";
export { MemoryState } from "./memoryState";
export { createInstanceId } from "./instanceId";
