import { z } from "zod";
import { requestIdSchema } from "./clientMessages";
import { MAX_NAME_LENGTH } from "./limits";
import { presenceEventSchema, presencePositionSchema } from "./presence";
import { patchOperationSchema } from "./records";

/** An error as it travels: a stable code, a human message and optional structured details. Never a stack. */
export const wireErrorSchema = z.object({
  code: z.string().min(1).max(128),
  message: z.string(),
  details: z.unknown().optional(),
});

/** First message on every connection: who the client is and the server's timing, so it can watch liveness. */
export const helloMessageSchema = z.object({
  type: z.literal("hello"),
  connectionId: z.string().min(1),
  protocol: z.number().int().positive(),
  /** Milliseconds between the server's pings. */
  pingInterval: z.number().nonnegative(),
  /** Milliseconds between the server's latency probes. */
  latencyInterval: z.number().nonnegative(),
  /** Largest frame in bytes the server accepts. */
  maxPayload: z.number().int().positive(),
});

/** The successful result of a request. */
export const responseMessageSchema = z.object({
  type: z.literal("response"),
  id: requestIdSchema,
  result: z.unknown().optional(),
});

/**
 * The failure of a request, answered with its `id`. Without `id`, the answer to a frame that carried no usable
 * request id (not JSON, wrong shape, binary): `BAD_MESSAGE` with the reason, sent a few times per window at most.
 */
export const errorMessageSchema = z.object({
  type: z.literal("error"),
  id: requestIdSchema.optional(),
  error: wireErrorSchema,
});

/** A message the server pushes without a request: broadcasts, room broadcasts, `sendTo`. */
export const pushMessageSchema = z.object({
  type: z.literal("push"),
  command: z.string().min(1).max(MAX_NAME_LENGTH),
  payload: z.unknown().optional(),
});

/**
 * A message published to a channel the client subscribed to. `offset` and `epoch` are present when the message
 * was stored in the channel's history: the client keeps the last ones to recover what it misses while away.
 */
export const channelMessageSchema = z.object({
  type: z.literal("channel-message"),
  channel: z.string().min(1),
  message: z.unknown(),
  offset: z.number().int().nonnegative().optional(),
  epoch: z.string().optional(),
});

/**
 * A change to a record the client subscribed to: version `version` replaced version `version - 1`. Carries
 * `full` (the new value) for full-mode subscribers and `patch` (RFC 6902, against the previous version) for
 * patch-mode ones; `deleted` when the record was deleted (then neither, and the version is the last one).
 */
export const recordUpdateMessageSchema = z.object({
  type: z.literal("record-update"),
  recordId: z.string().min(1),
  version: z.number().int().nonnegative(),
  full: z.unknown().optional(),
  patch: z.array(patchOperationSchema).optional(),
  deleted: z.literal(true).optional(),
});

/** A presence event of a room the client watches, with its position (see `presence.ts`). */
export const presenceMessageSchema = z.object({
  type: z.literal("presence"),
  event: presenceEventSchema,
  position: presencePositionSchema,
});

/** Liveness check; the client answers with `pong`. */
export const pingMessageSchema = z.object({
  type: z.literal("ping"),
});

/** Latency check; the client answers with `latency-reply` carrying the same id. */
export const latencyProbeMessageSchema = z.object({
  type: z.literal("latency-probe"),
  id: requestIdSchema,
});

/** The round trip the server measured with its last probe, in milliseconds. */
export const latencyMessageSchema = z.object({
  type: z.literal("latency"),
  ms: z.number().nonnegative(),
});

/** Every message a server sends. */
export const serverMessageSchema = z.discriminatedUnion("type", [
  helloMessageSchema,
  responseMessageSchema,
  errorMessageSchema,
  pushMessageSchema,
  channelMessageSchema,
  recordUpdateMessageSchema,
  presenceMessageSchema,
  pingMessageSchema,
  latencyProbeMessageSchema,
  latencyMessageSchema,
]);

export type WireError = z.infer<typeof wireErrorSchema>;
export type HelloMessage = z.infer<typeof helloMessageSchema>;
export type ResponseMessage = z.infer<typeof responseMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type PushMessage = z.infer<typeof pushMessageSchema>;
export type ChannelMessage = z.infer<typeof channelMessageSchema>;
export type RecordUpdateMessage = z.infer<typeof recordUpdateMessageSchema>;
export type PresenceMessage = z.infer<typeof presenceMessageSchema>;
export type PingMessage = z.infer<typeof pingMessageSchema>;
export type LatencyProbeMessage = z.infer<typeof latencyProbeMessageSchema>;
export type LatencyMessage = z.infer<typeof latencyMessageSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
