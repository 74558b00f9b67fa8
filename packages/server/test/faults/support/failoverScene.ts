// The scene of the Redis Cluster failover tests: two instances on a Redis Cluster, a busy record, a channel with
// history and a tracked room all on one chosen shard, and four clients watching them from both instances.
import type { MeshClient } from "@meshwork/client";
import { createKeys } from "@meshwork/redis-state";
import { expect } from "vitest";
import type { RedisCluster } from "../../../../../testing/redis-cluster.mjs";
import { type Instance, admin, connectClient, eventually, startInstance } from "../../cluster/support/cluster";
import { FAST_RECONNECTS } from "../../cluster/support/reconnects";
import { uniquePrefix } from "../../cluster/support/redis";
import { type ChannelWatch, type RecordWatch, watchChannel, watchRecord } from "./failoverWatchers";
import type { BusyValue } from "./failoverTraffic";

type Client = MeshClient & { connectionId: string };

/** Everything a failover test starts and watches. */
export interface Scene {
  readonly A: Instance;
  readonly B: Instance;
  /** The port of the master that owns the registry, the record, the channel and the room. */
  readonly master: number;
  readonly record: string;
  /** The record's Redis key. */
  readonly recordKey: string;
  readonly channel: string;
  readonly room: string;
  /** Record subscribers: patch and full mode on A, patch and full mode on B. */
  readonly records: RecordWatch[];
  /** Channel subscribers: the same four clients. */
  readonly channels: ChannelWatch[];
  /** Present in the room: one client on A, one on B. */
  readonly members: Client[];
  /** Watching the room's presence (through presence stores): one client on A, one on B. */
  readonly watchers: Client[];
}

/** A name `base-<i>` whose key (`keyOf(name)`) lives on `master`; bounded. */
async function nameOn(cluster: RedisCluster, master: number, base: string, keyOf: (name: string) => string) {
  for (let i = 0; i < 100; i++) {
    const name = `${base}-${i}`;
    if ((await cluster.masterOfKey(keyOf(name))) === master) return name;
  }
  throw new Error(`no name ${base}-0…99 has its key on master ${master}`);
}

/**
 * Starts two instances on `cluster` under a fresh key prefix and the four clients. The record, the channel and the
 * room are named so that their keys live on the master that also holds the registry (connections, instances,
 * heartbeats): one master's failure then takes every part of the scene at once.
 */
export async function startScene(cluster: RedisCluster): Promise<Scene> {
  const prefix = uniquePrefix();
  const keys = createKeys(prefix);
  const master = await cluster.masterOfKey(keys.instances());
  const record = await nameOn(cluster, master, "busy", keys.record);
  const channel = await nameOn(cluster, master, "ticks", keys.channelHistory);
  const room = await nameOn(cluster, master, "lobby", (name) => keys.presence(name).members);
  // Errors are expected while a node is down (the instances report each failed connection attempt).
  const options = { redis: { cluster: cluster.seeds() }, keyPrefix: prefix, allowErrors: true };
  const [A, B] = (await Promise.all([startInstance(prefix, options), startInstance(prefix, options)])) as [
    Instance,
    Instance,
  ];
  for (const { server } of [A, B]) {
    server.exposeRecord(record);
    server.exposeChannel(channel);
    server.exposeRoom(room);
    server.trackPresence(room);
  }
  const [patchA, fullA, patchB, fullB] = await Promise.all(
    [A.url, A.url, B.url, B.url].map((url) => connectClient(url, FAST_RECONNECTS)),
  );
  const clients = { patchA, fullA, patchB, fullB } as Record<string, Client>;
  const records = await Promise.all(
    Object.entries(clients).map(([name, client]) =>
      watchRecord(name, client, record, name.startsWith("patch") ? "patch" : "full"),
    ),
  );
  const channels = await Promise.all(
    Object.entries(clients).map(([name, client]) => watchChannel(name, client, channel)),
  );
  const members = [patchA, patchB] as Client[];
  for (const member of members) expect((await member.joinRoom(room)).success).toBe(true);
  const watchers = [fullA, fullB] as Client[];
  for (const watcher of watchers) watcher.presenceStore(room).subscribe(() => {});
  const scene: Scene = {
    A,
    B,
    master,
    record,
    recordKey: keys.record(record),
    channel,
    room,
    records,
    channels,
    members,
    watchers,
  };
  await expectPresence(scene, 5_000);
  return scene;
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

/**
 * Waits until both members are present as both instances and both watching clients see it (their current
 * connections: a client that reconnected is a new connection).
 */
export async function expectPresence(scene: Scene, timeout: number): Promise<void> {
  await eventually(async () => {
    const expected = sorted(scene.members.map((member) => member.connectionId));
    for (const { server } of [scene.A, scene.B]) {
      const { members } = await server.getPresence(scene.room);
      expect(sorted(members.map((member) => member.connectionId))).toEqual(expected);
    }
    for (const watcher of scene.watchers) {
      const { members } = watcher.presenceStore(scene.room).getSnapshot();
      expect(sorted(members.map((member) => member.connectionId))).toEqual(expected);
    }
  }, timeout);
}

/** Waits until both watching clients see `state` as the presence state of `member`. */
export async function expectPresenceState(scene: Scene, member: Client, state: unknown, timeout: number) {
  await eventually(() => {
    for (const watcher of scene.watchers) {
      expect(watcher.presenceStore(scene.room).getSnapshot().states[member.connectionId]).toEqual(state);
    }
  }, timeout);
}

/** The record as one node holds it, read on that node alone (a replica is asked with READONLY). */
export async function recordOnNode(port: number, key: string): Promise<{ version: number; value: BusyValue | null }> {
  const node = admin(`redis://127.0.0.1:${port}`);
  await node.call("READONLY");
  const [version, json] = await node.hmget(key, "v", "d");
  return { version: Number(version ?? 0), value: json ? (JSON.parse(json) as BusyValue) : null };
}
