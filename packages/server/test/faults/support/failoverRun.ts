// The steps of a Redis Cluster failover test: load, optionally cut the replica off, SIGKILL the master, wait for
// the promotion, and wait until traffic, subscribers and presence are back; timed against performance.now().
import { expect } from "vitest";
import type { RedisCluster } from "../../../../../testing/redis-cluster.mjs";
import { admin, connectClient, eventually } from "../../cluster/support/cluster";
import { FAST_RECONNECTS } from "../../cluster/support/reconnects";
import { type Scene, expectPresence, expectPresenceState, recordOnNode } from "./failoverScene";
import {
  type AckedTick,
  type AckedWrite,
  type BusyValue,
  type Load,
  startPublisher,
  startRecordWriter,
} from "./failoverTraffic";
import { type ChannelWatch, watchChannel } from "./failoverWatchers";

export const WRITE_PACE_MS = 5;
export const PUBLISH_PACE_MS = 10;
/** Enough to hold every message of a test, so the stored history can be compared with every acknowledgement. */
export const HISTORY = 1_000;
const PROMOTION_BOUND_MS = 15_000;
/**
 * From the promotion until every subscriber on both instances has new traffic: the instances find the new master
 * at the next MOVED reply, their sharded subscribers retry with a backoff of up to 2 s (ioredis
 * ClusterSubscriberGroup); the rest is slack for a busy 2-core machine.
 */
export const RESUME_BOUND_MS = 6_000;

/** Starts the load and waits until every subscriber has seen it flow. */
export async function warmUp(scene: Scene): Promise<{ writer: Load<AckedWrite>; publisher: Load<AckedTick> }> {
  const writer = startRecordWriter(scene.A.server, scene.record, WRITE_PACE_MS);
  const publisher = startPublisher(scene.B.server, scene.channel, HISTORY, PUBLISH_PACE_MS);
  await eventually(() => {
    expect(writer.acked.length).toBeGreaterThanOrEqual(100);
    for (const watch of scene.records) expect(watch.version).toBeGreaterThanOrEqual(50);
    for (const watch of scene.channels) expect(watch.received.length).toBeGreaterThanOrEqual(20);
  }, 15_000);
  return { writer, publisher };
}

/** What a failover run measured; times are performance.now() values. */
export interface FailoverRun {
  readonly writer: Load<AckedWrite>;
  readonly publisher: Load<AckedTick>;
  /** When the replica was cut off from its master (only when asked for). */
  readonly cutAt: number | undefined;
  readonly killStartedAt: number;
  /** When the SIGKILLed master had exited. */
  readonly killedAt: number;
  readonly newMaster: number;
  /** When the harness saw the replica promoted and the cluster ok again. */
  readonly promotedAt: number;
  /** The record on the new master right after the promotion was seen. */
  readonly atPromotion: { version: number; value: BusyValue | null };
  /** When every subscriber had traffic written after the promotion. */
  readonly resumedAt: number;
  /** A channel subscriber per instance that subscribed after the promotion: what each instance relays since then. */
  readonly late: ChannelWatch[];
}

/**
 * Stops the replica (SIGSTOP) and has its master drop its link (CLIENT KILL), so the master goes on acknowledging
 * writes the replica never gets: a replica that fell behind, made certain. Returns the function that lets it run
 * again (SIGCONT); it cannot reconnect to a master that is gone by then.
 */
async function cutReplica(cluster: RedisCluster, master: number): Promise<() => void> {
  const replica = (await cluster.replicas()).find((node) => node.masterPort === master);
  const pid = cluster.nodes.find((node) => node.port === replica?.port)?.pid;
  if (pid === undefined) throw new Error(`master ${master} has no running replica`);
  process.kill(pid, "SIGSTOP");
  expect(await admin(`redis://127.0.0.1:${master}`).call("CLIENT", "KILL", "TYPE", "replica")).toBe(1);
  return () => process.kill(pid, "SIGCONT");
}

/** A channel subscriber on `url` that subscribes once the instance can serve it again (bounded). */
function lateWatch(name: string, url: string, channel: string): Promise<ChannelWatch> {
  return eventually(async () => watchChannel(name, await connectClient(url, FAST_RECONNECTS), channel), 5_000);
}

/**
 * Under load, SIGKILLs the master that holds the scene (after cutting its replica off, with `cut`), waits for the
 * promotion, then until traffic reaches every subscriber again, presence is back, and 50 more writes went through;
 * stops the load.
 */
export async function runFailover(cluster: RedisCluster, scene: Scene, { cut = false } = {}): Promise<FailoverRun> {
  const { writer, publisher } = await warmUp(scene);
  let cutAt: number | undefined;
  let resumeReplica = (): void => {};
  if (cut) {
    resumeReplica = await cutReplica(cluster, scene.master);
    cutAt = performance.now();
    const ackedAtCut = writer.acked.length;
    await eventually(() => expect(writer.acked.length).toBeGreaterThanOrEqual(ackedAtCut + 40), 5_000);
  }
  const killStartedAt = performance.now();
  await cluster.kill(scene.master);
  const killedAt = performance.now();
  resumeReplica();
  const newMaster = await cluster.waitForPromotion(scene.master, { deadlineMs: PROMOTION_BOUND_MS });
  const promotedAt = performance.now();
  const atPromotion = await recordOnNode(newMaster, scene.recordKey);
  const late = await Promise.all([
    lateWatch("lateA", scene.A.url, scene.channel),
    lateWatch("lateB", scene.B.url, scene.channel),
  ]);

  // Traffic resumes by itself: new writes are acknowledged and reach every record subscriber, and new channel
  // messages reach every channel subscriber, on both instances.
  await eventually(() => {
    const fresh = writer.acked.filter((write) => write.ackedAt > promotedAt);
    expect(fresh.length).toBeGreaterThanOrEqual(20);
    for (const watch of scene.records) expect(watch.version).toBeGreaterThanOrEqual(fresh[0]!.version);
    const freshTick = publisher.acked.find((tick) => tick.ackedAt > promotedAt);
    expect(freshTick).toBeDefined();
    for (const watch of [...scene.channels, ...late])
      expect(watch.received.at(-1)).toBeGreaterThanOrEqual(freshTick!.n);
  }, RESUME_BOUND_MS);
  const resumedAt = performance.now();

  // Presence is back: both members on both instances and in both watchers' views, and a new state reaches both.
  await expectPresence(scene, RESUME_BOUND_MS);
  const [member] = scene.members;
  const published = await member!.publishPresenceState(scene.room, { state: { after: "failover" } });
  expect(published).toMatchObject({ success: true });
  await expectPresenceState(scene, member!, { after: "failover" }, 3_000);

  const ackedAtResume = writer.acked.length;
  await eventually(() => expect(writer.acked.length).toBeGreaterThanOrEqual(ackedAtResume + 50), 5_000);
  await Promise.all([writer.stop(), publisher.stop()]);
  return {
    writer,
    publisher,
    cutAt,
    killStartedAt,
    killedAt,
    newMaster,
    promotedAt,
    atPromotion,
    resumedAt,
    late,
  };
}
