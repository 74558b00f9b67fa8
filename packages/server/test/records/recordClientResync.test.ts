// Records through the real MeshClient on a two-instance cluster sharing one Redis: the automatic resync of
// patch-mode subscriptions, restoration after a reconnect (original Mesh weakness 25), and prototype pollution
// through record values. Writers and publishers sit on instance A, subscribers on B unless a test says otherwise.
import { type RecordUpdate, applyPatch } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster, startInstance } from "../cluster/support/cluster";
import { FAST_RECONNECTS, UpgradeGate, dropSocket, nextReconnect } from "../cluster/support/reconnects";
import { recordCluster as cluster, subscribeRecorded } from "./support/recordClients";

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
    expect(await client.command("mesh/subscribe-record", { recordId: "doc:1", mode: "patch" })).toMatchObject({
      version: 3,
    });
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
    expect(doc).toEqual(await A.server.getRecord("doc:1"));
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
    expect(patch.updates[1]).toEqual({
      recordId: "doc:patch",
      version: 3,
      patch: [{ op: "add", path: "/list/-", value: 3 }],
    });
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
    expect({} as Record<string, unknown>).not.toHaveProperty("polluted");
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
    expect(await A.server.getRecordWithVersion("shared:evil")).toEqual({ value: { a: { b: 2 } }, version: 6 });
  });
});
