import { RECORD_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import { connected, settle, startServer } from "./support/clientHarness";
import { collector, gate, subscribesTo } from "./support/recordHelpers";

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
    server.records.publish(
      "team",
      JSON.parse('{"constructor": "McLaren", "points": 1, "__proto__": {"polluted": "yes"}}'),
    );
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
    expect({} as Record<string, unknown>).not.toHaveProperty("polluted");
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
