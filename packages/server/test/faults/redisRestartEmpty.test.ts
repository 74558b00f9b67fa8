// What a Redis restarted without persistence means for records (docs/operations.md, "Redis requirements and
// persistence"): it comes back empty, so a record's versions start again from 1, and a subscriber that held a
// higher version sees the writes after the restart only once their versions pass the one it held.
import { applyPatch } from "@meshwork/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { privateRedisServer } from "../cluster/support/privateRedisServer";

const own = privateRedisServer();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => process.on("unhandledRejection", onUnhandled));
afterEach(() => void process.off("unhandledRejection", onUnhandled));

describe("Redis restarted without persistence", () => {
  it("starts records again at version 1; subscribers skip writes up to the version they held", async () => {
    const { nodes } = await startCluster(1, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 2_000,
      allowErrors: true,
    });
    const [A] = nodes as [Instance];
    A.server.exposeRecord("doc");
    const seen: Array<{ mode: string; version: number; value: unknown }> = [];
    for (const mode of ["full", "patch"] as const) {
      const client = await connectClient(A.url);
      await client.subscribeRecord(
        "doc",
        (update: { version: number; full?: unknown; patch?: unknown }) =>
          void seen.push({ mode, version: update.version, value: update.full ?? { patch: update.patch } }),
        { mode },
      );
    }
    for (let n = 1; n <= 3; n++) await A.server.publishRecordUpdate("doc", n === 3 ? { n, before: true } : { n });
    await eventually(() => expect(seen.filter((s) => s.version === 3)).toHaveLength(2));
    seen.length = 0;

    await own.server.stop("SIGKILL");
    await own.server.start();
    await eventually(async () => expect((await A.server.health()).status).toBe("ok"), 8_000);
    expect(await A.server.getRecordWithVersion("doc")).toEqual({ value: null, version: 0 });
    const versions: number[] = [];
    for (let n = 11; n <= 13; n++) versions.push(await A.server.publishRecordUpdate("doc", { n }));
    expect(versions).toEqual([1, 2, 3]);
    // The instance's record topic may still be subscribing again: write until both subscribers heard a write.
    let n = 13;
    await eventually(async () => {
      versions.push(await A.server.publishRecordUpdate("doc", { n: ++n }));
      await eventually(() => expect(new Set(seen.map((s) => s.mode)).size).toBe(2), 300);
    }, 8_000);
    console.info(
      `[redis restart, no persistence] versions after the restart ${versions}; subscribers that held 3 saw ${JSON.stringify(seen)}`,
    );
    // Versions 1–3 were not newer than what the subscribers held: the client dropped them as already seen.
    expect(seen.every((s) => s.version >= 4)).toBe(true);
    const patchUpdate = seen.find((s) => s.mode === "patch" && s.version === 4)?.value as { patch?: never } | undefined;
    if (patchUpdate?.patch) {
      // The patch from the new version 3 to 4, applied on the old version 3 the subscriber held.
      const patched = applyPatch({ n: 3, before: true }, patchUpdate.patch);
      console.info(
        `[redis restart, no persistence] patch subscriber's document ${JSON.stringify(patched)}, server's { n: 14 }`,
      );
    }
    expect(unhandled).toEqual([]);
  });
});
