import { z } from "zod";
import type { MeshServer } from "../../../src/index";
import { TEST_REDIS_URL, uniquePrefix } from "../../cluster/support/redis";
import { type MemoryLogger, startServer } from "../../support/servers";

/** Names the well-behaved neighbour owns; fuzz sockets may read them but never write them. */
export const NEIGHBOUR = {
  channel: "neighbour:chan",
  record: "neighbour:rec",
  ownRecord: "neighbour:own",
  room: "neighbour:room",
} as const;

/**
 * Limits well below the defaults, so a run of a few seconds crosses each of them many times: bad-message closes
 * (4003), rate-limit closes (4005) and subscription caps happen and the run goes on through reconnects.
 * The neighbour stays far inside them (see `neighbour.ts`).
 */
export const FUZZ_LIMITS = {
  maxBadMessages: 150,
  badMessageWindow: 10_000,
  badMessageReplies: 5,
  rateLimit: { commandsPerSecond: 100, burst: 60, maxRejected: 30, rejectWindow: 10_000 },
  maxSubscriptionsPerConnection: 25,
  maxPayload: 512 * 1024,
} as const;

/** The payload of the application command with a schema. */
export const sumSchema = z.object({ a: z.number(), b: z.number() });

/**
 * A server on the test Redis (its own key prefix) exposing every built-in feature to everyone: channels, records
 * and rooms of any name, presence on every room, writable records except the neighbour's (which only the
 * neighbour may write), plus `echo` and the schema-checked `sum`.
 */
export async function startFuzzServer(): Promise<{
  server: MeshServer;
  url: string;
  logger: MemoryLogger;
  keyPrefix: string;
  setNeighbour: (connectionId: string) => void;
}> {
  const keyPrefix = uniquePrefix();
  const { server, url, logger } = await startServer({
    redis: TEST_REDIS_URL,
    keyPrefix,
    // Short enough that fuzz sockets (which answer pings only by chance) meet the liveness close too.
    pingInterval: 2_000,
    latencyInterval: 500,
    closeTimeout: 500,
    ...FUZZ_LIMITS,
  });
  let neighbourId = "";
  const anyName = /[\s\S]*/;
  server.registerCommand("echo", (ctx) => ctx.payload);
  server.registerCommand("sum", (ctx) => ctx.payload.a + ctx.payload.b, { schema: sumSchema });
  server.exposeChannel(anyName);
  server.exposeRecord(anyName);
  server.exposeWritableRecord(/^(?!neighbour:)/);
  server.exposeWritableRecord(NEIGHBOUR.ownRecord, (connection) => connection.id === neighbourId);
  server.exposeRoom(anyName);
  server.trackPresence(anyName);
  return { server, url, logger, keyPrefix, setNeighbour: (id) => (neighbourId = id) };
}
