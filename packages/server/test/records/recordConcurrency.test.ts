// Concurrent writers on different instances (original Mesh weakness 6: read-diff-write without atomicity lost
// updates, duplicated versions and diffed against stale bases).
import { applyPatch } from "rfc6902";
import { describe, expect, it } from "vitest";
import { RawClient } from "../support/rawClient";
import { type Instance, startCluster } from "../cluster/support/cluster";

describe("records under concurrent writers", () => {
  it("gives 400 writes from two instances versions 1..400, each seen once and in order by a patch subscriber", async () => {
    const { nodes } = await startCluster(3);
    const [A, B, C] = nodes as [Instance, Instance, Instance];
    for (const node of nodes) node.server.exposeRecord("counter");
    const client = await RawClient.connect(C.url);
    try {
      const subscribed = await client.request("mesh/subscribe-record", { recordId: "counter", mode: "patch" });
      const { record, version } = subscribed.result as { record: unknown; version: number };
      expect({ record, version }).toEqual({ record: null, version: 0 });

      const writes = (node: Instance, field: "a" | "b") =>
        Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            node.server.publishRecordUpdate("counter", {
              a: field === "a" ? i + 1 : -1,
              b: field === "b" ? i + 1 : -1,
              by: field,
              i,
            }),
          ),
        );
      const versions = (await Promise.all([writes(A, "a"), writes(B, "b")])).flat();
      expect(new Set(versions).size).toBe(400);
      expect(Math.min(...versions)).toBe(1);
      expect(Math.max(...versions)).toBe(400);

      await client.waitFor((frame) => frame.type === "record-update" && frame.version === 400, 15_000);
      type Update = { version: number; full?: unknown; patch?: Parameters<typeof applyPatch>[1] };
      const updates = client.framesOf("record-update") as unknown as Update[];
      expect(updates.map((update) => update.version)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      // Version 1 creates the record: a patch cannot replace a document in place, so it comes as the full value.
      const [first, ...rest] = updates;
      expect(first).toMatchObject({ version: 1, full: expect.any(Object) });
      const copy = structuredClone(first?.full);
      for (const update of rest) {
        expect(update).not.toHaveProperty("full");
        expect(applyPatch(copy, update.patch ?? []).every((error) => error === null)).toBe(true);
      }
      const final = await B.server.getRecordWithVersion("counter");
      expect(final.version).toBe(400);
      expect(copy).toEqual(final.value);
    } finally {
      await client.close();
    }
  }, 30_000);
});
