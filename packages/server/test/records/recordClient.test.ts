// Records through the real MeshClient on a two-instance cluster sharing one Redis: guards, writable records,
// no-op updates and deletion. Writers and publishers sit on instance A, subscribers on B unless a test says
// otherwise. Negative checks use a marker record (see support/recordClients.ts).
import { applyPatch } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { connectClient, eventually } from "../cluster/support/cluster";
import { flushRecords, recordCluster as cluster, subscribeRecorded } from "./support/recordClients";

describe("records through MeshClient: guards", () => {
  it("a read guard that denies refuses the subscription; writable never bypasses it", async () => {
    const { A, B } = await cluster();
    for (const { server } of [A, B]) {
      server.exposeRecord(/^secret:/, (connection) => connection.id === "nobody");
      server.exposeWritableRecord(/^secret:/);
    }
    const client = await connectClient(B.url);

    const result = await client.subscribeRecord("secret:1", () => {});
    const write = await client.publishRecordUpdate("secret:1", { leaked: true }).catch((error: unknown) => error);

    expect(result).toEqual({
      success: false,
      record: null,
      version: 0,
      reason: 'Access to record "secret:1" was denied',
    });
    expect(write).toMatchObject({ name: "MeshError", code: "FORBIDDEN" });
    expect(await A.server.getRecordWithVersion("secret:1")).toEqual({ value: null, version: 0 });
  });

  it("a guard that throws denies, and the server reports it through `error`", async () => {
    const { A, B } = await cluster({ allowErrors: true });
    for (const { server } of [A, B]) {
      server.exposeRecord(/^fragile:/, () => {
        throw new Error("guard exploded");
      });
    }
    const client = await connectClient(B.url);

    const result = await client.subscribeRecord("fragile:1", () => {});

    expect(result).toMatchObject({ success: false, reason: expect.stringContaining("denied") });
    expect(B.errors.map((error) => [error.message, (error.cause as Error | undefined)?.message])).toEqual([
      ['meshwork: the guard of record "fragile:1" threw', "guard exploded"],
    ]);
    expect(A.errors).toEqual([]);
  });
});

