// Every broadcast form, with clients on different instances of one cluster: what reaches whom. Negative checks
// ("x did NOT get it") use flushPushes (support/cluster.ts): a marker sent after the broadcast arriving proves
// the broadcast never will, without sleeping.
import { randomUUID } from "node:crypto";
import type { MeshClient } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, flushPushes, recordPushes, startCluster } from "./support/cluster";

type Client = MeshClient & { connectionId: string };

interface Topology {
  A: Instance;
  B: Instance;
  C: Instance;
  /** Clients by name: a1, a2 on A; b1, b2 on B; c1 on C. */
  clients: Record<"a1" | "a2" | "b1" | "b2" | "c1", Client>;
  /** Where each client is served. */
  home: Record<"a1" | "a2" | "b1" | "b2" | "c1", Instance>;
}

async function threeInstances(): Promise<Topology> {
  const { nodes } = await startCluster(3);
  const [A, B, C] = nodes as [Instance, Instance, Instance];
  const [a1, a2, b1, b2, c1] = await Promise.all([
    connectClient(A.url),
    connectClient(A.url),
    connectClient(B.url),
    connectClient(B.url),
    connectClient(C.url),
  ]);
  return { A, B, C, clients: { a1, a2, b1, b2, c1 }, home: { a1: A, a2: A, b1: B, b2: B, c1: C } };
}

type Name = keyof Topology["clients"];
const NAMES: Name[] = ["a1", "a2", "b1", "b2", "c1"];

/** Starts recording `event` on every client. */
function recordAll(t: Topology, event: string): Record<Name, unknown[]> {
  return Object.fromEntries(NAMES.map((name) => [name, recordPushes(t.clients[name], event)])) as Record<
    Name,
    unknown[]
  >;
}

/**
 * Asserts that exactly `expected` clients got `payload` (once each) from a push `sender` sent: waits for the
 * expected ones, then flushes the others so a stray delivery would have shown up.
 */
async function expectReceivers(
  t: Topology,
  sender: Instance,
  got: Record<Name, unknown[]>,
  expected: Name[],
  payload: unknown,
) {
  await eventually(() => {
    for (const name of expected) expect(got[name], `${name} should have received it`).toContainEqual(payload);
  });
  await Promise.all(NAMES.map((name) => flushPushes(sender.server, t.clients[name])));
  for (const name of NAMES) {
    const copies = got[name].filter((p) => JSON.stringify(p) === JSON.stringify(payload)).length;
    expect(copies, `${name} received it ${copies} time(s)`).toBe(expected.includes(name) ? 1 : 0);
  }
}

