// Presence on two instances sharing one Redis, driven by raw sockets and hand-made frames: every subscriber, on
// either instance, sees each join, state and leave after its snapshot exactly once and in order. "Nothing more
// arrives" is shown with a marker: a last member joins, and since a room's events reach a watcher in position
// order, a duplicate or a stray event would have arrived before the marker's join.
import { PRESENCE_COMMANDS } from "@meshwork/protocol";
import { RedisState } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, eventually, startCluster } from "./support/cluster";
import {
  type RawMember,
  type Subscribed,
  call,
  eventsAfter,
  expectNoDuplicates,
  joinRoom,
  leaveRoom,
  presenceFrames,
  publishState,
  rawMember,
  subscribePresence,
} from "./support/presence";
import { TEST_REDIS } from "./support/redis";

async function twoInstances(
  options: Parameters<typeof startCluster>[1] = {},
): Promise<{ A: Instance; B: Instance; prefix: string }> {
  const { nodes, prefix } = await startCluster(2, options);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeRoom(/.*/);
    server.trackPresence("lobby");
  }
  return { A, B, prefix };
}

/** Joins a marker member and waits until every watcher has its join after `expected`; then asserts the lists. */
async function expectExactly(
  room: string,
  url: string,
  watchers: Array<{ watcher: RawMember; since: Subscribed }>,
  expected: (marker: string) => string[],
): Promise<string> {
  const marker = await rawMember(url);
  expect((await joinRoom(marker, room)).success).toBe(true);
  await eventually(() => {
    for (const { watcher, since } of watchers) {
      expect(eventsAfter(watcher, room, since.position)).toEqual(expected(marker.id));
      expectNoDuplicates(watcher, room);
    }
  }, 5_000);
  return marker.id;
}

