// What a user would check after a Redis Cluster failover, and the figures the failover tests print: record
// subscribers in order and converged, the loss window, the channel's stored history and live subscribers.
import { expect } from "vitest";
import { connectClient, eventually } from "../../cluster/support/cluster";
import type { Scene } from "./failoverScene";
import { type FailoverRun, HISTORY } from "./failoverRun";
import type { AckedTick, AckedWrite, BusyValue } from "./failoverTraffic";
import { outOfOrder } from "./failoverWatchers";

/** Versions that do not follow the one before by exactly one. */
export function versionGaps(writes: readonly AckedWrite[]): string[] {
  return writes.flatMap((write, i) => {
    const previous = writes[i - 1];
    return previous && write.version !== previous.version + 1 ? [`${previous.version}→${write.version}`] : [];
  });
}

/**
 * Waits until every record subscriber holds the store's value and version, checks that none saw versions out of
 * order or a patch that did not follow its version by one, and returns the store's value.
 */
export async function expectConverged(scene: Scene) {
  const final = await scene.A.server.getRecordWithVersion<BusyValue>(scene.record);
  await eventually(() => {
    for (const { name, version, value } of scene.records) {
      expect({ name, version, value }).toEqual({ name, version: final.version, value: final.value });
    }
  }, 5_000);
  for (const watch of scene.records) expect(watch.problems, watch.name).toEqual([]);
  return final;
}

/** The channel's stored history, oldest first, as a new subscriber reads it. */
export async function storedHistory(scene: Scene): Promise<number[]> {
  const reader = await connectClient(scene.A.url);
  const { success, history } = await reader.subscribe<number>(scene.channel, () => {}, { historyLimit: HISTORY });
  expect(success).toBe(true);
  return [...history].reverse();
}

/** What the record writes of a failover run tell about its loss window. */
export interface RecordLoss {
  /** The version the new master went on from: what its replica had. */
  readonly carried: number;
  /** Writes acknowledged by the old master with a version above `carried`: gone with it. */
  readonly lost: AckedWrite[];
  readonly final: { value: BusyValue | null; version: number };
}

const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Record checks: every subscriber converges, in order; the writes acknowledged before the kill (by the old master)
 * and after it (by the new one, which went on from the version its replica had) each have contiguous versions;
 * every delivery made after the new master's first write holds the value the store has at that version.
 */
export async function checkRecords(scene: Scene, run: FailoverRun): Promise<RecordLoss> {
  const { writer, killedAt, atPromotion } = run;
  const final = await expectConverged(scene);
  expect(final.value).toEqual(writer.acked.at(-1)!.value);
  expect(final.version).toBe(writer.acked.at(-1)!.version);
  const before = writer.acked.filter((write) => write.ackedAt <= killedAt);
  const after = writer.acked.filter((write) => write.ackedAt > killedAt);
  expect(versionGaps(before)).toEqual([]);
  // No gap either: a write refused after the kill did not run later, on the new master, behind the writer's back.
  expect(versionGaps(after)).toEqual([]);
  const carried = after[0]!.version - 1;
  // Read right after the promotion: the carried version itself, unless new writes were already there.
  if (atPromotion.value && atPromotion.value.n < after[0]!.value.n) expect(atPromotion.version).toBe(carried);
  const valueAt = new Map(writer.acked.map((write) => [write.version, write.value]));
  for (const watch of scene.records) {
    const wrong = watch.deliveries.filter(
      (d) => d.at >= after[0]!.ackedAt && valueAt.has(d.version) && !isEqual(d.value, valueAt.get(d.version)),
    );
    expect(wrong.map((d) => `${watch.name} v${d.version}: ${JSON.stringify(d.value)}`)).toEqual([]);
  }
  return { carried, lost: before.filter((write) => write.version > carried), final };
}

/** What the channel of a failover run tells. */
export interface ChannelLoss {
  readonly stored: number[];
  /** Acknowledged messages the stored history does not hold: gone with the old master. */
  readonly lost: AckedTick[];
  /** Per subscriber: stored messages it never got between its last message before the kill and its first after. */
  readonly liveGaps: Record<string, number>;
}

/**
 * Channel checks: the stored history keeps publish order without duplicates; a publish refused after the kill did
 * not run later; every subscriber got messages in order, once each, and everything its instance relayed since a
 * subscriber there subscribed anew after the promotion.
 */
