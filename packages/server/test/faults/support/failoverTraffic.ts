// The load of the Redis Cluster failover tests: one writer updating a busy record and one publisher on a channel
// with history, each paced and remembering when each of its operations was acknowledged or refused.
import { setTimeout as pause } from "node:timers/promises";
import type { MeshServer } from "@meshwork/server";

/**
 * What the busy record holds: the writer's sequence number, and how many of the writer's writes had been refused
 * before this one. The count changes only across an outage, and later patches leave it alone, so a subscriber that
 * applied a patch to a value the store no longer has (one a failover lost) keeps showing the old count.
 */
export interface BusyValue {
  readonly n: number;
  readonly refusedBefore: number;
}

/** A record write the store acknowledged: the value it wrote, the version it got, and when (performance.now()). */
export interface AckedWrite {
  readonly value: BusyValue;
  readonly version: number;
  readonly ackedAt: number;
}

/** An operation that was refused: its sequence number, its error code (or message), when it was sent and refused. */
export interface Refusal {
  readonly n: number;
  readonly code: string;
  readonly sentAt: number;
  readonly at: number;
}

/** A running load loop. */
export interface Load<T> {
  /** Acknowledged operations, in acknowledgement order. */
  readonly acked: T[];
  readonly refused: Refusal[];
  /** Ends the loop after the operation in progress; resolves once it has. */
  stop(): Promise<void>;
}

const codeOf = (error: unknown): string => String((error as { code?: unknown }).code ?? (error as Error).message);

/** Runs `step(n)` for n = 1, 2, … one at a time, `paceMs` apart, until stopped; records acks and refusals. */
function loop<T>(paceMs: number, step: (n: number, refusals: number) => Promise<T>): Load<T> {
  const acked: T[] = [];
  const refused: Refusal[] = [];
  let running = true;
  const done = (async () => {
    for (let n = 1; running; n++) {
      const sentAt = performance.now();
      try {
        acked.push(await step(n, refused.length));
      } catch (error) {
        refused.push({ n, code: codeOf(error), sentAt, at: performance.now() });
      }
      await pause(paceMs);
    }
  })();
  return {
    acked,
    refused,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Writes `{ n, refusedBefore }` to a record through `server`, one write at a time. */
export function startRecordWriter(server: MeshServer, recordId: string, paceMs: number): Load<AckedWrite> {
  return loop(paceMs, async (n, refusedBefore) => {
    const value: BusyValue = { n, refusedBefore };
    const version = await server.publishRecordUpdate(recordId, value);
    return { value, version, ackedAt: performance.now() };
  });
}

/** A channel message the store acknowledged: its number and when. */
export interface AckedTick {
  readonly n: number;
  readonly ackedAt: number;
}

/** Publishes 1, 2, 3, … on a channel through `server`, keeping the last `history` in the channel's history. */
export function startPublisher(server: MeshServer, channel: string, history: number, paceMs: number): Load<AckedTick> {
  return loop(paceMs, async (n) => {
    await server.publishToChannel(channel, n, history);
    return { n, ackedAt: performance.now() };
  });
}
