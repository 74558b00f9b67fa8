// Who a presence member is and what watchers learn about it: with groupBy one user's three connections on two
// instances are one member (one join with the first, one leave with the last), and another member's metadata
// reaches a watcher only where exposeConnectionMetadata allows it, in the snapshot and in join events alike.
import { describe, expect, it } from "vitest";
import { type Instance, eventually, startCluster } from "./support/cluster";
import { eventsAfter, joinRoom, presenceFrames, rawMember, subscribePresence } from "./support/presence";

async function twoInstances(): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeRoom(/.*/);
    server.trackPresence("team", { groupBy: "userId" });
    server.trackPresence("lobby");
  }
  return { A, B };
}

describe("presence members", () => {
  it("groupBy: three connections of one user are one member, joining with the first and leaving with the last", async () => {
    const { A, B } = await twoInstances();
    const watcher = await rawMember(B.url);
    const since = await subscribePresence(watcher, "team");
    const tabs = [await rawMember(A.url), await rawMember(B.url), await rawMember(A.url)];
    for (const tab of tabs) await A.server.connectionManager.setMetadata(tab.id, { userId: "u1", tab: tab.id });
    for (const tab of tabs) expect((await joinRoom(tab, "team")).success).toBe(true);

    const presence = await B.server.getPresence("team");
    expect(presence.members).toEqual([
      {
        connectionId: "u1",
        connectionIds: tabs.map((tab) => tab.id).sort(),
        metadata: { userId: "u1", tab: tabs[0]?.id },
      },
    ]);
    await tabs[0]?.raw.close();
    await tabs[1]?.raw.close();
    // Still present through the third tab, once the servers have cleaned up after the closed two.
    await eventually(async () =>
      expect((await A.server.getPresence("team")).members.map((m) => m.connectionIds)).toEqual([[tabs[2]?.id]]),
    );
    await tabs[2]?.raw.close();
    await eventually(() => expect(eventsAfter(watcher, "team", since.position)).toEqual(["join u1", "leave u1"]));
    const marker = await rawMember(A.url);
    await joinRoom(marker, "team");
    await eventually(() =>
      expect(eventsAfter(watcher, "team", since.position)).toEqual(["join u1", "leave u1", `join ${marker.id}`]),
    );
    const join = presenceFrames(watcher, "team")[0]?.event;
    // The join names the connection that made the member present; its metadata is not the watcher's to see.
    expect(join).toEqual({
      type: "join",
      roomName: "team",
      connectionId: "u1",
      connectionIds: [tabs[0]?.id],
      metadata: null,
    });
  });

  it("another member's metadata is withheld unless exposeConnectionMetadata allows it; a member sees its own", async () => {
    const { A, B } = await twoInstances();
    const trusted = await rawMember(B.url);
    const stranger = await rawMember(B.url);
    for (const { server } of [A, B]) server.exposeConnectionMetadata((connection) => connection.id === trusted.id);
    const member = await rawMember(A.url);
    await A.server.connectionManager.setMetadata(member.id, { name: "secret" });
    const sinceTrusted = await subscribePresence(trusted, "lobby");
    const sinceStranger = await subscribePresence(stranger, "lobby");
    await joinRoom(member, "lobby");

    const joinOf = (watcher: typeof trusted) =>
      presenceFrames(watcher, "lobby").find(({ event }) => event.connectionId === member.id)?.event;
    await eventually(() => {
      expect(joinOf(trusted)?.metadata).toEqual({ name: "secret" });
      expect(joinOf(stranger)).toMatchObject({ type: "join", metadata: null });
    });
    expect(eventsAfter(trusted, "lobby", sinceTrusted.position)).toEqual([`join ${member.id}`]);
    expect(eventsAfter(stranger, "lobby", sinceStranger.position)).toEqual([`join ${member.id}`]);

    // Snapshots: the same rule for each watcher; the member itself sees its own metadata.
    const entry = { connectionId: member.id, connectionIds: [member.id] };
    expect((await subscribePresence(trusted, "lobby")).present).toEqual([{ ...entry, metadata: { name: "secret" } }]);
    expect((await subscribePresence(stranger, "lobby")).present).toEqual([{ ...entry, metadata: null }]);
    expect((await subscribePresence(member, "lobby")).present).toEqual([{ ...entry, metadata: { name: "secret" } }]);
    // Server code reads everything.
    expect((await B.server.getPresence("lobby")).members).toEqual([{ ...entry, metadata: { name: "secret" } }]);
  });

  it("without exposeConnectionMetadata no watcher gets another member's metadata", async () => {
    const { A, B } = await twoInstances();
    const watcher = await rawMember(A.url);
    await subscribePresence(watcher, "lobby");
    const member = await rawMember(B.url);
    await B.server.connectionManager.setMetadata(member.id, { name: "secret" });
    await joinRoom(member, "lobby");
    await eventually(() => expect(presenceFrames(watcher, "lobby")).toHaveLength(1));
    expect(presenceFrames(watcher, "lobby")[0]?.event.metadata).toBeNull();
    expect((await subscribePresence(watcher, "lobby")).present).toEqual([
      { connectionId: member.id, connectionIds: [member.id], metadata: null },
    ]);
  });
});
