// Records through the real MeshClient on a two-instance cluster sharing one Redis: guards, writable records,
// no-op updates, deletion, the automatic resync of patch-mode subscriptions, restoration after a reconnect
// (original Mesh weakness 25), and prototype pollution through record values. Writers and publishers sit on
// instance A, subscribers on B unless a test says otherwise.
//
// Negative checks ("no update arrived") publish a marker update on another record from the same instance after
// the change under test: an instance sends every record change through its one Redis command connection and
// receives through one subscriber connection, both in order, so the marker arriving proves that anything
// published before it has arrived too, or never will.
import { type MeshClient, type RecordUpdate, applyPatch } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster, startInstance } from "../cluster/support/cluster";
import { FAST_RECONNECTS, UpgradeGate, dropSocket, nextReconnect } from "../cluster/support/reconnects";

/** A record subscription's updates, recorded as copies (a patch-mode application changes what it receives). */
async function subscribeRecorded(
  client: MeshClient,
  recordId: string,
  mode: "full" | "patch" = "full",
  onUpdate: (update: RecordUpdate) => void = () => {},
): Promise<{ updates: RecordUpdate[]; record: unknown; version: number }> {
  const updates: RecordUpdate[] = [];
  const callback = (update: RecordUpdate): void => {
    updates.push(structuredClone(update));
    onUpdate(update);
  };
  const result = await client.subscribeRecord(recordId, callback, { mode });
  expect(result).toMatchObject({ success: true });
  return { updates, record: result.record, version: result.version };
}

/** Publishes a marker change on `marker:<n>` from `sender` and waits until `client` got it (see top of file). */
async function flushRecords(sender: MeshServer, client: MeshClient): Promise<void> {
  const recordId = `marker:${Math.random().toString(36).slice(2)}`;
  const seen: number[] = [];
  await client.subscribeRecord(recordId, (update) => seen.push(update.version));
  await sender.publishRecordUpdate(recordId, { at: Date.now() });
  await eventually(() => expect(seen).toEqual([1]));
  await client.unsubscribeRecord(recordId);
}

async function cluster(options: { allowErrors?: boolean } = {}): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2, options);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeRecord(/^(doc|marker):/);
    server.exposeWritableRecord(/^shared:/);
  }
  return { A, B };
}

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

    expect(result).toEqual({ success: false, record: null, version: 0, reason: 'Access to record "secret:1" was denied' });
    expect(write).toMatchObject({ name: "MeshError", code: "FORBIDDEN" });
    expect(await A.server.getRecord("secret:1")).toEqual({ value: null, version: 0 });
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

    await expect(writer.publishRecordUpdate("shared:doc", { title: "a" }, { expectedVersion: 0 })).resolves.toEqual({ version: 1 });
    await expect(writer.publishRecordUpdate("shared:doc", { title: "b" })).resolves.toEqual({ version: 2 });
    await expect(writer.publishRecordUpdate("shared:doc", { title: "c" }, { expectedVersion: 2 })).resolves.toEqual({ version: 3 });
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
    expect(await B.server.getRecord("shared:doc")).toEqual({ value: { title: "c" }, version: 3 });
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
    expect(await A.server.getRecord("shared:doc")).toEqual({ value: { by: "first" }, version: 1 });
    expect(await A.server.getRecord("doc:1")).toEqual({ value: null, version: 0 });
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
    await expect(writer.publishRecordUpdate("shared:doc2", { a: 1 }, { expectedVersion: 1 })).resolves.toEqual({ version: 1 });
    await flushRecords(A.server, reader);

    expect(full.updates).toEqual([{ recordId: "shared:doc", version: 1, full: { a: 1, b: [1, 2] } }]);
    expect(patch.updates).toEqual([{ recordId: "shared:doc2", version: 1, full: { a: 1 } }]);
    expect(await B.server.getRecord("shared:doc")).toMatchObject({ version: 1 });
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
});

