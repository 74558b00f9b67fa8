import { MeshError } from "@meshwork/protocol";

/** Validation issues as zod reports them. */
export type Issues = readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];

/** The error for a payload that fails local validation, worded like the server's. */
export function invalidPayload(issues: Issues): MeshError {
  const listed = issues.map((issue) => `${issue.path.map(String).join(".") || "payload"}: ${issue.message}`);
  return new MeshError("INVALID_PAYLOAD", `Invalid payload: ${listed.join("; ")}`, { details: issues });
}

/** The error for a server answer that does not have the shape its command promises. */
export function unreadable(command: string, issues: unknown): MeshError {
  return new MeshError("BAD_MESSAGE", `The server answered "${command}" with an unreadable result`, {
    details: issues,
  });
}

/** The error for an application callback (or hook) that threw, reported instead of breaking delivery. */
export function callbackError(what: string, key: string, details: Record<string, string>, error: unknown): MeshError {
  const message = error instanceof Error ? error.message : String(error);
  return new MeshError("INTERNAL_ERROR", `The ${what} of ${key} threw: ${message}`, { cause: error, details });
}

/** The error for a callback that is not a function. */
export function notAFunction(what: string, key: unknown): TypeError {
  return new TypeError(`The callback of ${what} "${String(key)}" must be a function`);
}