describe("broadcasts across instances", () => {
  it("broadcast(cmd, payload) reaches every client on every instance, once", async () => {
    const t = await threeInstances();
    const got = recordAll(t, "news");
    await t.A.server.broadcast("news", { n: 1 });
    await expectReceivers(t, t.A, got, NAMES, { n: 1 });
    await t.C.server.broadcast("news", { n: 2 });
    await expectReceivers(t, t.C, got, NAMES, { n: 2 });
  });

  it("broadcast(cmd, payload, ids) reaches exactly the listed connections, wherever they are", async () => {
    const t = await threeInstances();
    const { a1, b1, b2, c1 } = t.clients;
    const got = recordAll(t, "direct");

    // Only remote targets, on two other instances.
    await t.A.server.broadcast("direct", { n: 1 }, [b1.connectionId, c1.connectionId]);
    await expectReceivers(t, t.A, got, ["b1", "c1"], { n: 1 });

    // Local and remote targets, a duplicate and an id no instance serves.
    await t.A.server.broadcast("direct", { n: 2 }, [a1.connectionId, b2.connectionId, b2.connectionId, randomUUID()]);
    await expectReceivers(t, t.A, got, ["a1", "b2"], { n: 2 });

    // A Connection object from its own instance works as well as an id.
    const local = t.B.server.connectionManager.getLocalConnection(b1.connectionId);
    expect(local).toBeDefined();
    await t.B.server.broadcast("direct", { n: 3 }, [local!, c1.connectionId]);
    await expectReceivers(t, t.B, got, ["b1", "c1"], { n: 3 });
  });

  it("broadcastExclude skips the excluded connections on every instance", async () => {
    const t = await threeInstances();
    const { a1, b1, c1 } = t.clients;
    const got = recordAll(t, "said");

    await t.B.server.broadcastExclude("said", { n: 1 }, [a1.connectionId, b1.connectionId]);
    await expectReceivers(t, t.B, got, ["a2", "b2", "c1"], { n: 1 });

    // A single id (not a list) is accepted too.
    await t.A.server.broadcastExclude("said", { n: 2 }, c1.connectionId);
    await expectReceivers(t, t.A, got, ["a1", "a2", "b1", "b2"], { n: 2 });
  });

  it("broadcastRoom reaches the room's members on every instance and no one else", async () => {
    const t = await threeInstances();
    const { a1, b1, c1 } = t.clients;
    const got = recordAll(t, "room-news");
    // Members on A and B, added by C, which has no member itself.
    await t.C.server.addToRoom("lobby", a1.connectionId);
    await t.C.server.addToRoom("lobby", b1.connectionId);

    await t.C.server.broadcastRoom("lobby", "room-news", { n: 1 });
    await expectReceivers(t, t.C, got, ["a1", "b1"], { n: 1 });
    await t.A.server.broadcastRoom("lobby", "room-news", { n: 2 });
    await expectReceivers(t, t.A, got, ["a1", "b1"], { n: 2 });

    // A room nobody is in reaches nobody.
    await t.B.server.broadcastRoom("empty-room", "room-news", { n: 3 });
    await expectReceivers(t, t.B, got, [], { n: 3 });

    await t.A.server.addToRoom("lobby", c1.connectionId);
    await t.B.server.broadcastRoom("lobby", "room-news", { n: 4 });
    await expectReceivers(t, t.B, got, ["a1", "b1", "c1"], { n: 4 });
  });

  it("broadcastRoomExclude skips the excluded members, local or remote", async () => {
    const t = await threeInstances();
    const { a1, a2, b1, b2 } = t.clients;
    const got = recordAll(t, "room-said");
    for (const client of [a1, a2, b1, b2]) await t.C.server.addToRoom("team", client.connectionId);

    await t.A.server.broadcastRoomExclude("team", "room-said", { n: 1 }, [a1.connectionId, b1.connectionId]);
    await expectReceivers(t, t.A, got, ["a2", "b2"], { n: 1 });

    await t.C.server.broadcastRoomExclude("team", "room-said", { n: 2 }, b2.connectionId);
    await expectReceivers(t, t.C, got, ["a1", "a2", "b1"], { n: 2 });
  });

  it("sendTo reaches a connection on another instance; an unknown id gives false", async () => {
    const t = await threeInstances();
    const got = recordAll(t, "dm");
    expect(await t.A.server.sendTo(t.clients.c1.connectionId, "dm", { n: 1 })).toBe(true);
    await expectReceivers(t, t.A, got, ["c1"], { n: 1 });
    expect(await t.C.server.sendTo(t.clients.b2.connectionId, "dm", { n: 2 })).toBe(true);
    await expectReceivers(t, t.C, got, ["b2"], { n: 2 });

    expect(await t.A.server.sendTo(randomUUID(), "dm", { n: 3 })).toBe(false);
    await expectReceivers(t, t.A, got, [], { n: 3 });

    // A connection that closed is unknown too, once its instance has unregistered it.
    await t.clients.b1.close();
    await eventually(async () =>
      expect(await t.A.server.sendTo(t.clients.b1.connectionId, "dm", { n: 4 })).toBe(false),
    );
  });

  it("regression (original Mesh bug 1a): connections with metadata still receive every kind of broadcast", async () => {
    // In the original, setMetadata overwrote the routing entry, so any connection with metadata was routed to a
    // bogus instance channel and silently received no broadcast at all.
    const t = await threeInstances();
    const got = recordAll(t, "after-metadata");
    // Metadata written from an instance other than the one serving each connection, and from its own.
    for (const [name, writer] of [
      ["a1", t.B],
      ["a2", t.A],
      ["b1", t.C],
      ["b2", t.B],
      ["c1", t.A],
    ] as const) {
      await writer.server.connectionManager.setMetadata(t.clients[name].connectionId, { userId: name, token: "t" });
    }
    for (const name of NAMES) {
      expect(await t.C.server.connectionManager.getMetadata(t.clients[name].connectionId)).toEqual({
        userId: name,
        token: "t",
      });
    }
    for (const name of ["a1", "b1", "c1"] as const)
      await t.B.server.addToRoom("with-meta", t.clients[name].connectionId);

    await t.A.server.broadcast("after-metadata", "all");
    await expectReceivers(t, t.A, got, NAMES, "all");
    await t.B.server.broadcast("after-metadata", "listed", [t.clients.a2.connectionId, t.clients.c1.connectionId]);
    await expectReceivers(t, t.B, got, ["a2", "c1"], "listed");
    await t.C.server.broadcastExclude("after-metadata", "exclude", t.clients.b2.connectionId);
    await expectReceivers(t, t.C, got, ["a1", "a2", "b1", "c1"], "exclude");
    await t.C.server.broadcastRoom("with-meta", "after-metadata", "room");
    await expectReceivers(t, t.C, got, ["a1", "b1", "c1"], "room");
    await t.A.server.broadcastRoomExclude("with-meta", "after-metadata", "room-exclude", t.clients.c1.connectionId);
    await expectReceivers(t, t.A, got, ["a1", "b1"], "room-exclude");
    for (const name of NAMES) {
      expect(await t.C.server.sendTo(t.clients[name].connectionId, "after-metadata", `dm-${name}`)).toBe(true);
      await expectReceivers(t, t.C, got, [name], `dm-${name}`);
    }
  });
});
