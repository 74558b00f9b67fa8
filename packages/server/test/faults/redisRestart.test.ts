// Redis restarted under load. Two instances share a redis-server of this file's own that persists every write
// before answering it (append-only file, fsync always). Record writers on both instances and a channel publisher
// run without pause while Redis is SIGKILLed and started again on the same port and directory. Nothing may crash,
// traffic must resume by itself, every record subscriber must converge to the final version, and no write that was
// acknowledged may be lost. Each write appends its own id to the record it read (a read-modify-write guarded by
// expectedVersion), so a write lost by Redis would drop its id from every later value.
import { setTimeout as pause } from "node:timers/promises";
import { applyPatch } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { privateRedisServer } from "../cluster/support/privateRedisServer";
import { collectUnhandledRejections } from "../support/unhandledRejections";

const own = privateRedisServer({ persistent: true });
// Writes and publishes are paced so that the refusals while Redis is down do not spin a core.
const PACE_MS = 3;
const RECORD = "ledger";

const unhandled = collectUnhandledRejections();

interface Ledger {
  ids: string[];
}

/** A loop of read-modify-write appends through one instance, counting what was acknowledged and what refused. */
function startWriter(node: Instance, name: string) {
  const acked: string[] = [];
  const refusals = new Map<string, number>();
  let running = true;
  const done = (async () => {
    for (let n = 0; running; n++) {
      const id = `${name}-${n}`;
      try {
        const { value, version } = await node.server.getRecordWithVersion<Ledger>(RECORD);
        await node.server.publishRecordUpdate(
          RECORD,
          { ids: [...(value?.ids ?? []), id] },
          { expectedVersion: version },
        );
        acked.push(id);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? (error as Error).message);
        refusals.set(code, (refusals.get(code) ?? 0) + 1);
      }
      await pause(PACE_MS);
    }
  })();
  return {
    acked,
    refusals,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Publishes `tick-<n>` on a channel in a loop; remembers when each tick was sent. */
function startPublisher(node: Instance) {
  let running = true;
  let sent = 0;
  const done = (async () => {
    while (running) {
      await node.server.publishToChannel("ticks", `tick-${sent++}`).catch(() => undefined);
      await pause(PACE_MS);
    }
  })();
  return {
    get sent() {
      return sent;
    },
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe("Redis restarted under record and channel load", () => {
  it("loses no acknowledged write, and every subscriber converges without restarting anything", async () => {
    const { nodes } = await startCluster(2, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 2_000,
      allowErrors: true,
    });
    const [A, B] = nodes as [Instance, Instance];
    for (const node of nodes) {
      node.server.exposeWritableRecord(RECORD);
      node.server.exposeChannel("ticks");
    }
    // Subscribers on both instances: full mode on A, patch mode on B (a gap there makes the client resync).
    const onA = await connectClient(A.url);
    const onB = await connectClient(B.url);
    const full: Array<{ version: number; full?: Ledger }> = [];
    await onA.subscribeRecord(RECORD, (update: { version: number; full?: Ledger }) => void full.push(update), {
      mode: "full",
    });
    let doc: Ledger | null = null;
    let docVersion = 0;
    let resyncs = 0;
    let gaps = 0;
    await onB.subscribeRecord(
      RECORD,
      (update: { version: number; full?: Ledger; patch?: unknown }) => {
        if (update.full !== undefined) {
          if (docVersion > 0) resyncs++;
          doc = update.full;
        } else {
          if (update.version !== docVersion + 1) gaps++;
          doc = applyPatch(doc, update.patch as never) as Ledger;
        }
        docVersion = update.version;
      },
      { mode: "patch" },
    );
    const ticks: string[] = [];
    await onB.subscribe("ticks", (message: unknown) => void ticks.push(String(message)));

    const writers = [startWriter(A, "a"), startWriter(B, "b")];
    const publisher = startPublisher(A);
    const ackedCount = () => writers.reduce((sum, w) => sum + w.acked.length, 0);
    await eventually(() => {
      expect(ackedCount()).toBeGreaterThanOrEqual(40);
      expect(ticks.length).toBeGreaterThanOrEqual(20);
    }, 10_000);

    await own.server.stop("SIGKILL");
    const killedAt = performance.now();
    const ackedBefore = writers.map((w) => w.acked.length);
    // Redis stays down until both writers were refused (they keep trying), then comes back on the same files.
    await eventually(() => {
      for (const w of writers) expect(w.refusals.get("STATE_UNAVAILABLE") ?? 0).toBeGreaterThan(0);
    }, 5_000);
    await own.server.start();
    const restartedAt = performance.now();
    const ticksAtRestart = publisher.sent;

    // Traffic resumes by itself: both writers are acknowledged again, and a tick sent after the restart arrives.
    let resumedAfterMs = 0;
    await eventually(() => {
      for (const [i, w] of writers.entries()) expect(w.acked.length).toBeGreaterThan(ackedBefore[i]! + 20);
      expect(ticks.some((tick) => Number(tick.slice(5)) >= ticksAtRestart)).toBe(true);
      resumedAfterMs = performance.now() - restartedAt;
    }, 10_000);
    await Promise.all([...writers.map((w) => w.stop()), publisher.stop()]);

    // The final value holds every acknowledged id, in each writer's order.
    const final = await A.server.getRecordWithVersion<Ledger>(RECORD);
    const stored = new Set(final.value?.ids);
    const lost = writers.flatMap((w) => w.acked.filter((id) => !stored.has(id)));
    expect(lost).toEqual([]);
    for (const [i, w] of writers.entries()) {
      const mine = (final.value?.ids ?? []).filter((id) => id.startsWith(`${"ab"[i]}-`));
      expect(mine.filter((id) => w.acked.includes(id))).toEqual(w.acked);
    }
    // Versions were not reused: every acknowledged write made a new version.
    expect(final.version).toBeGreaterThanOrEqual(ackedCount());

    // Every subscriber converges to the final version and value.
    await eventually(() => {
      expect(full.at(-1)).toEqual({ recordId: RECORD, version: final.version, full: final.value });
      expect({ docVersion, doc }).toEqual({ docVersion: final.version, doc: final.value });
    });
    // In patch mode every version follows the one before, or the client resynced with the full value.
    expect(gaps).toBeLessThanOrEqual(resyncs);
    for (const node of nodes) {
      await eventually(async () => expect((await node.server.health()).status).toBe("ok"), 5_000);
    }
    expect(onA.status).toBe("online");
    expect(onB.status).toBe("online");
    expect(unhandled).toEqual([]);

    const refusals = writers.map((w) => Object.fromEntries(w.refusals));
    console.info(
      `[redis restart] acknowledged ${ackedCount()} writes (${ackedBefore.join("+")} before the kill), final version ` +
        `${final.version}, lost 0; refusals ${JSON.stringify(refusals)}; Redis down for ` +
        `${Math.round(restartedAt - killedAt)} ms; writes and ticks resumed within ${Math.round(resumedAfterMs)} ms ` +
        `of the restart; ticks received ${ticks.length} of ${publisher.sent}; patch subscriber gaps ${gaps}, resyncs ${resyncs}`,
    );
    // Refusals are the documented ones only: the outage, and lost races between the two writers.
    for (const map of writers.map((w) => w.refusals)) {
      expect([...map.keys()].filter((code) => code !== "STATE_UNAVAILABLE" && code !== "VERSION_CONFLICT")).toEqual([]);
    }
  }, 40_000);
});
