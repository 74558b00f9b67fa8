import type { AnyErrorCode } from "./errorCodes";
import type { WireError } from "./serverMessages";

/**
 * The one error type of meshwork. Its `code` is stable and machine-readable; `message` is for people;
 * `details` carries structured extra data such as validation issues. Only these three fields ever go on
 * the wire: never a stack.
 */
export class MeshError extends Error {
  override readonly name = "MeshError";
  readonly code: AnyErrorCode;
  readonly details?: unknown;

  constructor(code: AnyErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }

  /** The wire form: `{ code, message, details? }`. */
  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds an error received on the wire. */
  static fromWire(error: WireError): MeshError {
    return new MeshError(error.code, error.message, { details: error.details });
  }
}

/** Tells whether a value is a {@link MeshError}, also across bundle copies of this package. */
export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError || (value instanceof Error && value.name === "MeshError" && "code" in value);
}

const MAX_CODE_LENGTH = 128;

/**
 * Turns anything thrown into a {@link MeshError}, keeping the original as `cause`.
 * A thrown value with a string `code` keeps that code (so `Object.assign(new Error("x"), { code: "NOT_FOUND" })`
 * reaches the client as `NOT_FOUND`); anything else becomes `fallbackCode`.
 */
export function toMeshError(thrown: unknown, fallbackCode: AnyErrorCode = "COMMAND_FAILED"): MeshError {
  if (isMeshError(thrown)) return thrown;
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const usable = typeof code === "string" && code.length > 0 && code.length <= MAX_CODE_LENGTH;
    return new MeshError(usable ? code : fallbackCode, thrown.message || String(fallbackCode), { cause: thrown });
  }
  const message = typeof thrown === "string" ? thrown : "Command failed";
  return new MeshError(fallbackCode, message, { cause: thrown });
}
