import { z } from "zod";

/** Longest record id accepted. */
export const MAX_RECORD_ID_LENGTH = 256;

/** A record id: 1–256 characters, no control characters. */
export const recordIdSchema = z
  .string()
  .min(1)
  .max(MAX_RECORD_ID_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters.
  .regex(/^[^\u0000-\u001f\u007f]+$/, "record ids may not contain control characters");

/** How a subscriber receives changes: the whole value each time, or RFC 6902 patches. */
export const recordModeSchema = z.enum(["full", "patch"]);

/** One RFC 6902 operation, as it travels. Applied with `applyPatch` from `@meshwork/client`. */
export const patchOperationSchema = z.object({
  op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
  path: z.string(),
  from: z.string().optional(),
  value: z.unknown().optional(),
});

/** Built-in command `mesh/subscribe-record`: its payload. */
export const subscribeRecordPayloadSchema = z.object({
  recordId: recordIdSchema,
  mode: recordModeSchema.optional(),
});

/**
 * Built-in command `mesh/subscribe-record`: its result. A record that does not exist reads as `null` at
 * version 0. The subscriber is registered before the value is read, so no update can fall in between.
 */
export const subscribeRecordResultSchema = z.object({
  success: z.boolean(),
  reason: z.string().optional(),
  record: z.unknown(),
  version: z.number().int().nonnegative(),
});

/** Built-in command `mesh/unsubscribe-record`: its payload. */
export const unsubscribeRecordPayloadSchema = z.object({ recordId: recordIdSchema });

/** Built-in command `mesh/publish-record-update`: its payload. `expectedVersion: 0` means "create only". */
export const publishRecordUpdatePayloadSchema = z.object({
  recordId: recordIdSchema,
  value: z.unknown(),
  expectedVersion: z.number().int().nonnegative().optional(),
});

/** Built-in command `mesh/publish-record-update`: its result, the version the record now has. */
export const publishRecordUpdateResultSchema = z.object({
  version: z.number().int().nonnegative(),
});

/** Names of the built-in record commands. */
export const RECORD_COMMANDS = {
  subscribe: "mesh/subscribe-record",
  unsubscribe: "mesh/unsubscribe-record",
  publish: "mesh/publish-record-update",
} as const;

export type RecordMode = z.infer<typeof recordModeSchema>;
export type PatchOperation = z.infer<typeof patchOperationSchema>;
export type SubscribeRecordPayload = z.infer<typeof subscribeRecordPayloadSchema>;
export type SubscribeRecordResult = z.infer<typeof subscribeRecordResultSchema>;
export type UnsubscribeRecordPayload = z.infer<typeof unsubscribeRecordPayloadSchema>;
export type PublishRecordUpdatePayload = z.infer<typeof publishRecordUpdatePayloadSchema>;
export type PublishRecordUpdateResult = z.infer<typeof publishRecordUpdateResultSchema>;
