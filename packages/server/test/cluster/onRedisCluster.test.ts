// What the server-cluster project (vitest.cluster.config.ts) rests on: its instances really share a Redis Cluster,
// their state spreads over its masters, and their topics are sharded channels. Runs in that project only.
import { createKeys } from "@meshwork/redis-state";
import { describe, expect, it } from "vitest";
import { type Instance, admin, startCluster } from "./support/cluster";
import { TEST_REDIS, globOf, mastersOf, pubsubChannels, scanKeys } from "./support/redis";

describe("the multi-instance tests' store in the server-cluster project", () => {
  let firstPrefix = "";

  it("is a 3-master Redis Cluster: records written on one instance are read on another, from several masters", async () => {
    expect(typeof TEST_REDIS).toBe("object");
    const { prefix, nodes } = await startCluster(2);
    firstPrefix = prefix;
    const [A, B] = nodes as [Instance, Instance];
    const ids = Array.from({ length: 20 }, (_, i) => `doc:${i}`);
    for (const id of ids) await A.server.publishRecordUpdate(id, { id });
    expect(await Promise.all(ids.map((id) => B.server.getRecord(id)))).toEqual(ids.map((id) => ({ id })));

    const masters = await mastersOf(admin());
    expect(masters).toHaveLength(3);
    const recordKeysPerMaster = await Promise.all(
      masters.map(async (master) => (await scanKeys(master, prefix)).filter((key) => key.includes("doc")).length),
    );
    expect(recordKeysPerMaster.reduce((sum, count) => sum + count, 0)).toBe(20);
    expect(recordKeysPerMaster.filter((count) => count > 0).length).toBeGreaterThan(1);
  });

  it("carries the instances' topics on sharded channels: PUBSUB CHANNELS lists none of them on any master", async () => {
    const { prefix, nodes } = await startCluster(2);
    const [A, B] = nodes as [Instance, Instance];
    const redis = admin();
    const keys = createKeys(prefix);
    expect(await pubsubChannels(redis, prefix)).toEqual(
      [keys.busAll(), keys.busInstance(A.server.instanceId), keys.busInstance(B.server.instanceId)].sort(),
    );
    const masters = await mastersOf(redis);
    expect(masters).toHaveLength(3);
    const plain = await Promise.all(masters.map((master) => master.pubsub("CHANNELS", globOf(prefix))));
    expect(plain.flat()).toEqual([]);
  });

  it("after a test, none of its keys is left on any master", async () => {
    expect(firstPrefix).not.toBe("");
    expect(await scanKeys(admin(), firstPrefix)).toEqual([]);
  });
});
