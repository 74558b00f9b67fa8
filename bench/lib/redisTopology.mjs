// The Redis of the redis-shards scenario, one of two shapes: one redis-server of the bench's own
// (testing/redis-server.mjs), or a Redis Cluster of its own (testing/redis-cluster.mjs, masters only). Both give
// the `redis` option a MeshServer takes, the pid of every redis-server (for their CPU) and each one's count of
// commands processed.
import { Redis } from "ioredis";
import { RedisProcess } from "../../testing/redis-server.mjs";
import { killOnExit } from "./children.mjs";
import { HOST } from "./config.mjs";

/** `INFO` fields of one redis-server, read over a connection of the harness's own. */
async function nodeReader({ host, port }) {
  const client = new Redis({ host, port, enableReadyCheck: false, maxRetriesPerRequest: 1, lazyConnect: true });
  client.on("error", () => {});
  await client.connect();
  const field = (text, name) => new RegExp(`^${name}:(.*)\r?$`, "m").exec(text)?.[1];
  return {
    version: field(await client.info("server"), "redis_version"),
    /** Commands this server processed so far (the harness's INFO calls included: two per window). */
    commandsProcessed: async () => Number(field(await client.info("stats"), "total_commands_processed")),
    close: () => client.disconnect(),
  };
}

/** Connects a reader to every node; on failure closes those already connected. */
async function readersOf(nodes) {
  const readers = [];
  try {
    for (const node of nodes) readers.push(await nodeReader(node));
  } catch (err) {
    for (const r of readers) r.close();
    throw err;
  }
  return readers;
}

/** `{ id, label, redisOption, pids, version, commandsProcessed(), stop() }` over started nodes. */
async function topology(id, label, redisOption, nodes, stopNodes) {
  const forget = nodes.map((n) => killOnExit(n.pid));
  let readers = [];
  try {
    readers = await readersOf(nodes);
  } catch (err) {
    await stopNodes();
    throw err;
  }
  return {
    id,
    label,
    redisOption,
    pids: nodes.map((n) => n.pid),
    ports: nodes.map((n) => n.port),
    version: readers[0].version,
    commandsProcessed: () => Promise.all(readers.map((r) => r.commandsProcessed())),
    async stop() {
      for (const r of readers) r.close();
      await stopNodes();
      for (const f of forget) f();
    },
  };
}

/** One redis-server on a free loopback port. */
export async function startSingleRedis() {
  const server = await RedisProcess.launch();
  const node = { host: HOST, port: server.port, pid: server.pid };
  return topology("single", "1 redis-server", server.url, [node], () => server.stop());
}

/** A Redis Cluster of `masters` masters and no replicas, every node on a free loopback port. */
export async function startClusterRedis({ masters, deadlineMs }) {
  let startRedisCluster;
  try {
    ({ startRedisCluster } = await import("../../testing/redis-cluster.mjs"));
  } catch (err) {
    throw new Error(`the cluster launcher testing/redis-cluster.mjs cannot be loaded: ${err.message}`);
  }
  // Redis's default node timeout, not the tests' short one: on a saturated machine a node that answers late must not
  // be marked failing (with no replicas, its slots would go down).
  const cluster = await startRedisCluster({ masters, replicasPerMaster: 0, nodeTimeoutMs: 15_000, deadlineMs });
  const nodes = cluster.nodes.map(({ host, port, pid }) => ({ host, port, pid }));
  const label = `${masters}-master Redis Cluster`;
  return topology("cluster", label, { cluster: cluster.seeds() }, nodes, () => cluster.stop());
}
