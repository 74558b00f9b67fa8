// A slot moving between masters of a Redis Cluster (resharding) while its record is written and watched on two
// instances (docs/operations.md, "Slot moves, failovers and restarts"): commands follow ASK and MOVED, the record's
// subscriptions follow the slot to its new owner, and every subscriber keeps a gap-free, in-order view.
import { applyPatch } from "@meshwork/client";
import { createKeys } from "@meshwork/redis-state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "../../../../testing/redis-cluster.mjs";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { migrateSlot, shardSubscribers, slotOf } from "./support/slotMigration";

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 40_000);
afterAll(async () => {
  await cluster?.stop();
});

interface Update {
  version: number;
  full?: unknown;
  patch?: Parameters<typeof applyPatch>[1];
}

describe("a slot moving between masters", () => {
  it("keeps writes acknowledged and every subscriber on both instances gap-free, in order, and at the final value", async () => {
    const { prefix, nodes } = await startCluster(2, { redis: { cluster: cluster.seeds() } });
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) server.exposeRecord("busy");
    const held = new Map<string, { version: number; value: unknown; versions: number[] }>();
    for (const [name, instance, mode] of [
      ["A-patch", A, "patch"],
      ["B-patch", B, "patch"],
      ["B-full", B, "full"],
    ] as const) {
      const client = await connectClient(instance.url);
      held.set(name, { version: 0, value: null, versions: [] });
      await client.subscribeRecord(
        "busy",
        (update: Update) => {
          const entry = held.get(name)!;
          entry.value = update.patch ? applyPatch(entry.value, update.patch) : update.full;
          entry.version = update.version;
          entry.versions.push(update.version);
        },
        { mode },
      );
    }

    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing && written < 5_000) {
        written = await A.server.publishRecordUpdate("busy", { n: written + 1, pad: "x".repeat(64) });
      }
    })();
    await eventually(() => expect(held.get("B-full")!.version).toBeGreaterThan(20));

    const key = createKeys(prefix).record("busy");
    const from = await cluster.masterOfKey(key);
    const masters = (await cluster.masters()).map((m) => m.port);
    const to = masters.find((port) => port !== from)!;
    const slot = await slotOf(from, key);
    const bus = createKeys(prefix).busRecord("busy");
    expect(await shardSubscribers(from, bus)).toBe(2);
    const startedAt = written;
    expect(await migrateSlot(slot, from, to, masters)).toBeGreaterThanOrEqual(1);
    expect(await cluster.masterOfKey(key)).toBe(to);
    // Both instances listen to the record on its new owner, and no longer on the old one.
    await eventually(async () => {
      expect(await shardSubscribers(to, bus)).toBe(2);
      expect(await shardSubscribers(from, bus)).toBe(0);
    }, 10_000);

    // Writes go on past the move, and reach every subscriber from the new owner.
    await eventually(() => expect(written).toBeGreaterThan(startedAt + 50), 10_000);
    const afterMove = written;
    await eventually(() => {
      for (const entry of held.values()) expect(entry.version).toBeGreaterThan(afterMove);
    }, 10_000);
    writing = false;
    await writer;

    const final = await A.server.getRecordWithVersion("busy");
    expect(final.version).toBe(written);
    await eventually(() => {
      for (const entry of held.values()) expect({ version: entry.version, value: entry.value }).toEqual(final);
    });
    for (const [name, entry] of held) {
      const resyncs = entry.versions.filter((v, i) => i > 0 && v !== entry.versions[i - 1]! + 1).length;
      console.info(`${name}: ${entry.versions.length} updates up to version ${entry.version}, ${resyncs} jumps`);
      const ordered = entry.versions.every((v, i) => i === 0 || v > entry.versions[i - 1]!);
      expect(ordered, `${name} versions strictly increasing`).toBe(true);
    }
    expect([A, B].flatMap((i) => i.errors)).toEqual([]);
  });
});
