// Presence on the embedded in-memory state: two servers of one process sharing it behave as two instances on Redis
// do (each event once per subscriber, in order, an expiring state announced once).
import { describe, expect, it, vi } from "vitest";
import { eventsAfter, joinRoom, publishState, rawMember, subscribePresence } from "../cluster/support/presence";
import { startServer, uniquePrefix } from "../support/servers";

describe("presence on the embedded state", () => {
  it("a member joining on one server is seen by a watcher on the other, with its state, expiry and leave", async () => {
    const keyPrefix = uniquePrefix();
    const timings = { keyPrefix, heartbeatInterval: 50, instanceTtl: 200 };
    const A = await startServer(timings);
    const B = await startServer(timings);
    for (const { server } of [A, B]) {
      server.exposeRoom("lobby");
      server.trackPresence("lobby");
    }
    const watcher = await rawMember(B.url);
    const since = await subscribePresence(watcher, "lobby");
    expect(since).toMatchObject({ success: true, present: [] });
    const member = await rawMember(A.url);
    await joinRoom(member, "lobby");
    expect(await publishState(member, "lobby", "busy", 60)).toEqual({ success: true });
    await vi.waitFor(async () => expect((await B.server.getPresence("lobby")).states).toEqual({}), { timeout: 3_000 });
    await member.raw.close();
    const expected = [
      `join ${member.id}`,
      `state ${member.id} "busy"`,
      `state ${member.id} null`,
      `leave ${member.id}`,
    ];
    await vi.waitFor(() => expect(eventsAfter(watcher, "lobby", since.position)).toEqual(expected), { timeout: 3_000 });
    expect(await A.server.getPresence("lobby")).toEqual({ members: [], states: {} });
  });
});
