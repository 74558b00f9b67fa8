import { describe, expect, it, vi } from "vitest";
import { type MeshError, applyPatch } from "../src/node";
import { connected, rejection, settle, startServer } from "./support/clientHarness";
import { collector, subscribesTo } from "./support/recordHelpers";

describe("MeshClient records: subscribing and delivery", () => {
  it("resolves with the value and version, null at version 0 for a missing record, and sends the mode", async () => {
    const server = await startServer();
    server.records.publish("user:123", { name: "Alice" });
    const client = await connected(server);

    const existing = await client.subscribeRecord("user:123", () => {});
    const missing = await client.subscribeRecord("user:none", () => {}, { mode: "patch" });

    expect(existing).toEqual({ success: true, record: { name: "Alice" }, version: 1 });
    expect(missing).toEqual({ success: true, record: null, version: 0 });
    expect(server.records.subscribePayloads.map(({ recordId, mode }) => [recordId, mode])).toEqual([
      ["user:123", "full"],
      ["user:none", "patch"],
    ]);
  });

  it("full mode: every change arrives as { recordId, version, full }, in order", async () => {
    const server = await startServer();
    server.records.publish("user:123", { name: "Alice", email: "alice@example.com" });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("user:123", callback);

    server.records.publish("user:123", { name: "Alice", email: "alice@updated.com", status: "active" });
    server.records.publish("user:123", { name: "Alice", email: "alice@updated.com", status: "away" });

    await vi.waitFor(() => expect(log).toHaveLength(2));
    expect(log).toEqual([
      { recordId: "user:123", version: 2, full: { name: "Alice", email: "alice@updated.com", status: "active" } },
      { recordId: "user:123", version: 3, full: { name: "Alice", email: "alice@updated.com", status: "away" } },
    ]);
  });

  it("patch mode: `full` on creation, then patches that applyPatch turns into the server's value", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    let productData: unknown = {};
    const { record } = await client.subscribeRecord(
      "product:456",
      (update) => {
        // A copy: the application patches the object it received in place.
        callback(structuredClone(update));
        productData = update.patch ? applyPatch(productData, update.patch) : update.full;
      },
      { mode: "patch" },
    );
    productData = record;

    server.records.publish("product:456", { name: "Lamp", price: 10, tags: ["new"] });
    server.records.publish("product:456", { name: "Lamp", price: 12, tags: ["new", "sale"] });
    server.records.publish("product:456", { name: "Lamp", tags: ["sale"] });

    await vi.waitFor(() => expect(log).toHaveLength(3));
    expect(log[0]).toEqual({ recordId: "product:456", version: 1, full: { name: "Lamp", price: 10, tags: ["new"] } });
    expect(log.slice(1).map((update) => [update.version, "patch" in update, "full" in update])).toEqual([
      [2, true, false],
      [3, true, false],
    ]);
    expect(productData).toEqual(server.records.get("product:456").value);
  });

  it("resolves success false with the server's reason when it refuses, and delivers nothing", async () => {
    const server = await startServer();
    server.records.access = (recordId) => (recordId.startsWith("private:") ? "record is not exposed" : true);
    const client = await connected(server);
    const { log, callback } = collector();

    const result = await client.subscribeRecord("private:1", callback);

    expect(result).toEqual({ success: false, record: null, version: 0, reason: "record is not exposed" });
    server.latest.send({ type: "record-update", recordId: "private:1", version: 1, full: "leak" });
    await settle(client, server);
    expect(log).toEqual([]);
  });

  it("rejects an invalid record id or mode with INVALID_PAYLOAD without sending anything", async () => {
    const server = await startServer();
    const client = await connected(server);

    expect((await rejection(client.subscribeRecord("", () => {}))).code).toBe("INVALID_PAYLOAD");
    const badMode = client.subscribeRecord("a", () => {}, { mode: "diff" as never });
    expect((await rejection(badMode)).code).toBe("INVALID_PAYLOAD");
    expect((await rejection(client.unsubscribeRecord("x".repeat(300)))).code).toBe("INVALID_PAYLOAD");
    expect(server.latest.requestedCommands()).toEqual([]);
  });

  it("drops updates at or below the snapshot's version, including one that raced the subscribe", async () => {
    const server = await startServer();
    server.records.publish("doc", { n: 1 });
    // Published after the subscriber is registered and before the value is read: its frame precedes the answer,
    // and the answer already holds it.
    server.records.afterRegister = (recordId) => {
      server.records.afterRegister = undefined;
      server.records.publish(recordId, { n: 2 });
    };
    const client = await connected(server);
    const { log, callback } = collector();

    const { version } = await client.subscribeRecord("doc", callback, { mode: "patch" });
    expect(version).toBe(2);
    server.records.sendRaw({ recordId: "doc", version: 1, full: { n: "stale" } });
    server.records.sendRaw({ recordId: "doc", version: 2, patch: [{ op: "replace", path: "/n", value: "stale" }] });
    server.records.publish("doc", { n: 3 });

    await vi.waitFor(() => expect(log.map((update) => update.version)).toEqual([3]));
    await settle(client, server);
    expect(log).toEqual([{ recordId: "doc", version: 3, patch: [{ op: "replace", path: "/n", value: 3 }] }]);
    expect(subscribesTo(server, "doc")).toBe(1);
  });

  it("holds back updates that race the answer until the awaiting code has run, so the seed pattern stays right", async () => {
    const server = await startServer();
    server.records.publish("product:1", { price: 1 });
    // Published after the value was read: the frames reach the client before the answer does.
    server.records.afterRead = (recordId) => {
      server.records.afterRead = undefined;
      server.records.publish(recordId, { price: 2 });
      server.records.publish(recordId, { price: 3 });
    };
    const client = await connected(server);
    const order: string[] = [];
    let productData: unknown = {};

    const { success, record } = await client.subscribeRecord(
      "product:1",
      (update) => {
        order.push(`v${update.version}`);
        if (update.patch) applyPatch(productData, update.patch);
        else productData = update.full;
      },
      { mode: "patch" },
    );
    order.push("resolved");
    if (success) productData = record;

    await vi.waitFor(() => expect(order).toEqual(["resolved", "v2", "v3"]));
    expect(productData).toEqual({ price: 3 });
  });

  it("reports a throwing callback through the error event and keeps delivering", async () => {
    const server = await startServer();
    const client = await connected(server);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const versions: number[] = [];
    await client.subscribeRecord("doc", (update) => {
      versions.push(update.version);
      if (update.version === 1) throw new Error("boom");
    });

    server.records.publish("doc", 1);
    server.records.publish("doc", 2);

    await vi.waitFor(() => expect(versions).toEqual([1, 2]));
    expect(errors.map((error) => [error.code, error.details])).toEqual([["INTERNAL_ERROR", { recordId: "doc" }]]);
    expect(errors[0]?.message).toContain("boom");
  });

  it("shares one subscription per record: a second listener gets the current value, both every later version", async () => {
    const server = await startServer();
    server.records.publish("doc", { a: 1 });
    const client = await connected(server);
    const first = collector();
    const second = collector();
    await client.subscribeRecord("doc", first.callback);
    server.records.publish("doc", { a: 2 });
    await vi.waitFor(() => expect(first.log).toHaveLength(1));

    const again = await client.subscribeRecord("doc", second.callback, { mode: "patch" });
    server.records.publish("doc", { a: 3 });

    expect(again).toEqual({ success: true, record: { a: 2 }, version: 2 });
    await vi.waitFor(() => expect(second.log).toHaveLength(1));
    await settle(client, server);
    expect(first.log.map((update) => update.version)).toEqual([2, 3]);
    // The shared subscription is in the first listener's full mode: patch mode always accepts `full`.
    expect(second.log).toEqual([{ recordId: "doc", version: 3, full: { a: 3 } }]);
  });

  it("tells subscribers about a deletion, then delivers the re-created record from version 1", async () => {
    const server = await startServer();
    server.records.publish("doc", { a: 1 });
    const client = await connected(server);
    const full = collector();
    const patch = collector();
    const other = await connected(server);
    await client.subscribeRecord("doc", full.callback);
    await other.subscribeRecord("doc", patch.callback, { mode: "patch" });
    server.records.publish("doc", { a: 2 });

    server.records.delete("doc");
    server.records.publish("doc", { b: 1 });

    const expected = [
      { recordId: "doc", version: 2, deleted: true },
      { recordId: "doc", version: 1, full: { b: 1 } },
    ];
    await vi.waitFor(() => expect(full.log.slice(1)).toEqual(expected));
    await vi.waitFor(() => expect(patch.log.slice(1)).toEqual(expected));
    expect(patch.log[0]).toMatchObject({ version: 2, patch: [{ op: "replace", path: "/a", value: 2 }] });
  });
});
