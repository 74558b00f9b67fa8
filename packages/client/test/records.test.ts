import { RECORD_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import { type MeshClient, type MeshError, type PatchOperation, type RecordUpdate, applyPatch } from "../src/node";
import { connected, rejection, restartServer, settle, startServer } from "./support/clientHarness";
import type { ScriptedServer } from "./support/scriptedServer";

/** A record callback that records every update it gets. */
function collector(): { log: RecordUpdate[]; callback: (update: RecordUpdate) => void } {
  const log: RecordUpdate[] = [];
  return { log, callback: (update) => log.push(update) };
}

/** A promise the test resolves by hand, to hold a scripted handler at one point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Subscribe requests the scripted server received for one record. */
function subscribesTo(server: ScriptedServer, recordId: string): number {
  return server.records.subscribePayloads.filter((payload) => payload.recordId === recordId).length;
}

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

  it("shares one subscription per record: a second listener gets the current value, and both get every later version", async () => {
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

describe("MeshClient records: gaps and resynchronisation", () => {
  it("patch mode: a missed version makes the client resubscribe and deliver `full`, never the gap", async () => {
    const server = await startServer();
    server.records.publish("doc", { n: 1, keep: "x" });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback, { mode: "patch" });

    server.records.publish("doc", { n: 2, keep: "x" }, { skip: [server.latest] });
    server.records.publish("doc", { n: 3, keep: "x" });
    await vi.waitFor(() => expect(log).toHaveLength(1));
    server.records.publish("doc", { n: 4, keep: "x" });

    await vi.waitFor(() => expect(log).toHaveLength(2));
    expect(log).toEqual([
      { recordId: "doc", version: 3, full: { n: 3, keep: "x" } },
      { recordId: "doc", version: 4, patch: [{ op: "replace", path: "/n", value: 4 }] },
    ]);
    expect(server.records.subscribePayloads.map(({ recordId, mode }) => [recordId, mode])).toEqual([
      ["doc", "patch"],
      ["doc", "patch"],
    ]);
    // The resubscription happened on the same connection without an unsubscribe, so no update could slip by.
    expect(server.latest.requestedCommands()).toEqual([RECORD_COMMANDS.subscribe, RECORD_COMMANDS.subscribe]);
  });

  it("no resync storm: one resync in flight, updates meanwhile held back and filtered by version after it", async () => {
    const server = await startServer();
    server.records.publish("doc", { n: 1 });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback, { mode: "patch" });
    const held = gate();
    server.records.afterRegister = () => held.wait;

    server.records.publish("doc", { n: 2 }, { skip: [server.latest] });
    server.records.publish("doc", { n: 3 });
    await vi.waitFor(() => expect(subscribesTo(server, "doc")).toBe(2));
    // The resync is out and held: versions 4..8, each a gap from version 1, reach the client meanwhile.
    for (let n = 4; n <= 8; n += 1) server.records.publish("doc", { n });
    await settle(client, server);
    expect(subscribesTo(server, "doc")).toBe(2);
    expect(log).toEqual([]);

    server.records.afterRegister = undefined;
    held.open();
    await vi.waitFor(() => expect(log).toHaveLength(1));
    server.records.publish("doc", { n: 9 });
    await vi.waitFor(() => expect(log).toHaveLength(2));

    expect(log).toEqual([
      { recordId: "doc", version: 8, full: { n: 8 } },
      { recordId: "doc", version: 9, patch: [{ op: "replace", path: "/n", value: 9 }] },
    ]);
    expect(subscribesTo(server, "doc")).toBe(2);
  });

  it("full mode: a missed version needs no resync, the next full value is delivered", async () => {
    const server = await startServer();
    server.records.publish("doc", { n: 1 });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback);

    server.records.publish("doc", { n: 2 }, { skip: [server.latest] });
    server.records.publish("doc", { n: 3 });

    await vi.waitFor(() => expect(log).toEqual([{ recordId: "doc", version: 3, full: { n: 3 } }]));
    await settle(client, server);
    expect(subscribesTo(server, "doc")).toBe(1);
  });

  it("resyncs instead of delivering a patch that applyPatch would refuse (a `constructor` key, a __proto__ key)", async () => {
    const server = await startServer();
    server.records.publish("team", { constructor: "Ferrari", points: 1 });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("team", callback, { mode: "patch" });

    // The patch would be `replace /constructor`: legitimate data, but a path applyPatch refuses.
    server.records.publish("team", { constructor: "McLaren", points: 1 });
    await vi.waitFor(() => expect(log).toHaveLength(1));
    // An own "__proto__" key, as JSON.parse makes it: the patch would be `add /__proto__`.
    server.records.publish("team", JSON.parse('{"constructor": "McLaren", "points": 1, "__proto__": {"polluted": "yes"}}'));
    await vi.waitFor(() => expect(log).toHaveLength(2));
    server.records.publish("team", { constructor: "McLaren", points: 2 });
    await vi.waitFor(() => expect(log).toHaveLength(3));

    expect(log[0]).toEqual({ recordId: "team", version: 2, full: { constructor: "McLaren", points: 1 } });
    expect(log[1]).toMatchObject({ recordId: "team", version: 3 });
    const full = log[1]?.full as Record<string, unknown>;
    expect(Object.keys(full).sort()).toEqual(["__proto__", "constructor", "points"]);
    expect(Object.getPrototypeOf(full)).toBe(Object.prototype);
    // Version 4 removes the "__proto__" key again: a patch through it, so once more a resync.
    expect(log[2]).toEqual({ recordId: "team", version: 4, full: { constructor: "McLaren", points: 2 } });
    expect(subscribesTo(server, "team")).toBe(4);
    expect(({}) as Record<string, unknown>).not.toHaveProperty("polluted");
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("unsubscribing during a resync: nothing is delivered after, and the server ends unsubscribed", async () => {
    const server = await startServer();
    server.records.publish("doc", { n: 1 });
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribeRecord("doc", callback, { mode: "patch" });
    const held = gate();
    server.records.afterRegister = () => held.wait;
    server.records.publish("doc", { n: 2 }, { skip: [server.latest] });
    server.records.publish("doc", { n: 3 });
    await vi.waitFor(() => expect(subscribesTo(server, "doc")).toBe(2));

    const unsubscribed = client.unsubscribeRecord("doc");
    held.open();
    await expect(unsubscribed).resolves.toBe(true);
    server.latest.send({ type: "record-update", recordId: "doc", version: 4, full: { n: "late" } });
    await settle(client, server);

    expect(log).toEqual([]);
    expect(server.records.subscribers("doc")).toEqual([]);
    expect(server.latest.requestedCommands().filter((command) => command.includes("record"))).toEqual([
      RECORD_COMMANDS.subscribe,
      RECORD_COMMANDS.subscribe,
      RECORD_COMMANDS.unsubscribe,
    ]);
  });
});

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

    await vi.waitFor(() => expect(log.map((update) => update.full)).toEqual([{ title: "a" }, { title: "b" }, { title: "c" }]));
    expect(server.latest.received.filter((message) => message.type === "request").map((m) => m.payload)).toContainEqual({
      recordId: "doc:1",
      value: { title: "c" },
      expectedVersion: 2,
    });
  });

  it("publishRecordUpdate rejects with VERSION_CONFLICT, FORBIDDEN and INVALID_PAYLOAD as MeshErrors", async () => {
    const server = await startServer();
    server.records.writable = (recordId) => (recordId.startsWith("ro:") ? `Record "${recordId}" is not writable` : true);
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
    expect([badId.code, notJson.code, badVersion.code]).toEqual(["INVALID_PAYLOAD", "INVALID_PAYLOAD", "INVALID_PAYLOAD"]);
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
    expect(server.records.subscribePayloads.slice(-2).map(({ recordId, mode }) => [recordId, mode]).sort()).toEqual([
      ["product:1", "patch"],
      ["user:1", "full"],
    ]);

    // Live again, patches continuing from the restored version.
    server.records.publish("product:1", { price: 4 });
    await vi.waitFor(() => expect(products).toHaveLength(2));
    expect(products[1]).toEqual({ recordId: "product:1", version: 4, patch: [{ op: "replace", path: "/price", value: 4 }] });
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

describe("applyPatch", () => {
  const pollutionAttempts: Array<[string, PatchOperation[]]> = [
    ["add through __proto__", [{ op: "add", path: "/__proto__/polluted", value: "yes" }]],
    ["add __proto__ itself", [{ op: "add", path: "/__proto__", value: { polluted: "yes" } }]],
    ["replace __proto__", [{ op: "replace", path: "/__proto__", value: { polluted: "yes" } }]],
    ["constructor.prototype", [{ op: "add", path: "/constructor/prototype/polluted", value: "yes" }]],
    ["nested __proto__", [{ op: "add", path: "/a/__proto__/polluted", value: "yes" }]],
    ["nested constructor", [{ op: "replace", path: "/a/constructor/prototype/x", value: "yes" }]],
    ["prototype segment", [{ op: "add", path: "/a/prototype", value: "yes" }]],
    ["move from __proto__", [{ op: "move", from: "/__proto__", path: "/stolen" }]],
    ["copy from constructor.prototype", [{ op: "copy", from: "/constructor/prototype", path: "/a/proto" }]],
    ["move into __proto__", [{ op: "move", from: "/a", path: "/__proto__/polluted" }]],
    ["remove through __proto__", [{ op: "remove", path: "/__proto__/hasOwnProperty" }]],
  ];

  it.each(pollutionAttempts)("refuses %s with INVALID_PAYLOAD and pollutes nothing", (_name, patch) => {
    const doc: Record<string, unknown> = { a: { b: 1 } };
    let thrown: unknown;
    try {
      applyPatch(doc, patch);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toMatchObject({ name: "MeshError", code: "INVALID_PAYLOAD", details: { index: 0 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(doc.a)).toBe(Object.prototype);
    expect(doc).toEqual({ a: { b: 1 } });
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
  });

  it("refuses the whole patch before changing anything when a later operation is forbidden", () => {
    const doc = { a: 1 };
    expect(() =>
      applyPatch(doc, [
        { op: "replace", path: "/a", value: 2 },
        { op: "add", path: "/__proto__/polluted", value: "yes" },
      ]),
    ).toThrow(/__proto__/);
    expect(doc).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never follows inherited members such as toString, hasOwnProperty or an array's length", () => {
    const doc = { list: [1, 2] };
    for (const patch of [
      [{ op: "add", path: "/toString/polluted", value: "yes" }],
      [{ op: "add", path: "/hasOwnProperty/polluted", value: "yes" }],
      [{ op: "replace", path: "/toString", value: "yes" }],
      [{ op: "replace", path: "/list/length", value: 0 }],
      [{ op: "add", path: "/list/map/polluted", value: "yes" }],
    ] as PatchOperation[][]) {
      expect(() => applyPatch(doc, patch)).toThrow(expect.objectContaining({ code: "INVALID_PAYLOAD" }));
    }
    expect(doc).toEqual({ list: [1, 2] });
    expect((Object.prototype.toString as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype.hasOwnProperty as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((Array.prototype.map as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops __proto__ keys inside added values, so the added object keeps its normal prototype", () => {
    const doc: Record<string, unknown> = {};
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}') as unknown;
    applyPatch(doc, [{ op: "add", path: "/a", value }]);
    expect(doc.a).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(doc.a)).toBe(Object.prototype);
    expect((doc.a as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies RFC 6902 add, remove, replace, move, copy and test in place and returns the same document", () => {
    const doc: Record<string, any> = {
      name: "Lamp",
      price: 10,
      tags: ["a", "c"],
      dims: { w: 1 },
      "a/b": 1,
      "m~n": 2,
    };
    const result = applyPatch(doc, [
      { op: "test", path: "/name", value: "Lamp" },
      { op: "add", path: "/tags/1", value: "b" },
      { op: "add", path: "/tags/-", value: "d" },
      { op: "remove", path: "/tags/0" },
      { op: "replace", path: "/price", value: 12 },
      { op: "add", path: "/dims/h", value: 2 },
      { op: "move", from: "/dims/w", path: "/width" },
      { op: "copy", from: "/dims", path: "/dimsCopy" },
      { op: "replace", path: "/a~1b", value: 10 },
      { op: "remove", path: "/m~0n" },
    ]);

    expect(result).toBe(doc);
    expect(doc).toEqual({
      name: "Lamp",
      price: 12,
      tags: ["b", "c", "d"],
      dims: { h: 2 },
      dimsCopy: { h: 2 },
      width: 1,
      "a/b": 10,
    });
    doc.dimsCopy.h = 99;
    expect(doc.dims.h).toBe(2);
  });

  it("throws INVALID_PAYLOAD for a failed test, a missing location, a whole-document op or a malformed operation", () => {
    const cases: PatchOperation[][] = [
      [{ op: "test", path: "/a", value: 2 }],
      [{ op: "remove", path: "/missing" }],
      [{ op: "replace", path: "/missing/deeper", value: 1 }],
      [{ op: "add", path: "/x/y", value: 1 }],
      [{ op: "replace", path: "", value: { a: 2 } }],
      [{ op: "add", path: "a", value: 1 }],
      [{ op: "add", path: "/b" } as PatchOperation],
      [{ op: "move", path: "/b" } as PatchOperation],
      [{ op: "merge" as "add", path: "/b", value: 1 }],
    ];
    for (const patch of cases) {
      const doc = { a: 1 };
      expect(() => applyPatch(doc, patch), JSON.stringify(patch)).toThrow(
        expect.objectContaining({ name: "MeshError", code: "INVALID_PAYLOAD" }),
      );
      expect(doc).toEqual({ a: 1 });
    }
    expect(applyPatch({ a: 1 }, [{ op: "test", path: "", value: { a: 1 } }])).toEqual({ a: 1 });
  });
});