describe("records through MeshClient: writing", () => {
  it("a client on A writes a writable record; a client on B receives it, with and without expectedVersion", async () => {
    const { A, B } = await cluster();
    const writer = await connectClient(A.url);
    const reader = await connectClient(B.url);
    const full = await subscribeRecorded(reader, "shared:doc");
    const patch = await subscribeRecorded(reader, "shared:other", "patch");

    await expect(writer.publishRecordUpdate("shared:doc", { title: "a" }, { expectedVersion: 0 })).resolves.toEqual({
      version: 1,
    });
    await expect(writer.publishRecordUpdate("shared:doc", { title: "b" })).resolves.toEqual({ version: 2 });
    await expect(writer.publishRecordUpdate("shared:doc", { title: "c" }, { expectedVersion: 2 })).resolves.toEqual({
      version: 3,
    });
    await writer.publishRecordUpdate("shared:other", { list: [1] });
    await writer.publishRecordUpdate("shared:other", { list: [1, 2] });

    await eventually(() => expect(full.updates).toHaveLength(3));
    expect(full.updates).toEqual([
      { recordId: "shared:doc", version: 1, full: { title: "a" } },
      { recordId: "shared:doc", version: 2, full: { title: "b" } },
      { recordId: "shared:doc", version: 3, full: { title: "c" } },
    ]);
    await eventually(() => expect(patch.updates).toHaveLength(2));
    expect(patch.updates).toEqual([
      { recordId: "shared:other", version: 1, full: { list: [1] } },
      { recordId: "shared:other", version: 2, patch: [{ op: "add", path: "/list/-", value: 2 }] },
    ]);
    expect(await B.server.getRecordWithVersion("shared:doc")).toEqual({ value: { title: "c" }, version: 3 });
  });

  it("rejects a stale expectedVersion with VERSION_CONFLICT and a read-only record with FORBIDDEN, changing nothing", async () => {
    const { A, B } = await cluster();
    const first = await connectClient(A.url);
    const second = await connectClient(B.url);
    await first.publishRecordUpdate("shared:doc", { by: "first" }, { expectedVersion: 0 });

    const [conflict, readOnly] = await Promise.allSettled([
      second.publishRecordUpdate("shared:doc", { by: "second" }, { expectedVersion: 0 }),
      second.publishRecordUpdate("doc:1", { by: "second" }),
    ]);

    expect(conflict).toMatchObject({ status: "rejected", reason: { name: "MeshError", code: "VERSION_CONFLICT" } });
    expect(readOnly).toMatchObject({
      status: "rejected",
      reason: { name: "MeshError", code: "FORBIDDEN", message: 'Record "doc:1" is not writable' },
    });
    expect(await A.server.getRecordWithVersion("shared:doc")).toEqual({ value: { by: "first" }, version: 1 });
    expect(await A.server.getRecordWithVersion("doc:1")).toEqual({ value: null, version: 0 });
  });

  it("an update with the same value is not a new version and reaches nobody", async () => {
    const { A, B } = await cluster();
    const writer = await connectClient(A.url);
    const reader = await connectClient(B.url);
    const full = await subscribeRecorded(reader, "shared:doc");
    const patch = await subscribeRecorded(reader, "shared:doc2", "patch");
    await A.server.publishRecordUpdate("shared:doc", { a: 1, b: [1, 2] });
    await A.server.publishRecordUpdate("shared:doc2", { a: 1 });
    await eventually(() => expect([full.updates.length, patch.updates.length]).toEqual([1, 1]));

    await expect(writer.publishRecordUpdate("shared:doc", { a: 1, b: [1, 2] })).resolves.toEqual({ version: 1 });
    await expect(A.server.publishRecordUpdate("shared:doc", { b: [1, 2], a: 1 })).resolves.toBe(1);
    await expect(writer.publishRecordUpdate("shared:doc2", { a: 1 }, { expectedVersion: 1 })).resolves.toEqual({
      version: 1,
    });
    await flushRecords(A.server, reader);

    expect(full.updates).toEqual([{ recordId: "shared:doc", version: 1, full: { a: 1, b: [1, 2] } }]);
    expect(patch.updates).toEqual([{ recordId: "shared:doc2", version: 1, full: { a: 1 } }]);
    expect(await B.server.getRecordWithVersion("shared:doc")).toMatchObject({ version: 1 });
  });

  it("deleting tells full and patch subscribers `deleted: true`; a re-created record starts again at version 1", async () => {
    const { A, B } = await cluster();
    const reader = await connectClient(B.url);
    await A.server.publishRecordUpdate("doc:1", { a: 1 });
    await A.server.publishRecordUpdate("doc:1", { a: 2 });
    const full = await subscribeRecorded(reader, "doc:1");
    const onA = await connectClient(A.url);
    const patch = await subscribeRecorded(onA, "doc:1", "patch");
    expect([full.version, patch.version]).toEqual([2, 2]);

    expect(await A.server.deleteRecord("doc:1")).toBe(true);
    await A.server.publishRecordUpdate("doc:1", { again: true });

    const expected = [
      { recordId: "doc:1", version: 2, deleted: true },
      { recordId: "doc:1", version: 1, full: { again: true } },
    ];
    await eventually(() => expect(full.updates).toEqual(expected));
    await eventually(() => expect(patch.updates).toEqual(expected));
    expect(await B.server.deleteRecord("doc:missing")).toBe(false);
  });

  it("values holding newlines and quotes arrive intact in both modes; a change of type reaches patch mode as `full`", async () => {
    const { A, B } = await cluster();
    await A.server.publishRecordUpdate("doc:text", { text: "one" });
    const full = await subscribeRecorded(await connectClient(B.url), "doc:text");
    const patch = await subscribeRecorded(await connectClient(B.url), "doc:text", "patch");
    const tricky = { text: 'line\nbreak "quoted" \\ back\r\n\u2028 end', "key\nwith newline": ["\n"] };
    await A.server.publishRecordUpdate("doc:text", tricky);
    await A.server.publishRecordUpdate("doc:text", ["now", "an", "array"]);

    await eventually(() => expect(full.updates.map((update) => update.full)).toEqual([tricky, ["now", "an", "array"]]));
    await eventually(() => expect(patch.updates).toHaveLength(2));
    expect(applyPatch(structuredClone(patch.record), patch.updates[0]?.patch ?? [])).toEqual(tricky);
    expect(patch.updates[1]).toEqual({ recordId: "doc:text", version: 3, full: ["now", "an", "array"] });
  });

  it("getRecord on another instance reads the value alone, and null once the record is deleted", async () => {
    const { A, B } = await cluster();
    await A.server.publishRecordUpdate("doc:read", { title: "a" });
    await A.server.publishRecordUpdate("doc:read", { title: "b" });
    expect(await B.server.getRecord("doc:read")).toEqual({ title: "b" });
    expect(await B.server.getRecordWithVersion("doc:read")).toEqual({ value: { title: "b" }, version: 2 });
    expect(await B.server.getRecord("doc:never")).toBeNull();
    expect(await A.server.deleteRecord("doc:read")).toBe(true);
    expect(await B.server.getRecord("doc:read")).toBeNull();
  });
});
