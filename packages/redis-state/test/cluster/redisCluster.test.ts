import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "../../../../testing/redis-cluster.mjs";
import { isFree } from "../../../../testing/redis-server.mjs";

// The harness the cluster tests and benchmarks run on: a real Redis Cluster of redis-server processes.
// The steps build on each other (a failover needs the started cluster, stop() ends it), so they run in order.
describe("Redis Cluster harness (3 masters, 1 replica each)", () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, deadlineMs: 30_000 });
    client = new Cluster(cluster.seeds(), { clusterRetryStrategy: () => 100 });
    // A killed node's connection errors are expected; the commands are retried on the promoted master.
    client.on("error", () => {});
  }, 40_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it("covers all 16384 slots with 3 masters, each with a replica", async () => {
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    expect(masters.reduce((sum, master) => sum + master.slots, 0)).toBe(16_384);
    const replicas = await cluster.replicas();
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((replica) => replica.masterPort))).toEqual(new Set(masters.map((m) => m.port)));
  });

  it("serves a key through an ioredis Cluster before and after its master is SIGKILLed", async () => {
    const key = "harness:failover";
    await client.set(key, "kept");
    const oldMaster = await cluster.masterOfKey(key);
    // WAIT on the connection that wrote: the replica has the write before its master dies.
    const master = client.nodes("master").find((node) => node.options.port === oldMaster);
    expect(await master?.wait(1, 5_000)).toBe(1);

    await cluster.kill(oldMaster);
    const newMaster = await cluster.waitForPromotion(oldMaster, { deadlineMs: 20_000 });

    expect(newMaster).not.toBe(oldMaster);
    expect(await cluster.masterOfKey(key)).toBe(newMaster);
    expect(await client.get(key)).toBe("kept");
    await client.set(key, "after failover");
    expect(await client.get(key)).toBe("after failover");
  }, 40_000);

  it("stop() kills every node by pid and frees its ports", async () => {
    const nodes = cluster.nodes;
    const pids = nodes.map((node) => node.pid).filter((pid) => pid !== undefined);
    expect(pids).toHaveLength(5);
    client.disconnect();
    await cluster.stop();
    await cluster.stop();

    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    for (const node of nodes) {
      expect(await isFree(node.port)).toBe(true);
      expect(await isFree(node.port + 10_000)).toBe(true);
    }
  }, 20_000);
});
