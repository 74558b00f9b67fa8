import { describe, expect, it } from "vitest";
import { rawConnect as connect } from "../support/rawClients";
import { startServer } from "../support/servers";

describe("records on one instance (wire level)", () => {
  it("reads a missing record as null at version 0, versions each change by one, and skips no-op updates", async () => {
    const { server } = await startServer();
    expect(await server.getRecordWithVersion("user:1")).toEqual({ value: null, version: 0 });
    expect(await server.publishRecordUpdate("user:1", { name: "Alice" })).toBe(1);
    expect(await server.publishRecordUpdate("user:1", { name: "Alice" })).toBe(1);
    expect(await server.publishRecordUpdate("user:1", { name: "Bob" })).toBe(2);
    expect(await server.getRecordWithVersion("user:1")).toEqual({ value: { name: "Bob" }, version: 2 });
    await expect(server.publishRecordUpdate("user:1", { name: "C" }, { expectedVersion: 1 })).rejects.toMatchObject({
      code: "VERSION_CONFLICT",
    });
    await expect(server.publishRecordUpdate("new", 1, { expectedVersion: 0 })).resolves.toBe(1);
    await expect(server.publishRecordUpdate("new", 2, { expectedVersion: 0 })).rejects.toMatchObject({
      code: "VERSION_CONFLICT",
    });
  });

  it("getRecord resolves with the value alone, null for a record never written or deleted", async () => {
    const { server } = await startServer();
    await server.publishRecordUpdate("user:2", { name: "Alice", tags: ["a"] });
    await server.publishRecordUpdate("user:2", { name: "Alice", tags: ["a", "b"] });
    expect(await server.getRecord("user:2")).toEqual({ name: "Alice", tags: ["a", "b"] });
    expect(await server.getRecordWithVersion("user:2")).toEqual({
      value: { name: "Alice", tags: ["a", "b"] },
      version: 2,
    });
    expect(await server.getRecord("missing")).toBeNull();
    expect(await server.deleteRecord("user:2")).toBe(true);
    expect(await server.getRecord("user:2")).toBeNull();
    expect(await server.getRecordWithVersion("user:2")).toEqual({ value: null, version: 0 });
  });

  it("getRecord keeps falsy values apart from a missing record", async () => {
    const { server } = await startServer();
    await server.publishRecordUpdate("zero", 0);
    await server.publishRecordUpdate("empty", "");
    await server.publishRecordUpdate("no", false);
    expect(await server.getRecord("zero")).toBe(0);
    expect(await server.getRecord("empty")).toBe("");
    expect(await server.getRecord("no")).toBe(false);
  });

  it("sends full-mode subscribers the value and patch-mode subscribers only the patch", async () => {
    const { server, url } = await startServer();
    server.exposeRecord(/^doc:/);
    await server.publishRecordUpdate("doc:1", { title: "a", body: "x".repeat(500) });
    const full = await connect(url);
    const patch = await connect(url);
    expect(await full.request("mesh/subscribe-record", { recordId: "doc:1" })).toMatchObject({
      result: { success: true, version: 1, record: { title: "a" } },
    });
    expect(await patch.request("mesh/subscribe-record", { recordId: "doc:1", mode: "patch" })).toMatchObject({
      result: { success: true, version: 1 },
    });
    await server.publishRecordUpdate("doc:1", { title: "b", body: "x".repeat(500) });
    const fullUpdate = await full.waitFor((frame) => frame.type === "record-update");
    const patchUpdate = await patch.waitFor((frame) => frame.type === "record-update");
    expect(fullUpdate).toEqual({
      type: "record-update",
      recordId: "doc:1",
      version: 2,
      full: { title: "b", body: "x".repeat(500) },
    });
    expect(patchUpdate).toEqual({
      type: "record-update",
      recordId: "doc:1",
      version: 2,
      patch: [{ op: "replace", path: "/title", value: "b" }],
    });
    expect(await server.deleteRecord("doc:1")).toBe(true);
    expect(await patch.waitFor((frame) => frame.type === "record-update" && frame.deleted === true)).toMatchObject({
      version: 2,
    });
  });

  it("guards reads, and lets clients write only writable records, never past a read guard", async () => {
    const { server, url } = await startServer();
    server.exposeRecord(/^private:/, () => false);
    server.exposeWritableRecord(/^(private|shared):/);
    const client = await connect(url);
    expect((await client.request("mesh/subscribe-record", { recordId: "private:1" })).result).toMatchObject({
      success: false,
    });
    expect((await client.request("mesh/subscribe-record", { recordId: "shared:1" })).result).toMatchObject({
      success: true,
    });
    expect(await client.request("mesh/publish-record-update", { recordId: "private:1", value: 1 })).toMatchObject({
      error: { code: "FORBIDDEN" },
    });
    expect(await client.request("mesh/publish-record-update", { recordId: "shared:1", value: { a: 1 } })).toMatchObject(
      {
        result: { version: 1 },
      },
    );
    expect(
      await client.request("mesh/publish-record-update", { recordId: "shared:1", value: { a: 2 }, expectedVersion: 0 }),
    ).toMatchObject({ error: { code: "VERSION_CONFLICT" } });
    expect(await client.request("mesh/subscribe-record", { recordId: "unexposed" })).toMatchObject({
      result: { success: false, reason: expect.stringContaining("not exposed") },
    });
  });

  it("refuses a value nested too deeply to diff with INVALID_PAYLOAD, from a client and from the server API", async () => {
    // A value ~4,000 levels deep, written over a similar one, overflowed the stack in the patch diff and went back
    // to the client as COMMAND_FAILED "Maximum call stack size exceeded".
    const nested = (depth: number): unknown => {
      let value: unknown = "leaf";
      for (let level = 0; level < depth; level++) value = level % 2 === 0 ? { a: value } : [value];
      return value;
    };
    const { server, url } = await startServer();
    server.exposeWritableRecord(/^deep:/);
    const client = await connect(url);
    expect(
      await client.request("mesh/publish-record-update", { recordId: "deep:1", value: nested(100) }),
    ).toMatchObject({ result: { version: 1 } });
    for (const depth of [101, 4_000]) {
      expect(
        await client.request("mesh/publish-record-update", { recordId: "deep:1", value: nested(depth) }),
      ).toMatchObject({
        error: { code: "INVALID_PAYLOAD", message: expect.stringContaining("deeper than 100 levels") },
      });
    }
    await expect(server.publishRecordUpdate("deep:1", nested(4_000))).rejects.toMatchObject({
      code: "INVALID_PAYLOAD",
    });
    expect(await server.getRecordWithVersion("deep:1")).toEqual({ value: nested(100), version: 1 });
  });
});
