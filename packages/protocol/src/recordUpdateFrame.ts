/** What a `record-update` frame carries: the new value (`full`), an RFC 6902 patch (`patch`), or `deleted`. */
export type RecordUpdateForm = "full" | "patch" | "deleted";

/**
 * The text of a `record-update` frame, built by splicing JSON texts that were encoded elsewhere (by the instance that
 * wrote the change) without parsing them: a server relaying a large record to patch-mode subscribers handles only the
 * patch. `json` is the value's JSON text for `full` and the patch array's for `patch`; `deleted` takes none. The text
 * reads, with {@link parseServerMessage}, as the same message {@link encodeServerMessage} would have encoded, and is
 * the very same text when `json` came from `JSON.stringify`.
 */
export function encodeRecordUpdateFrame(recordId: string, version: number, form: RecordUpdateForm, json = ""): string {
  const head = `{"type":"record-update","recordId":${JSON.stringify(recordId)},"version":${version}`;
  if (form === "deleted") return `${head},"deleted":true}`;
  return `${head},"${form}":${json}}`;
}
