import { MeshError, isMeshError } from "@meshwork/client";

/** A rejection as the MeshError the hooks expose, whatever was thrown. */
export function toError(thrown: unknown): MeshError {
  if (isMeshError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new MeshError("INTERNAL_ERROR", message, { cause: thrown });
}
