import { MeshError, type PatchOperation } from "@meshwork/protocol";
import { type Operation, applyPatch as applyRfc6902 } from "rfc6902";

/**
 * Pointer segments that lead out of the JSON data into the JavaScript object model: writing through any of them
 * could change `Object.prototype` (and so every object of the program) or another shared prototype.
 */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const OPS: ReadonlySet<string> = new Set(["add", "remove", "replace", "move", "copy", "test"]);

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

const hasOwn = (target: object, key: string): boolean => Object.hasOwn(target, key);

/** Why an operation cannot be applied, in words, or `undefined` when its shape and pointers are acceptable. */
type Refusal = string | undefined;

/** The unescaped segments of a JSON pointer (RFC 6901), or a refusal when the pointer is malformed. */
function segmentsOf(pointer: unknown, member: "path" | "from"): string[] | string {
  if (typeof pointer !== "string") return `"${member}" must be a string`;
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return `"${member}" is not a JSON pointer: ${JSON.stringify(pointer)}`;
  // ~1 before ~0, as RFC 6901 requires, so "~01" becomes "~1" and not "/".
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function forbiddenIn(segments: readonly string[], member: "path" | "from"): Refusal {
  const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  return forbidden === undefined ? undefined : `"${member}" goes through "${forbidden}", which is refused`;
}

/** Checks what can be checked without the document: the operation's shape and that no pointer is forbidden. */
function refusalOf(operation: unknown): Refusal {
  if (typeof operation !== "object" || operation === null) return "an operation must be an object";
  const { op, path, from } = operation as { op?: unknown; path?: unknown; from?: unknown };
  if (typeof op !== "string" || !OPS.has(op)) return `unknown "op" ${JSON.stringify(op)}`;
  const pathSegments = segmentsOf(path, "path");
  if (typeof pathSegments === "string") return pathSegments;
  const refused = forbiddenIn(pathSegments, "path");
  if (refused !== undefined) return refused;
  if (op === "move" || op === "copy") {
    const fromSegments = segmentsOf(from, "from");
    if (typeof fromSegments === "string") return fromSegments;
    return forbiddenIn(fromSegments, "from");
  }
  if ((op === "add" || op === "replace" || op === "test") && !hasOwn(operation, "value")) {
    return `"${op}" needs a "value"`;
  }
  return undefined;
}

/**
 * Follows `segments` through the document's own data only, never through inherited members such as
 * `toString` or an array's `length`. `mustExist` covers the last segment too. Returns a refusal when the
 * location does not exist as data.
 */
function walk(doc: unknown, segments: readonly string[], mustExist: boolean, member: "path" | "from"): Refusal {
  let node = doc;
  const last = segments.length - 1;
  for (let index = 0; index <= last; index++) {
    const segment = segments[index] as string;
    if (index === last && !mustExist) {
      if (typeof node !== "object" || node === null) return `"${member}" has no parent object or array`;
      if (Array.isArray(node) && segment !== "-" && !ARRAY_INDEX.test(segment)) {
        return `"${member}" does not name an array index`;
      }
      return undefined;
    }
    if (typeof node !== "object" || node === null) return `"${member}" does not exist in the document`;
    if (Array.isArray(node) ? !ARRAY_INDEX.test(segment) || Number(segment) >= node.length : !hasOwn(node, segment)) {
      return `"${member}" does not exist in the document`;
    }
    node = (node as Record<string, unknown>)[segment];
  }
  return undefined;
}

/** Checks an operation against the document as it is right before the operation runs. */
function locationRefusal(doc: unknown, operation: PatchOperation): Refusal {
  const path = segmentsOf(operation.path, "path") as string[];
  if (path.length === 0 && operation.op !== "test") {
    // meshwork never sends these: a change that replaces the whole value reaches patch subscribers as `full`.
    return "an operation on the whole document cannot be applied in place";
  }
  if (operation.op === "move" || operation.op === "copy") {
    const from = segmentsOf(operation.from, "from") as string[];
    const refused = walk(doc, from, true, "from");
    if (refused !== undefined) return refused;
  }
  const mustExist = operation.op === "remove" || operation.op === "replace" || operation.op === "test";
  return walk(doc, path, mustExist, "path");
}

function invalid(index: number, operation: unknown, reason: string): MeshError {
  return new MeshError("INVALID_PAYLOAD", `Patch operation ${index} cannot be applied: ${reason}`, {
    details: { index, operation, reason },
  });
}

/**
 * Applies an RFC 6902 JSON patch to `doc` in place and returns `doc`, as in the seed's patch mode:
 * `applyPatch(productData, update.patch)`.
 *
 * Safe with patches from anyone: before anything is changed, every operation is checked, and one whose `path`
 * or `from` has a segment `__proto__`, `constructor` or `prototype` (after `~1` / `~0` unescaping) refuses the
 * whole patch, so no patch can reach `Object.prototype` or any other prototype. While applying, pointers only
 * follow the document's own data (never inherited members such as `toString`).
 *
 * Operations run in order and the first one that fails stops the patch; the ones before it stay applied, as
 * with any in-place patching. Operations on the whole document (`path: ""`, except `test`) cannot be applied in
 * place and are refused: meshwork sends such changes as `full` updates instead.
 *
 * @throws MeshError `INVALID_PAYLOAD` with `details: { index, operation, reason }` when an operation is refused,
 *   malformed, targets a location that does not exist, or a `test` fails.
 */
export function applyPatch<T>(doc: T, patch: readonly PatchOperation[]): T {
  if (!Array.isArray(patch)) throw invalid(0, patch, "a patch must be an array of operations");
  patch.forEach((operation, index) => {
    const refused = refusalOf(operation);
    if (refused !== undefined) throw invalid(index, operation, refused);
  });
  patch.forEach((operation, index) => {
    const refused = locationRefusal(doc, operation);
    if (refused !== undefined) throw invalid(index, operation, refused);
    const [failure] = applyRfc6902(doc, [operation as Operation]);
    if (failure) throw invalid(index, operation, failure.message);
  });
  return doc;
}

/**
 * Whether every operation of a patch passes the checks {@link applyPatch} makes before touching a document:
 * well-formed, and no pointer through `__proto__`, `constructor` or `prototype`. A patch-mode subscription
 * resynchronises instead of delivering a patch that fails them.
 */
export function isApplicablePatch(patch: readonly PatchOperation[]): boolean {
  return patch.every((operation) => refusalOf(operation) === undefined);
}
