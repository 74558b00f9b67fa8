// Channels through MeshClient on two instances (publisher on A, clients on B unless said otherwise): no duplicate
// deliveries from repeated subscribes (original Mesh weakness 14: a listener added per subscribe call), the
// aliases, values, client-side validation, and the server's subscription released when a client leaves.
// Negative checks: a marker published by the same instance after the message under test, on a channel the client
// also subscribes to, arriving proves the message never will (see support/channels.ts).
import type { MeshClient } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { busChannelOf, channelTopicsOf } from "./support/channels";

type Client = MeshClient & { connectionId: string };

const MARK = "marks";

async function twoInstances(): Promise<{ prefix: string; A: Instance; B: Instance }> {
  const { prefix, nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeChannel(MARK);
    server.exposeChannel(/^chat:/);
  }
  return { prefix, A, B };
}

let markerSeq = 0;

/** Subscribes `client` to the marker channel; returns a flush that proves `publisher`'s earlier messages arrived. */
async function markerFlush(client: Client): Promise<(publisher: MeshServer) => Promise<void>> {
  const seen = new Set<number>();
  const waiters = new Map<number, () => void>();
  await client.subscribe(MARK, (message) => {
    const seq = message as number;
    seen.add(seq);
    waiters.get(seq)?.();
  });
  return async (publisher) => {
    const seq = ++markerSeq;
    const arrived = new Promise<void>((resolve) => waiters.set(seq, resolve));
    await publisher.publishToChannel(MARK, seq);
    if (!seen.has(seq)) await arrived;
  };
}

