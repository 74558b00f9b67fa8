import { z } from "zod";
import { MAX_NAME_LENGTH } from "./limits";

/** A request id: chosen by the client, unique among its requests in flight. */
export const requestIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Runs a command on the server; answered by a `response` or an `error` with the same id. */
export const requestMessageSchema = z.object({
  type: z.literal("request"),
  id: requestIdSchema,
  command: z.string().min(1).max(MAX_NAME_LENGTH),
  payload: z.unknown().optional(),
});

/** Answers a server `ping`: proves the connection is alive. */
export const pongMessageSchema = z.object({
  type: z.literal("pong"),
});

/** Answers a server `latency-probe` with the probe's id, so the server can time the round trip. */
export const latencyReplyMessageSchema = z.object({
  type: z.literal("latency-reply"),
  id: requestIdSchema,
});

/** Every message a client sends. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  requestMessageSchema,
  pongMessageSchema,
  latencyReplyMessageSchema,
]);

export type RequestMessage = z.infer<typeof requestMessageSchema>;
export type PongMessage = z.infer<typeof pongMessageSchema>;
export type LatencyReplyMessage = z.infer<typeof latencyReplyMessageSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
