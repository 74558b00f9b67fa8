import { MeshError } from "@meshwork/protocol";
import { z } from "zod";
import type { MeshContext, PayloadSchema } from "../serverApi";

type ParseResult = z.ZodSafeParseResult<unknown>;

const MAX_LISTED_ISSUES = 5;

function describe(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const where = issue.path.length === 0 ? "payload" : issue.path.map(String).join(".");
    return `${where}: ${issue.message}`;
  });
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : "";
  return `Invalid payload: ${listed.join("; ")}${more}`;
}

function apply(ctx: MeshContext, result: ParseResult): void {
  if (result.success) {
    ctx.payload = result.data;
    return;
  }
  throw new MeshError("INVALID_PAYLOAD", describe(result.error.issues), { details: result.error.issues });
}

/**
 * A pipeline step that validates `ctx.payload` against `schema` and replaces it with the parsed value.
 * Invalid payloads throw `INVALID_PAYLOAD` with a readable message and the zod issues as `details`.
 * Synchronous schemas stay synchronous; a schema with async refinements falls back to async parsing.
 */
export function payloadValidator(schema: PayloadSchema): (ctx: MeshContext) => void | Promise<void> {
  return (ctx) => {
    let result: ParseResult;
    try {
      result = z.safeParse(schema, ctx.payload);
    } catch (error) {
      if (!(error instanceof z.core.$ZodAsyncError)) throw error;
      return z.safeParseAsync(schema, ctx.payload).then((asyncResult) => apply(ctx, asyncResult));
    }
    return apply(ctx, result);
  };
}