describe("presence across two instances", () => {
  it("each subscriber on either instance sees join, state and leave once, in order; a disconnect is a leave", async () => {
    const { A, B } = await twoInstances();
    const wA = await rawMember(A.url);
    const wB = await rawMember(B.url);
    const sinceA = await subscribePresence(wA, "lobby");
    const sinceB = await subscribePresence(wB, "lobby");
    expect(sinceA).toMatchObject({ success: true, present: [], states: {} });

    const m1 = await rawMember(A.url);
    const m2 = await rawMember(B.url);
    await A.server.connectionManager.setMetadata(m1.id, { name: "one" });
    expect(await joinRoom(m1, "lobby")).toMatchObject({ success: true });
    expect(await joinRoom(m2, "lobby")).toMatchObject({ success: true });
    // A member subscribing sees itself present, with its own metadata.
    const own = await subscribePresence(m1, "lobby");
    expect(own.present).toEqual(
      [
        { connectionId: m1.id, connectionIds: [m1.id], metadata: { name: "one" } },
        { connectionId: m2.id, connectionIds: [m2.id], metadata: null },
      ].sort((a, b) => a.connectionId.localeCompare(b.connectionId)),
    );

    expect(await publishState(m1, "lobby", { typing: true })).toEqual({ success: true });
    expect(await B.server.getPresence("lobby")).toMatchObject({ states: { [m1.id]: { typing: true } } });
    expect(await leaveRoom(m2, "lobby")).toEqual({ success: true });
    await m1.raw.close();

    const expected = (marker: string) => [
      `join ${m1.id}`,
      `join ${m2.id}`,
      `state ${m1.id} {"typing":true}`,
      `leave ${m2.id}`,
      `leave ${m1.id}`,
      `join ${marker}`,
    ];
    await expectExactly(
      "lobby",
      B.url,
      [
        { watcher: wA, since: sinceA },
        { watcher: wB, since: sinceB },
      ],
      expected,
    );
    const leave = presenceFrames(wB, "lobby").find(
      ({ event }) => event.type === "leave" && event.connectionId === m1.id,
    );
    expect(leave?.event).toEqual({ type: "leave", roomName: "lobby", connectionId: m1.id, connectionIds: [m1.id] });
  });

  it("a state published with expireAfter turns into exactly one state: null", async () => {
    const { A, B } = await twoInstances({ heartbeatInterval: 100, instanceTtl: 400 });
    const watcher = await rawMember(B.url);
    const since = await subscribePresence(watcher, "lobby");
    const member = await rawMember(A.url);
    await joinRoom(member, "lobby");
    expect(await publishState(member, "lobby", "away", 150)).toEqual({ success: true });
    await eventually(() => expect(eventsAfter(watcher, "lobby", since.position)).toContain(`state ${member.id} null`));
    expect((await A.server.getPresence("lobby")).states).toEqual({});
    await expectExactly("lobby", A.url, [{ watcher, since }], (marker) => [
      `join ${member.id}`,
      `state ${member.id} "away"`,
      `state ${member.id} null`,
      `join ${marker}`,
    ]);
  });

  it("heartbeats keep a live member present past its ttl; one swept away meanwhile joins back at the next heartbeat", async () => {
    const { A, B, prefix } = await twoInstances({ heartbeatInterval: 100, instanceTtl: 400 });
    const watcher = await rawMember(B.url);
    const since = await subscribePresence(watcher, "lobby");
    const member = await rawMember(A.url);
    await joinRoom(member, "lobby");
    // ttl is 300 ms (3 heartbeats). What is tested here is time passing: over three ttls, ten sweeps run, and the
    // member is still present with nothing but its join announced.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(eventsAfter(watcher, "lobby", since.position)).toEqual([`join ${member.id}`]);
    // A sweep "an hour later" (as if A had stalled) removes the member; A's next heartbeat joins it back.
    const state = new RedisState({ connection: TEST_REDIS, keyPrefix: prefix });
    try {
      expect(await state.presence.sweepExpired("lobby", "test", Date.now() + 3_600_000)).toHaveLength(1);
    } finally {
      await state.close();
    }
    await eventually(() =>
      expect(eventsAfter(watcher, "lobby", since.position)).toEqual([
        `join ${member.id}`,
        `leave ${member.id}`,
        `join ${member.id}`,
      ]),
    );
    expect((await B.server.getPresence("lobby")).members.map((m) => m.connectionId)).toEqual([member.id]);
  });

  it("server-side addToRoom, removeFromRoom and clearRoom from the other instance produce the same events", async () => {
    const { A, B } = await twoInstances();
    const watcher = await rawMember(A.url);
    const since = await subscribePresence(watcher, "lobby");
    const onB = await rawMember(B.url);
    const onA = await rawMember(A.url);
    await A.server.addToRoom("lobby", onB.id);
    expect((await A.server.getPresence("lobby")).members.map((m) => m.connectionId)).toEqual([onB.id]);
    await A.server.removeFromRoom("lobby", onB.id);
    expect((await B.server.getPresence("lobby")).members).toEqual([]);
    await A.server.addToRoom("lobby", onB.id);
    await B.server.addToRoom("lobby", onA.id);
    await A.server.clearRoom("lobby");
    await eventually(() => expect(eventsAfter(watcher, "lobby", since.position)).toHaveLength(6));
    // The clear removes both, in an order of its own.
    const leaves = eventsAfter(watcher, "lobby", since.position).slice(4);
    expect([...leaves].sort()).toEqual([`leave ${onA.id}`, `leave ${onB.id}`].sort());
    const marker = await expectExactly("lobby", B.url, [{ watcher, since }], (id) => [
      `join ${onB.id}`,
      `leave ${onB.id}`,
      `join ${onB.id}`,
      `join ${onA.id}`,
      ...leaves,
      `join ${id}`,
    ]);
    expect((await A.server.getPresence("lobby")).members.map((m) => m.connectionId)).toEqual([marker]);
  });

  it("a watcher that unsubscribed gets no more events", async () => {
    const { A, B } = await twoInstances();
    const leaving = await rawMember(A.url);
    const staying = await rawMember(A.url);
    await subscribePresence(leaving, "lobby");
    const since = await subscribePresence(staying, "lobby");
    expect(await call(leaving, PRESENCE_COMMANDS.unsubscribe, { roomName: "lobby" })).toBe(true);
    const member = await rawMember(B.url);
    await joinRoom(member, "lobby");
    await eventually(() => expect(eventsAfter(staying, "lobby", since.position)).toEqual([`join ${member.id}`]));
    // A sends an event to all its watchers in one step: an answer to a later request proves nothing was on its way.
    expect(await call(leaving, PRESENCE_COMMANDS.unsubscribe, { roomName: "lobby" })).toBe(false);
    expect(presenceFrames(leaving, "lobby")).toEqual([]);
  });

  it("refuses untracked rooms, a guard that denies and a guard that throws (reported); state needs presence", async () => {
    const { nodes } = await startCluster(1, { allowErrors: true });
    const { server, url, errors } = nodes[0] as Instance;
    const allowed = await rawMember(url);
    const other = await rawMember(url);
    server.exposeRoom(/.*/);
    server.trackPresence(/^team-/, { guard: (connection) => connection.id === allowed.id });
    server.trackPresence("team-broken", {
      guard: () => {
        throw new Error("guard failure");
      },
    });
    expect(await subscribePresence(allowed, "plain")).toEqual({
      success: false,
      reason: 'Room "plain" is not tracked for presence',
    });
    expect((await subscribePresence(allowed, "team-red")).success).toBe(true);
    expect(await subscribePresence(other, "team-red")).toMatchObject({
      success: false,
      reason: expect.stringMatching(/denied/),
    });
    // The exact name wins over the pattern; its guard throws: denied, and reported.
    expect((await subscribePresence(allowed, "team-broken")).success).toBe(false);
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/presence "team-broken" threw/)]);
    // Publishing a state needs the caller to be present: not in the room, or in an untracked one, is refused.
    expect((await publishState(allowed, "team-red", 1)).success).toBe(false);
    await joinRoom(allowed, "plain");
    expect((await publishState(allowed, "plain", 1)).success).toBe(false);
    await joinRoom(allowed, "team-red");
    expect(await publishState(allowed, "team-red", 1)).toEqual({ success: true });
    expect(() => server.trackPresence("short", { ttl: 10 })).toThrow(TypeError);
  });
});
