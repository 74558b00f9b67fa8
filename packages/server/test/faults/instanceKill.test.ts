// An instance SIGKILLed under 500 clients. Instance A runs in a child process (a real crash: no close(), no 1001,
// no last heartbeat); B runs here. Every client was given [A, B], is connected to A, subscribed to a channel and a
// record and a member of a room whose presence is tracked. After the kill every client must reach B through its
// URL list with all of that back, and B must remove what A left behind (room membership, connection registry,
// presence) within the instance TTL.
import type { MeshClient } from "@meshwork/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startInstance, testPrefix } from "../cluster/support/cluster";
import { killChildren, startChildInstance } from "../cluster/support/childInstance";
import { nextReconnect } from "../cluster/support/reconnects";
import { TEST_REDIS } from "../cluster/support/redis";

const CLIENTS = 500;
const HEARTBEAT = 200;
const INSTANCE_TTL = 1_000;
const PRESENCE_TTL = 1_000;
// Allowance for Redis round trips and a busy 2-core machine (other test files run in parallel).
const SLACK = 2_000;
const EXPOSED = { channels: ["news"], records: ["doc:1"], rooms: ["lobby"] };

afterEach(killChildren);

type Client = MeshClient & { connectionId: string };

/** Runs `task` for 0..count-1 with at most `width` running at once. */
async function inBatches(count: number, width: number, task: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => task(start + i)));
  }
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

describe("an instance SIGKILLed under 500 clients", () => {
  it("fails every client over to the survivor with its subscriptions, room and presence; the survivor cleans up", async () => {
    const prefix = testPrefix();
    const timings = { heartbeatInterval: HEARTBEAT, instanceTtl: INSTANCE_TTL };
    const B: Instance = await startInstance(prefix, timings);
    for (const channel of EXPOSED.channels) B.server.exposeChannel(channel);
    for (const record of EXPOSED.records) B.server.exposeRecord(record);
    for (const room of EXPOSED.rooms) B.server.exposeRoom(room);
    B.server.trackPresence("lobby", { ttl: PRESENCE_TTL });
    const A = await startChildInstance({
      redis: TEST_REDIS,
      keyPrefix: prefix,
      ...timings,
      presence: { room: "lobby", ttl: PRESENCE_TTL },
      expose: EXPOSED,
    });

    const setupStarted = performance.now();
    const clients: Client[] = [];
    const news: unknown[][] = [];
    const records: unknown[][] = [];
    await inBatches(CLIENTS, 50, async (i) => {
      const client = await connectClient([A.url, B.url], { reconnectInterval: 100, maxReconnectInterval: 1_000 });
      news[i] = [];
      records[i] = [];
      expect((await client.subscribe("news", (message) => news[i]!.push(message))).success).toBe(true);
      expect((await client.subscribeRecord("doc:1", (update) => records[i]!.push(update.full))).success).toBe(true);
      expect((await client.joinRoom("lobby")).success).toBe(true);
      clients[i] = client;
    });
    const setupMs = performance.now() - setupStarted;
    const oldIds = clients.map((client) => client.connectionId);
    expect(clients.every((client) => client.url === A.url)).toBe(true);
    expect((await B.server.getPresence("lobby")).members).toHaveLength(CLIENTS);

    const back: number[] = [];
    const killedAt = performance.now();
    const allBack = Promise.all(
      clients.map((client) => nextReconnect(client).then(() => void back.push(performance.now() - killedAt))),
    );
    await A.kill("SIGKILL");
    // Measured while the clients come back: when nothing of A's connections is left in B's view.
    let cleanMs = 0;
    const oldSet = new Set(oldIds);
    const cleaned = eventually(
      async () => {
        const registry = (await B.server.connectionManager.getAllMetadata()).flatMap((entry) => Object.keys(entry));
        const presence = (await B.server.getPresence("lobby")).members.map((member) => member.connectionId);
        const left = [...(await B.server.getRoomMembers("lobby")), ...registry, ...presence];
        expect(left.filter((id) => oldSet.has(id))).toEqual([]);
        cleanMs = performance.now() - killedAt;
      },
      INSTANCE_TTL + HEARTBEAT + SLACK,
    );
    await eventually(() => expect(back).toHaveLength(CLIENTS), 20_000);
    await allBack;
    const newIds = clients.map((client) => client.connectionId);
    expect(clients.every((client) => client.url === B.url)).toBe(true);
    expect(newIds.filter((id) => oldIds.includes(id))).toEqual([]);

    // Subscriptions are back: a channel message and a record write made on B reach all 500.
    await B.server.publishToChannel("news", "after the crash");
    await B.server.publishRecordUpdate("doc:1", { n: "after the crash" });
    await eventually(() => {
      expect(news.filter((got) => got.at(-1) === "after the crash")).toHaveLength(CLIENTS);
      expect(records.filter((got) => (got.at(-1) as { n?: string } | null)?.n === "after the crash")).toHaveLength(
        CLIENTS,
      );
    }, 5_000);
    // Rooms and presence are back on B, for the new connections.
    const members = new Set(await B.server.getRoomMembers("lobby"));
    expect(newIds.filter((id) => !members.has(id))).toEqual([]);
    const present = new Set((await B.server.getPresence("lobby")).members.map((member) => member.connectionId));
    expect(newIds.filter((id) => !present.has(id))).toEqual([]);

    // What A left behind was gone within the instance TTL (plus a heartbeat and slack): memberships, the connection
    // registry and presence hold the new connections only.
    await cleaned;
    expect(cleanMs).toBeLessThan(INSTANCE_TTL + HEARTBEAT + SLACK);
    expect(sorted(await B.server.getRoomMembers("lobby"))).toEqual(sorted(newIds));
    const registry = (await B.server.connectionManager.getAllMetadata()).flatMap((entry) => Object.keys(entry));
    expect(sorted(registry)).toEqual(sorted(newIds));
    const presence = (await B.server.getPresence("lobby")).members.map((member) => member.connectionId);
    expect(sorted(presence)).toEqual(sorted(newIds));
    back.sort((x, y) => x - y);
    const at = (q: number): number => Math.round(back[Math.min(back.length - 1, Math.floor(q * back.length))]!);
    console.info(
      `[instance kill] ${CLIENTS} clients set up on A in ${Math.round(setupMs)} ms; after SIGKILL all back on B ` +
        `(reconnect event) p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms; A's state gone from B's view ` +
        `${Math.round(cleanMs)} ms after the kill (instanceTtl ${INSTANCE_TTL}, heartbeat ${HEARTBEAT}, presence ttl ${PRESENCE_TTL})`,
    );
  }, 60_000);
});
