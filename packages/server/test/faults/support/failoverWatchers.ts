// What the subscribers of the Redis Cluster failover tests see, recorded as it arrives and checked the way an
// application would: record versions in order and patches applied gap-free, channel messages in order and once.
import { CLOSE_CODES, type MeshClient, type RecordUpdate, applyPatch } from "@meshwork/client";
import { expect } from "vitest";
import type { BusyValue } from "./failoverTraffic";

/** One update a record subscriber was given, with the value it held after it. */
export interface RecordDelivery {
  readonly version: number;
  readonly kind: "full" | "patch";
  readonly at: number;
  readonly value: BusyValue | null;
}

/** A record subscription through one client, in one mode, and what it saw. */
export interface RecordWatch {
  readonly name: string;
  readonly mode: "full" | "patch";
  /** The value and version the application holds: the subscribe answer, then each update applied. */
  value: BusyValue | null;
  version: number;
  readonly deliveries: RecordDelivery[];
  /** What a gap-free subscriber must never see: versions going back, a patch not exactly one version on, … */
  readonly problems: string[];
  /** Patch mode: `full` values delivered after a version gap, outside a reconnect (the client resynchronised). */
  resyncs: number;
  /** Full mode: versions it never saw (full mode may skip versions). */
  skipped: number;
  /** Versions that went back after the server closed the connection with STATE_RESET: allowed, counted. */
  resets: number;
  /** Close codes of the drops of this client's connection. */
  readonly drops: number[];
}

/** Subscribes `client` to a record in `mode` and records every update, checking each as it comes. */
export async function watchRecord(
  name: string,
  client: MeshClient,
  recordId: string,
  mode: "full" | "patch",
): Promise<RecordWatch> {
  const watch: RecordWatch = {
    name,
    mode,
    value: null,
    version: 0,
    deliveries: [],
    problems: [],
    resyncs: 0,
    skipped: 0,
    resets: 0,
    drops: [],
  };
  // The first update after a drop is the restoring `full` value; after STATE_RESET it may be at a lower version.
  let restoring = false;
  client.on("disconnect", ({ code }) => {
    watch.drops.push(code);
    restoring = true;
  });
  const onUpdate = (update: RecordUpdate<BusyValue>): void => {
    const { version } = update;
    const previous = watch.version;
    const afterReset = restoring && watch.drops.at(-1) === CLOSE_CODES.STATE_RESET.code;
    if (version <= previous) {
      if (afterReset && update.full !== undefined) watch.resets++;
      else watch.problems.push(`version ${version} after ${previous} (${update.patch ? "patch" : "full"})`);
    }
    if (update.deleted) watch.problems.push(`deleted at version ${version}`);
    if (update.patch !== undefined) {
      if (version !== previous + 1) watch.problems.push(`patch to version ${version} applied on ${previous}`);
      try {
        watch.value = applyPatch(structuredClone(watch.value), update.patch);
      } catch (error) {
        watch.problems.push(`patch to version ${version} does not apply: ${(error as Error).message}`);
      }
    } else if (update.full !== undefined) {
      // A `full` one version on replaces the whole document (a patch cannot); after a gap it is a resync.
      if (mode === "patch" && !restoring && version > previous + 1) watch.resyncs++;
      if (mode === "full" && !restoring && version > previous + 1) watch.skipped += version - previous - 1;
      watch.value = update.full;
    }
    restoring = false;
    watch.version = version;
    const kind = update.patch !== undefined ? "patch" : "full";
    watch.deliveries.push({ version, kind, at: performance.now(), value: structuredClone(watch.value) });
  };
  const result = await client.subscribeRecord<BusyValue>(recordId, onUpdate, { mode });
  expect(result.success).toBe(true);
  watch.value = result.record;
  watch.version = result.version;
  return watch;
}

/** A channel subscription through one client, and the messages (publish numbers) it was given, in order. */
export interface ChannelWatch {
  readonly name: string;
  readonly received: number[];
  /** When each message in `received` arrived. */
  readonly at: number[];
  /** Each restoration after a reconnect: whether it recovered everything missed, and how many messages came before. */
  readonly recoveries: Array<{ recovered: boolean; after: number }>;
}

/** Subscribes `client` to a channel and records what it is given. */
export async function watchChannel(name: string, client: MeshClient, channel: string): Promise<ChannelWatch> {
  const watch: ChannelWatch = { name, received: [], at: [], recoveries: [] };
  const onMessage = (message: unknown): void => {
    watch.received.push(message as number);
    watch.at.push(performance.now());
  };
  const onRecover = ({ recovered }: { recovered: boolean }): void => {
    watch.recoveries.push({ recovered, after: watch.received.length });
  };
  const result = await client.subscribe(channel, onMessage, { onRecover });
  expect(result.success).toBe(true);
  return watch;
}

/** The places where a list of publish numbers is not strictly increasing (a duplicate or a message out of order). */
export function outOfOrder(numbers: readonly number[]): string[] {
  return numbers.flatMap((n, i) => (i > 0 && n <= (numbers[i - 1] as number) ? [`${n} after ${numbers[i - 1]}`] : []));
}
