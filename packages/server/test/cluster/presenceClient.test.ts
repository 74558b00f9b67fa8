// Presence end to end through the real MeshClient on two instances sharing one Redis: the client's presence API and
// the server's presence feature agree on the wire, each event reaches each subscriber once, and a client whose
// socket drops comes back present with its state before its `reconnect` fires.
import type { PresenceEventInfo } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "./support/cluster";
import { FAST_RECONNECTS, dropSocket, nextReconnect } from "./support/reconnects";

/** Two instances on which clients may join `lobby` and see its presence. */
async function lobbyCluster(): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeRoom("lobby");
    server.trackPresence("lobby");
  }
  return { A, B };
}

/** What a presence callback saw, reduced to what a member list is built from. */
const summary = (events: PresenceEventInfo[]) =>
  events.map(({ type, connectionId, state }) =>
    type === "state" ? [type, connectionId, state] : [type, connectionId],
  );

describe("presence through MeshClient", () => {
  it("joins, states and leaves reach a watcher on the other instance once each, in order", async () => {
    const { A, B } = await lobbyCluster();
    const alice = await connectClient(A.url);
    const bob = await connectClient(B.url);
    const seenByAlice: PresenceEventInfo[] = [];

    const joined = await alice.joinRoom("lobby", (event) => seenByAlice.push(event));
    expect(joined.success).toBe(true);
    expect((await bob.joinRoom("lobby")).success).toBe(true);
    await eventually(() => expect(summary(seenByAlice)).toEqual([["join", bob.connectionId]]));

    expect(await bob.publishPresenceState("lobby", { state: { typing: true } })).toMatchObject({ success: true });
    expect(await bob.clearPresenceState("lobby")).toMatchObject({ success: true });
    await eventually(() =>
      expect(summary(seenByAlice).slice(1)).toEqual([
        ["state", bob.connectionId, { typing: true }],
        ["state", bob.connectionId, null],
      ]),
    );

    const bobId = bob.connectionId;
    await bob.close();
    await eventually(() => expect(summary(seenByAlice).at(-1)).toEqual(["leave", bobId]));
    expect(summary(seenByAlice)).toHaveLength(4);
    expect(await A.server.getPresence("lobby")).toMatchObject({
      members: [{ connectionId: alice.connectionId, connectionIds: [alice.connectionId] }],
      states: {},
    });
  });

  it("a client whose socket drops is present again with its state before `reconnect`; others see one leave, one join", async () => {
    const { A, B } = await lobbyCluster();
    const alice = await connectClient(A.url);
    const bob = await connectClient(B.url, FAST_RECONNECTS);
    const seenByAlice: PresenceEventInfo[] = [];
    await alice.joinRoom("lobby", (event) => seenByAlice.push(event));
    await bob.joinRoom("lobby");
    await bob.publishPresenceState("lobby", { state: "away" });
    const oldId = bob.connectionId;
    await eventually(() =>
      expect(summary(seenByAlice)).toEqual([
        ["join", oldId],
        ["state", oldId, "away"],
      ]),
    );

    let presentAtReconnect: unknown;
    const reconnected = nextReconnect(bob);
    bob.once("reconnect", () => {
      presentAtReconnect = B.server.getPresence("lobby");
    });
    await dropSocket(B.server, bob);
    await reconnected;
    const newId = bob.connectionId;
    expect(newId).not.toBe(oldId);
    // Rooms, presence and bob's own state were back before `reconnect` fired.
    const atReconnect = (await presentAtReconnect) as Awaited<ReturnType<typeof A.server.getPresence>>;
    expect(atReconnect.members.map((member) => member.connectionId)).toContain(newId);
    expect(atReconnect.states[newId]).toBe("away");

    await eventually(() =>
      expect(summary(seenByAlice).slice(2)).toEqual([
        ["leave", oldId],
        ["join", newId],
        ["state", newId, "away"],
      ]),
    );
  });
});
