import { describe, expect, it, vi } from "vitest";
import type { MeshError, RecordUpdate } from "../src/node";
import { connected, rejection, restartServer, settle, startServer } from "./support/clientHarness";
import { collector } from "./support/recordHelpers";

describe("MeshClient records: unsubscribe, publish, close", () => {
  it("stops delivery once unsubscribeRecord resolves, even for frames already on their way", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("user:123", callback);
    server.records.publish("user:123", "before");
    await vi.waitFor(() => expect(log).toHaveLength(1));

    await expect(client.unsubscribeRecord("user:123")).resolves.toBe(true);
    expect(server.records.subscribers("user:123")).toEqual([]);
    server.latest.send({ type: "record-update", recordId: "user:123", version: 2, full: "late" });
    await settle(client, server);

    expect(log).toEqual([{ recordId: "user:123", version: 1, full: "before" }]);
    await expect(client.unsubscribeRecord("user:123")).resolves.toBe(false);
  });

  it("publishRecordUpdate resolves the version, with and without expectedVersion; subscribers get the change", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc:1", callback);

    await expect(client.publishRecordUpdate("doc:1", { title: "a" }, { expectedVersion: 0 })).resolves.toEqual({
      version: 1,
    });
    await expect(client.publishRecordUpdate("doc:1", { title: "b" })).resolves.toEqual({ version: 2 });
    await expect(client.publishRecordUpdate("doc:1", { title: "c" }, { expectedVersion: 2 })).resolves.toEqual({
      version: 3,
    });
    await expect(client.publishRecordUpdate("doc:1", { title: "c" })).resolves.toEqual({ version: 3 });

    await vi.waitFor(() =>
      expect(log.map((update) => update.full)).toEqual([{ title: "a" }, { title: "b" }, { title: "c" }]),
    );
    expect(server.latest.received.filter((message) => message.type === "request").map((m) => m.payload)).toContainEqual(
      {
        recordId: "doc:1",
        value: { title: "c" },
        expectedVersion: 2,
      },
    );
  });

  it("publishRecordUpdate rejects with VERSION_CONFLICT, FORBIDDEN and INVALID_PAYLOAD as MeshErrors", async () => {
    const server = await startServer();
    server.records.writable = (recordId) =>
      recordId.startsWith("ro:") ? `Record "${recordId}" is not writable` : true;
    server.records.publish("doc", { v: 1 });
    const client = await connected(server);

    const conflict = await rejection(client.publishRecordUpdate("doc", { v: 2 }, { expectedVersion: 0 }));
    const forbidden = await rejection(client.publishRecordUpdate("ro:1", { v: 1 }));
    const badId = await rejection(client.publishRecordUpdate("", { v: 1 }));
    const notJson = await rejection(client.publishRecordUpdate("doc", undefined));
    const badVersion = await rejection(client.publishRecordUpdate("doc", 1, { expectedVersion: -1 }));

    expect(conflict.code).toBe("VERSION_CONFLICT");
    expect(conflict.message).toContain("version 1");
    expect(forbidden).toMatchObject({ code: "FORBIDDEN", message: 'Record "ro:1" is not writable' });
    expect([badId.code, notJson.code, badVersion.code]).toEqual([
      "INVALID_PAYLOAD",
      "INVALID_PAYLOAD",
      "INVALID_PAYLOAD",
    ]);
    expect(server.records.get("doc")).toEqual({ value: { v: 1 }, version: 1 });
  });

  it("drops every record subscription on close(); a later connect() starts without them", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback);

    await client.close();
    await expect(client.unsubscribeRecord("doc")).resolves.toBe(false);
    await client.connect();
    server.latest.send({ type: "record-update", recordId: "doc", version: 1, full: "stale" });
    await settle(client, server);

    expect(log).toEqual([]);
    expect(server.latest.requestedCommands().filter((command) => command.includes("record"))).toEqual([]);
  });
});

describe("MeshClient records after a reconnect", () => {
  it("restores each subscription and delivers the current value as `full` before 'reconnect'", async () => {
    const server = await startServer();
    server.records.publish("user:1", { name: "Alice" });
    server.records.publish("product:1", { price: 1 });
    const client = await connected(server);
    const order: string[] = [];
    const users: RecordUpdate[] = [];
    const products: RecordUpdate[] = [];
    await client.subscribeRecord("user:1", (update) => {
      users.push(update);
      order.push(`user:v${update.version}`);
    });
    await client.subscribeRecord(
      "product:1",
      (update) => {
        products.push(update);
        order.push(`product:v${update.version}`);
      },
      { mode: "patch" },
    );
    client.on("reconnect", () => order.push("reconnect"));

    await restartServer(client, server, () => {
      server.records.publish("user:1", { name: "Bob" });
      server.records.publish("product:1", { price: 2 });
      server.records.publish("product:1", { price: 3 });
    });

    expect(order.at(-1)).toBe("reconnect");
    expect([...order].sort()).toEqual(["product:v3", "reconnect", "user:v2"]);
    expect(users).toEqual([{ recordId: "user:1", version: 2, full: { name: "Bob" } }]);
    expect(products).toEqual([{ recordId: "product:1", version: 3, full: { price: 3 } }]);
    expect(
      server.records.subscribePayloads
        .slice(-2)
        .map(({ recordId, mode }) => [recordId, mode])
        .sort(),
    ).toEqual([
      ["product:1", "patch"],
      ["user:1", "full"],
    ]);

    // Live again, patches continuing from the restored version.
    server.records.publish("product:1", { price: 4 });
    await vi.waitFor(() => expect(products).toHaveLength(2));
    expect(products[1]).toEqual({
      recordId: "product:1",
      version: 4,
      patch: [{ op: "replace", path: "/price", value: 4 }],
    });
  });

  it("delivers the current value after a reconnect even when nothing changed (documented: always)", async () => {
    const server = await startServer();
    server.records.publish("doc", { a: 1 });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback, { mode: "patch" });

    await restartServer(client, server);

    expect(log).toEqual([{ recordId: "doc", version: 1, full: { a: 1 } }]);
  });

  it("drops a subscription the server now refuses, reports FORBIDDEN, and 'reconnect' still fires", async () => {
    const server = await startServer();
    const client = await connected(server);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback);

    await restartServer(client, server, () => {
      server.records.access = () => "guard says no";
    });
    server.latest.send({ type: "record-update", recordId: "doc", version: 1, full: "after" });
    await settle(client, server);

    expect(errors.map((error) => [error.code, error.details])).toEqual([
      ["FORBIDDEN", { recordId: "doc", reason: "guard says no" }],
    ]);
    expect(log).toEqual([]);
    await expect(client.unsubscribeRecord("doc")).resolves.toBe(false);
  });
});