describe("MeshClient channel subscriptions on two instances", () => {
  it("subscribing twice shares the subscription: one delivery per message to each callback; fresh history each time", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    const flush = await markerFlush(client);
    for (const text of ["h1", "h2"]) await A.server.publishToChannel("chat:1", text, 10);

    const first: unknown[] = [];
    const second: unknown[] = [];
    expect(await client.subscribe("chat:1", (m) => first.push(m), { historyLimit: 5 })).toEqual({
      success: true,
      history: ["h2", "h1"],
    });
    await A.server.publishToChannel("chat:1", "one", 10);
    await flush(A.server);
    expect(first).toEqual(["one"]);

    expect(await client.subscribe("chat:1", (m) => second.push(m), { historyLimit: 2 })).toEqual({
      success: true,
      history: ["one", "h2"],
    });
    await A.server.publishToChannel("chat:1", "two", 10);
    await A.server.publishToChannel("chat:1", "three");
    await flush(A.server);
    expect(first).toEqual(["one", "two", "three"]);
    expect(second).toEqual(["two", "three"]);
  });

  it("unsubscribe then subscribe, many times and also without awaiting, never duplicates a delivery", async () => {
    const { prefix, A, B } = await twoInstances();
    const client = await connectClient(B.url);
    const flush = await markerFlush(client);
    const got: unknown[] = [];
    const onMessage = (m: unknown) => got.push(m);

    for (let round = 0; round < 10; round++) {
      await client.subscribe("chat:churn", onMessage);
      await A.server.publishToChannel("chat:churn", `a${round}`, round % 2 === 0 ? 0 : 20);
      await eventually(() => expect(got).toContain(`a${round}`));
      expect(await client.unsubscribe("chat:churn")).toBe(true);
    }
    // Fired without awaiting, in one go: the client keeps their order per channel.
    const calls = [
      client.subscribe("chat:churn", onMessage),
      client.unsubscribe("chat:churn"),
      client.subscribe("chat:churn", onMessage),
      client.subscribe("chat:churn", onMessage),
    ];
    await Promise.all(calls);
    expect(channelTopicsOf(B.server)).toEqual([busChannelOf(prefix, "chat:churn"), busChannelOf(prefix, MARK)].sort());
    await A.server.publishToChannel("chat:churn", "last", 20);
    await flush(A.server);
    await eventually(() => expect(got).toContain("last"));
    expect(got).toEqual([...Array.from({ length: 10 }, (_, round) => `a${round}`), "last"]);

    expect(await client.unsubscribe("chat:churn")).toBe(true);
    expect(await client.unsubscribe("chat:churn")).toBe(false);
    await A.server.publishToChannel("chat:churn", "after");
    await flush(A.server);
    expect(got).not.toContain("after");
  });

  it("subscribeChannel / unsubscribeChannel are aliases; refusals resolve success: false with a reason", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    const flush = await markerFlush(client);
    const got: unknown[] = [];
    await A.server.publishToChannel("chat:alias", { n: 0 }, 3);
    expect(await client.subscribeChannel("chat:alias", (m) => got.push(m), { historyLimit: 3 })).toEqual({
      success: true,
      history: [{ n: 0 }],
    });
    await A.server.publishToChannel("chat:alias", { n: 1 });
    await flush(A.server);
    expect(await client.unsubscribeChannel("chat:alias")).toBe(true);
    await A.server.publishToChannel("chat:alias", { n: 2 });
    await flush(A.server);
    expect(got).toEqual([{ n: 1 }]);

    const refused = await client.subscribe("secret", () => {});
    expect(refused).toEqual({ success: false, history: [], reason: expect.stringContaining("not exposed") });
    // A refused channel is not subscribed: nothing arrives, unsubscribe says so.
    expect(await client.unsubscribe("secret")).toBe(false);
  });

  it("invalid channel names reject with INVALID_PAYLOAD; a huge historyLimit is capped at 1000", async () => {
    const { A, B } = await twoInstances();
    const client = await connectClient(B.url);
    await Promise.all(Array.from({ length: 1_002 }, (_, i) => A.server.publishToChannel("chat:big", i, 1_500)));
    for (const channel of ["", "x".repeat(257), "a\nb"]) {
      await expect(client.subscribe(channel, () => {})).rejects.toMatchObject({ code: "INVALID_PAYLOAD" });
    }
    await expect(client.subscribe("chat:big", () => {}, { historyLimit: -1 })).rejects.toMatchObject({
      code: "INVALID_PAYLOAD",
    });
    await expect(client.subscribe("chat:big", () => {}, { historyLimit: 2.5 })).rejects.toMatchObject({
      code: "INVALID_PAYLOAD",
    });
    const { history } = await client.subscribe("chat:big", () => {}, { historyLimit: 1e9 });
    expect(history).toHaveLength(1_000);
    expect(history[0]).toBe(1_001);
    // The client is still fine.
    expect(client.status).toBe("online");
  });

  it("a publisher's own instance delivers too: clients on A and on B get the same messages in the same order", async () => {
    const { A, B } = await twoInstances();
    const onA = await connectClient(A.url);
    const onB = await connectClient(B.url);
    const got: Record<"A" | "B", unknown[]> = { A: [], B: [] };
    await onA.subscribe("chat:both", (m) => got.A.push(m));
    await onB.subscribe("chat:both", (m) => got.B.push(m));
    const values = ["s", 1, { o: [true, null] }, ["x"], JSON.stringify({ alert: "Red alert!" })];
    for (const [i, value] of values.entries()) await A.server.publishToChannel("chat:both", value, i % 2);
    await eventually(() => {
      expect(got.A).toEqual(values);
      expect(got.B).toEqual(values);
    });
  });

  it("a client closing releases its instance's channel subscriptions", async () => {
    const { prefix, A, B } = await twoInstances();
    const stays = await connectClient(B.url);
    const leaves = await connectClient(B.url);
    await stays.subscribe("chat:shared", () => {});
    for (const channel of ["chat:shared", "chat:own-1", "chat:own-2"]) await leaves.subscribe(channel, () => {});
    expect(channelTopicsOf(B.server)).toEqual(
      ["chat:own-1", "chat:own-2", "chat:shared"].map((c) => busChannelOf(prefix, c)),
    );
    const gone = new Promise<void>((resolve) => B.server.once("disconnected", () => resolve()));
    await leaves.close();
    await gone;
    expect(channelTopicsOf(B.server)).toEqual([busChannelOf(prefix, "chat:shared")]);
    expect(channelTopicsOf(A.server)).toEqual([]);
  });
});
