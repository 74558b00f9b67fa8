import type { MeshClient } from "@meshwork/client";
import { createContext } from "react";

/** Any client, whatever its command and event typing. */
export type AnyMeshClient = MeshClient<any, any>;

/** Holds the client that {@link MeshProvider} gives its tree. */
export const MeshContext = createContext<AnyMeshClient | null>(null);
