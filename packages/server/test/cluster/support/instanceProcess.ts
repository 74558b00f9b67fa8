/**
 * A meshwork instance in a process of its own, so a test can kill it with SIGKILL: a real crash, with no
 * close(), no last heartbeat and no goodbye on the bus. Started by {@link ./childInstance.ts}; not a test file.
 *
 * How it runs TypeScript: `node --conditions=source --import tsx instanceProcess.ts`. `tsx` (a root
 * devDependency) transpiles TS on load; the `source` condition makes `@meshwork/*` resolve to `src/`, as it does
 * for vitest and tsc, so the child runs the same source as the test, with no build. Alternatives tried and
 * rejected: Node 20 has no `--experimental-strip-types`; vitest 4 no longer ships `vite-node`; importing `dist/`
 * would need a build first.
 *
 * Configuration comes from the environment (MESH_TEST_REDIS: a Redis URL or a Redis Cluster as JSON, MESH_TEST_PREFIX, MESH_TEST_HEARTBEAT,
 * MESH_TEST_TTL, and optionally MESH_TEST_PRESENCE_ROOM with MESH_TEST_PRESENCE_TTL: a room whose presence it tracks,
 * and MESH_TEST_SHUTDOWN_TIMEOUT: graceful shutdown on SIGTERM/SIGINT with that `shutdownTimeout`; MESH_TEST_PORT: the port
 * to listen on; MESH_TEST_EXPOSE: JSON `{ channels, records, rooms }` of names clients may subscribe to and join). Talks to its parent over the IPC channel: sends `{ type: "ready", port, instanceId }` once it
 * listens, and exits when the channel closes (the parent is gone), so no orphan outlives a failed run.
 */
import { MeshServer, type RedisClusterConnection } from "@meshwork/server";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`instanceProcess: ${name} is not set`);
  return value;
}

/** A Redis URL as it is; a Redis Cluster (`{ "cluster": [{ "host", "port" }, …] }`) from its JSON. */
function redisOf(value: string): string | RedisClusterConnection {
  return value.startsWith("{") ? (JSON.parse(value) as RedisClusterConnection) : value;
}

const server = new MeshServer({
  port: Number(process.env.MESH_TEST_PORT ?? 0),
  host: "127.0.0.1",
  redis: redisOf(required("MESH_TEST_REDIS")),
  keyPrefix: required("MESH_TEST_PREFIX"),
  heartbeatInterval: Number(required("MESH_TEST_HEARTBEAT")),
  instanceTtl: Number(required("MESH_TEST_TTL")),
  ...(process.env.MESH_TEST_SHUTDOWN_TIMEOUT
    ? { shutdownTimeout: Number(process.env.MESH_TEST_SHUTDOWN_TIMEOUT) }
    : {}),
  logger: { debug() {}, info() {}, warn: console.warn, error: console.error },
});

const presenceRoom = process.env.MESH_TEST_PRESENCE_ROOM;
if (presenceRoom) server.trackPresence(presenceRoom, { ttl: Number(required("MESH_TEST_PRESENCE_TTL")) });

const expose = JSON.parse(process.env.MESH_TEST_EXPOSE ?? "{}") as Record<string, string[] | undefined>;
for (const channel of expose.channels ?? []) server.exposeChannel(channel);
for (const record of expose.records ?? []) server.exposeRecord(record);
for (const room of expose.rooms ?? []) server.exposeRoom(room);

/** The test's clients call this to put themselves in rooms and give themselves metadata on this instance. */
server.registerCommand("cluster-test/setup", async (ctx) => {
  const { rooms, metadata } = ctx.payload as { rooms: string[]; metadata: Record<string, unknown> };
  for (const room of rooms) await server.addToRoom(room, ctx.connection);
  await server.connectionManager.setMetadata(ctx.connection, metadata);
  return { instanceId: server.instanceId };
});

/** A command that takes `ms` milliseconds, telling the parent when it starts: something to be in flight. */
server.registerCommand("cluster-test/slow", async (ctx) => {
  process.send?.({ type: "slow-started" });
  await new Promise((resolve) => setTimeout(resolve, Number(ctx.payload)));
  return "slow done";
});

if (process.env.MESH_TEST_SHUTDOWN_TIMEOUT) server.enableGracefulShutdown();

await server.ready();
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready", port: server.port, instanceId: server.instanceId });