export async function checkChannel(scene: Scene, run: FailoverRun): Promise<ChannelLoss> {
  const { publisher, killedAt, late } = run;
  const stored = await storedHistory(scene);
  expect(outOfOrder(stored)).toEqual([]);
  const storedSet = new Set(stored);
  // A publish sent after the kill could only run on the new master. Refused, it must not run later: its caller
  // went on (published the next message, or this one again), so running it then would put it after newer messages,
  // or twice.
  const replayed = publisher.refused.filter((refusal) => refusal.sentAt > killedAt && storedSet.has(refusal.n));
  expect(replayed.map((r) => `${r.n} (${r.code} ${Math.round(r.at - killedAt)} ms after the kill)`)).toEqual([]);
  const liveGaps: Record<string, number> = {};
  for (const watch of scene.channels) {
    expect(outOfOrder(watch.received), watch.name).toEqual([]);
    const received = new Set(watch.received);
    // A subscription restored with `recovered: false` was told it may have missed messages until its next one.
    const notRecovered = watch.recoveries.filter((recovery) => !recovery.recovered).at(-1);
    if (watch.recoveries.length > 0)
      expect(watch.received.length, watch.name).toBeGreaterThan(watch.recoveries.at(-1)!.after);
    const resumedFrom = notRecovered ? (watch.received[notRecovered.after] ?? Number.POSITIVE_INFINITY) : 0;
    const sameInstance = late[watch.name.endsWith("A") ? 0 : 1]!;
    expect(
      sameInstance.received.filter((n) => n >= resumedFrom && !received.has(n)),
      `${watch.name}: messages a subscriber on its instance got after the promotion`,
    ).toEqual([]);
    const firstAfterKill = watch.received[watch.at.findIndex((at) => at > killedAt)]!;
    const lastBeforeKill = watch.received.filter((_, i) => watch.at[i]! <= killedAt).at(-1)!;
    liveGaps[watch.name] = stored.filter((n) => n > lastBeforeKill && n < firstAfterKill).length;
  }
  const lost = publisher.acked.filter((tick) => tick.n >= stored[0]! && !storedSet.has(tick.n));
  return { stored, lost, liveGaps };
}

const ms = (value: number): number => Math.round(value);
const countBy = (codes: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
};

/** Prints the figures of a failover run. */
export function printFailover(
  label: string,
  scene: Scene,
  run: FailoverRun,
  records: RecordLoss,
  channel: ChannelLoss,
) {
  const { writer, publisher, killedAt, promotedAt } = run;
  const firstAck = writer.acked.find((write) => write.ackedAt > killedAt)!.ackedAt;
  const firstDelivery = scene.records.map((watch) => {
    const delivery = watch.deliveries.find((d) => d.at > killedAt);
    return `${watch.name} ${delivery ? ms(delivery.at - killedAt) : "-"}`;
  });
  const ago = (times: number[]): string =>
    times.length > 0 ? ` (acknowledged ${times.map((t) => ms(killedAt - t)).join(", ")} ms before the kill)` : "";
  const errors = [...new Set([...scene.A.errors, ...scene.B.errors].map((e) => e.message.slice(0, 80)))];
  console.info(
    `[${label}] ${run.cutAt === undefined ? "" : `replica cut off ${ms(killedAt - run.cutAt)} ms before the kill; `}` +
      `SIGKILL of master ${scene.master} took ${ms(killedAt - run.killStartedAt)} ms; replica ${run.newMaster} ` +
      `promoted (seen by the harness) ${ms(promotedAt - killedAt)} ms after the kill; first write acknowledged ` +
      `${ms(firstAck - killedAt)} ms after the kill (${ms(firstAck - promotedAt)} ms after the promotion was seen); ` +
      `traffic seen everywhere ${ms(run.resumedAt - promotedAt)} ms after it; first record delivery after the kill ` +
      `(ms): ${firstDelivery.join(", ")}.\n` +
      `  records: ${writer.acked.length} writes acknowledged, version at promotion ${run.atPromotion.version} ` +
      `(n ${run.atPromotion.value?.n}), carried ${records.carried}, final ${records.final.version}; lost ` +
      `${records.lost.length}${ago(records.lost.map((w) => w.ackedAt))}; refusals ` +
      `${JSON.stringify(countBy(writer.refused.map((r) => r.code)))}; subscribers: ` +
      scene.records
        .map((w) => `${w.name} resyncs ${w.resyncs} skipped ${w.skipped} resets ${w.resets} drops [${w.drops}]`)
        .join("; ") +
      `.\n  channel: ${publisher.acked.length} messages acknowledged, ${channel.stored.length} stored, lost ` +
      `${channel.lost.length}${ago(channel.lost.map((t) => t.ackedAt))}; refusals ` +
      `${JSON.stringify(countBy(publisher.refused.map((r) => r.code)))}; stored messages a live subscriber never ` +
      `got around the failover: ${JSON.stringify(channel.liveGaps)}; restorations (recovered): ` +
      `${scene.channels.map((w) => `${w.name} [${w.recoveries.map((r) => r.recovered)}]`).join(", ")}.\n` +
      `  errors reported: A ${scene.A.errors.length}, B ${scene.B.errors.length} (${errors.slice(0, 4).join(" | ")})`,
  );
}