describe("records through MeshClient: resync and reconnect", () => {
  // The gap is made on purpose through a second, raw path on the client's own connection: `client.command` sends
  // the built-in `mesh/unsubscribe-record`, so the server stops streaming the record to this connection while the
  // client's record subscription still holds version N. Version N+1 is published and cannot arrive. A raw
  // `mesh/subscribe-record` registers the connection again, its answer going to that raw command and not to the
  // subscription, which still holds N: version N+2 then arrives as a patch two versions ahead.
  it("a deliberate gap in patch mode: the callback gets `full` at the new version, never a patch out of order", async () => {
    const { A, B } = await cluster();
    const client = await connectClient(B.url);
    await A.server.publishRecordUpdate("doc:1", { n: 1, items: ["a"] });
    const sub = await subscribeRecorded(client, "doc:1", "patch");
    await A.server.publishRecordUpdate("doc:1", { n: 2, items: ["a"] });
    await eventually(() => expect(sub.updates.map((u) => u.version)).toEqual([2]));

    await expect(client.command("mesh/unsubscribe-record", { recordId: "doc:1" })).resolves.toBe(true);
    await A.server.publishRecordUpdate("doc:1", { n: 3, items: ["a"] });
    expect(await client.command("mesh/subscribe-record", { recordId: "doc:1", mode: "patch" })).toMatchObject({ version: 3 });
    await A.server.publishRecordUpdate("doc:1", { n: 4, items: ["a", "b"] });
    // Waiting for the resync keeps version 5 out of its answer, so it has to come as a patch.
    await eventually(() => expect(sub.updates.at(-1)?.version).toBe(4));
    await A.server.publishRecordUpdate("doc:1", { n: 5, items: ["a", "b"] });

    await eventually(() => expect(sub.updates.at(-1)?.version).toBe(5));
    expect(sub.updates).toEqual([
      { recordId: "doc:1", version: 2, patch: [{ op: "replace", path: "/n", value: 2 }] },
      { recordId: "doc:1", version: 4, full: { n: 4, items: ["a", "b"] } },
      { recordId: "doc:1", version: 5, patch: [{ op: "replace", path: "/n", value: 5 }] },
    ]);
    let doc: unknown = sub.record;
    for (const update of sub.updates) doc = update.patch ? applyPatch(doc, update.patch) : update.full;
    expect(doc).toEqual((await A.server.getRecord("doc:1")).value);
  });

  it("after the server terminates the socket, every record is restored with its current value before `reconnect`", async () => {
    const { prefix, nodes } = await startCluster(1);
    const A = nodes[0] as Instance;
    const gate = new UpgradeGate();
    const B = await startInstance(prefix, { authenticateConnection: gate.authenticate });
    for (const { server } of [A, B]) server.exposeRecord(/^doc:/);
    await A.server.publishRecordUpdate("doc:full", { v: 1 });
    await A.server.publishRecordUpdate("doc:patch", { list: [1] });
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const timeline: string[] = [];
    const log = (name: string) => (update: RecordUpdate) => timeline.push(`${name}:v${update.version}`);
    const full = await subscribeRecorded(client, "doc:full", "full", log("full"));
    const patch = await subscribeRecorded(client, "doc:patch", "patch", log("patch"));
    const quiet = await subscribeRecorded(client, "doc:quiet", "patch", log("quiet"));
    client.on("reconnect", () => timeline.push("reconnect"));

    gate.close();
    const reconnected = nextReconnect(client);
    await dropSocket(B.server, client);
    await A.server.publishRecordUpdate("doc:full", { v: 2 });
    await A.server.publishRecordUpdate("doc:full", { v: 3 });
    await A.server.publishRecordUpdate("doc:patch", { list: [1, 2] });
    await eventually(() => expect(gate.held).toBeGreaterThan(0));
    expect(client.status).toBe("reconnecting");
    gate.open();
    await reconnected;

    expect(timeline.at(-1)).toBe("reconnect");
    expect([...timeline].sort()).toEqual(["full:v3", "patch:v2", "quiet:v0", "reconnect"]);
    expect(full.updates).toEqual([{ recordId: "doc:full", version: 3, full: { v: 3 } }]);
    expect(patch.updates).toEqual([{ recordId: "doc:patch", version: 2, full: { list: [1, 2] } }]);
    expect(quiet.updates).toEqual([{ recordId: "doc:quiet", version: 0, full: null }]);

    // Live again on the new connection, patches following the restored version.
    await A.server.publishRecordUpdate("doc:patch", { list: [1, 2, 3] });
    await eventually(() => expect(patch.updates).toHaveLength(2));
    expect(patch.updates[1]).toEqual({ recordId: "doc:patch", version: 3, patch: [{ op: "add", path: "/list/-", value: 3 }] });
  });
});

describe("records through MeshClient: prototype pollution", () => {
  it("record values with __proto__ / constructor / prototype keys pollute nothing, in full or patch mode", async () => {
    const { A, B } = await cluster();
    const writer = await connectClient(A.url);
    const reader = await connectClient(B.url);
    const fullReader = await connectClient(B.url);
    await writer.publishRecordUpdate("shared:evil", { a: { b: 1 } });
    const full = await subscribeRecorded(fullReader, "shared:evil");
    // The Patch Mode sample's way of keeping a document, with applyPatch from @meshwork/client.
    let productData: unknown = {};
    const patchUpdates: RecordUpdate[] = [];
    const errors: Error[] = [];
    reader.on("error", (error) => errors.push(error));
    const { record } = await reader.subscribeRecord(
      "shared:evil",
      (update) => {
        patchUpdates.push(structuredClone(update));
        if (update.patch) applyPatch(productData, update.patch);
        else productData = update.full;
      },
      { mode: "patch" },
    );
    productData = record;

    const attacks = [
      '{"a": {"b": 1}, "__proto__": {"polluted": "yes"}}',
      '{"a": {"b": 1, "__proto__": {"polluted": "yes"}}}',
      '{"a": {"b": 1}, "constructor": {"prototype": {"polluted": "yes"}}}',
      '{"a": {"b": 1, "constructor": {"prototype": {"polluted": "yes"}}, "prototype": {"polluted": "yes"}}}',
    ];
    // One change at a time, each delivered before the next, so every one of them meets the patch-mode checks.
    for (const value of [...attacks.map((attack) => JSON.parse(attack) as unknown), { a: { b: 2 } }]) {
      const { version } = await writer.publishRecordUpdate("shared:evil", value);
      await eventually(() => expect(full.updates.at(-1)?.version).toBe(version));
      await eventually(() => expect(patchUpdates.at(-1)?.version).toBe(version));
    }
    expect(({}) as Record<string, unknown>).not.toHaveProperty("polluted");
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(errors).toEqual([]);
    // Each attack's patch goes through a refused segment, so the patch-mode subscription resynchronised and got
    // the value whole: the application never had to apply such a patch.
    expect(patchUpdates.map((update) => [update.version, update.patch ? "patch" : "full"])).toEqual([
      [2, "full"],
      [3, "full"],
      [4, "full"],
      [5, "full"],
      [6, "full"],
    ]);
    const fourth = full.updates.find((update) => update.version === 4)?.full as Record<string, unknown>;
    expect(Object.keys(fourth).sort()).toEqual(["a", "constructor"]);
    expect(Object.getPrototypeOf(fourth)).toBe(Object.prototype);
    expect(productData).toEqual({ a: { b: 2 } });
    expect(await A.server.getRecord("shared:evil")).toEqual({ value: { a: { b: 2 } }, version: 6 });
  });
});
