// What a Redis restarted without persistence means for records (docs/operations.md, "Redis requirements and
// persistence"): it comes back empty, so a record's versions start again from 1. Subscribers compared those versions
// with the ones they held, dropped the first writes as already seen and, in patch mode, applied the new life's patch
// to the old value (`{ n: 14, before: true }` where the record was `{ n: 14 }`). The instances now notice the store's
// new generation and close their clients with STATE_RESET, so every subscriber starts again from the new value.
import { CLOSE_CODES } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { privateRedisServer } from "../cluster/support/privateRedisServer";
import { collectUnhandledRejections } from "../support/unhandledRejections";
import { type HeldRecord, holdRecord } from "./support/heldRecord";

const own = privateRedisServer();
const unhandled = collectUnhandledRejections();

describe("Redis restarted without persistence", () => {
  it("starts records again at version 1, and every subscriber follows the new record, patch mode included", async () => {
    const { nodes } = await startCluster(1, {
      redis: own.server.url,
      heartbeatInterval: 200,
      instanceTtl: 2_000,
      allowErrors: true,
    });
    const [A] = nodes as [Instance];
    A.server.exposeRecord("doc");
    const held = new Map<string, HeldRecord>();
    const closeCodes: number[] = [];
    for (const mode of ["full", "patch"] as const) {
      const client = await connectClient(A.url);
      client.on("disconnect", (info) => void closeCodes.push(info.code));
      await holdRecord(client, "doc", mode, held);
    }
    for (let n = 1; n <= 3; n++) await A.server.publishRecordUpdate("doc", n === 3 ? { n, before: true } : { n });
    await eventually(() => expect([...held.values()].map((h) => h.version)).toEqual([3, 3]));

    await own.server.stop("SIGKILL");
    await own.server.start();
    await eventually(async () => expect((await A.server.health()).status).toBe("ok"), 8_000);
    // The clients were told the state was reset, and came back.
    await eventually(() => expect(closeCodes).toEqual([CLOSE_CODES.STATE_RESET.code, CLOSE_CODES.STATE_RESET.code]));
    expect(await A.server.getRecordWithVersion("doc")).toEqual({ value: null, version: 0 });

    const versions: number[] = [];
    for (let n = 11; n <= 14; n++) versions.push(await A.server.publishRecordUpdate("doc", { n }));
    expect(versions).toEqual([1, 2, 3, 4]);
    const expected = { version: 4, value: { n: 14 } };
    await eventually(() => expect(Object.fromEntries(held)).toEqual({ full: expected, patch: expected }), 8_000);
    console.info(`[redis restart, no persistence] both subscribers hold ${JSON.stringify(expected)}`);
    expect(unhandled).toEqual([]);
  });
});
