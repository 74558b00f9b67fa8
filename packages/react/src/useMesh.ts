import { useContext } from "react";
import { type AnyMeshClient, MeshContext } from "./meshContext";

/** The client of the nearest {@link MeshProvider}. Throws a helpful error outside one. */
export function useMesh<TClient extends AnyMeshClient = AnyMeshClient>(): TClient {
  const client = useContext(MeshContext);
  if (!client) {
    throw new Error("useMesh() needs a <MeshProvider client={…}> (or url=…) above this component in the tree.");
  }
  return client as TClient;
}
