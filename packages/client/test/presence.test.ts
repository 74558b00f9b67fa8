import { PRESENCE_COMMANDS, ROOM_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import type { PresenceEventInfo } from "../src/index";
import { connected, rejection, settle, startServer } from "./support/clientHarness";

/** A listener that records the events it gets. */
function collector(): { events: PresenceEventInfo[]; callback: (event: PresenceEventInfo) => void } {
  const events: PresenceEventInfo[] = [];
  return { events, callback: (event) => events.push(event) };
}

/** The events as `type:member` (with the state for `state` events), for compact assertions. */
function summary(events: readonly PresenceEventInfo[]): string[] {
  return events.map(({ type, connectionId, state }) =>
    type === "state" ? `state:${connectionId}:${JSON.stringify(state)}` : `${type}:${connectionId}`,
  );
}

describe("client presence", () => {
  it("holds events back while the subscribe is out, then drops those its snapshot holds", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.presence.join("lobby", "alice", { name: "Alice" });
    // Between registering the watcher and reading the snapshot: the event reaches the client AND the snapshot.
    server.presence.afterRegister = () => {
      server.presence.join("lobby", "bob");
    };
    // After the snapshot and before the answer: the event is not in the snapshot and must be delivered once.
    server.presence.beforeAnswer = () => {
      server.presence.setState("lobby", "bob", { typing: true });
    };
    const { events, callback } = collector();

    const result = await client.subscribePresence("lobby", callback);

    expect(result).toEqual({
      success: true,
      present: [
        { connectionId: "alice", connectionIds: ["alice"], metadata: { name: "Alice" } },
        { connectionId: "bob", connectionIds: ["bob"], metadata: null },
      ],
      states: {},
    });
    // Nothing reaches the callback before the code awaiting the subscribe has run.
    expect(events).toEqual([]);
    await vi.waitFor(() => expect(summary(events)).toEqual(['state:bob:{"typing":true}']));
    // A replay of an event the client already has is dropped, a later one delivered.
    const joinOfBob = { type: "join" as const, roomName: "lobby", connectionId: "bob" };
    server.presence.send("lobby", joinOfBob, { epoch: 1, seq: 2 });
    server.presence.leave("lobby", "alice");
    await vi.waitFor(() => expect(summary(events)).toEqual(['state:bob:{"typing":true}', "leave:alice"]));
    expect(events[1]).toEqual({ type: "leave", roomName: "lobby", connectionId: "alice", connectionIds: ["alice"] });
  });

  it("shares one subscription between listeners and tells each every event once", async () => {
    const server = await startServer();
    const client = await connected(server);
    const first = collector();
    const second = collector();

    const [a, b] = await Promise.all([
      client.subscribePresence("lobby", first.callback),
      client.subscribePresence("lobby", second.callback),
    ]);
    server.presence.join("lobby", "carol");
    await vi.waitFor(() => expect(summary(first.events)).toEqual(["join:carol"]));
    const late = collector();
    const c = await client.subscribePresence("lobby", late.callback);
    server.presence.setState("lobby", "carol", "away");
    server.presence.leave("lobby", "carol");

    await vi.waitFor(() => expect(summary(first.events)).toEqual(["join:carol", 'state:carol:"away"', "leave:carol"]));
    await settle(client, server);
    expect(summary(second.events)).toEqual(summary(first.events));
    // The late listener starts from what the store knew: carol present, then her state and leave.
    expect(c.present.map((member) => member.connectionId)).toEqual(["carol"]);
    expect(summary(late.events)).toEqual(['state:carol:"away"', "leave:carol"]);
    expect([a.success, b.success, a.present, b.present]).toEqual([true, true, [], []]);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.subscribe)).toEqual([{ roomName: "lobby" }]);
  });

  it("sends the one unsubscribe when the last listener leaves", async () => {
    const server = await startServer();
    const client = await connected(server);
    const first = collector();
    const second = collector();
    await client.subscribePresence("lobby", first.callback);
    await client.subscribePresence("lobby", second.callback);

    expect(await client.unsubscribePresence("lobby", first.callback)).toBe(true);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.unsubscribe)).toEqual([]);
    server.presence.join("lobby", "dave");
    await vi.waitFor(() => expect(summary(second.events)).toEqual(["join:dave"]));
    expect(first.events).toEqual([]);

    expect(await client.unsubscribePresence("lobby", second.callback)).toBe(true);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.unsubscribe)).toEqual([{ roomName: "lobby" }]);
    expect(await client.unsubscribePresence("lobby")).toBe(false);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.unsubscribe)).toHaveLength(2);
  });

  it("resolves a refusal with empty members and states", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.presence.access = () => "room is not tracked";
    const { callback } = collector();

    expect(await client.subscribePresence("secret", callback)).toEqual({
      success: false,
      present: [],
      states: {},
      reason: "room is not tracked",
    });
  });

  it("rejects invalid room names with INVALID_PAYLOAD before sending anything", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { callback } = collector();

    const errors = await Promise.all([
      rejection(client.subscribePresence("", callback)),
      rejection(client.unsubscribePresence("")),
      rejection(client.publishPresenceState("", { state: 1 })),
      rejection(client.clearPresenceState("")),
      rejection(client.joinRoom("", callback)),
    ]);

    expect(errors.map((error) => error.code)).toEqual(Array(5).fill("INVALID_PAYLOAD"));
    expect(() => client.presenceStore("")).toThrow(expect.objectContaining({ code: "INVALID_PAYLOAD" }));
    expect(server.latest.requestedCommands()).toEqual([]);
  });

  it("publishes and clears this client's state", async () => {
    const server = await startServer();
    const client = await connected(server);
    await client.joinRoom("lobby");

    expect(await client.publishPresenceState("lobby", { state: { typing: true }, expireAfter: 5_000 })).toEqual({
      success: true,
    });
    expect(await client.clearPresenceState("lobby")).toEqual({ success: true });
    expect(await client.publishPresenceState("elsewhere", { state: "here" })).toEqual({
      success: false,
      reason: "not present",
    });

    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.publishState)).toEqual([
      { roomName: "lobby", state: { typing: true }, expireAfter: 5_000 },
      { roomName: "elsewhere", state: "here" },
    ]);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.clearState)).toEqual([{ roomName: "lobby" }]);
    expect(server.presence.snapshot("lobby").states).toEqual({});
  });

  it("joins a room and then watches its presence with joinRoom's onPresence", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.presence.join("lobby", "erin");
    const { events, callback } = collector();

    const result = await client.joinRoom("lobby", callback);

    const me = client.connectionId as string;
    expect(result).toEqual({
      success: true,
      present: [
        { connectionId: "erin", metadata: null },
        { connectionId: me, metadata: null },
      ],
    });
    expect(server.latest.requestedCommands()).toEqual([ROOM_COMMANDS.join, PRESENCE_COMMANDS.subscribe]);
    server.presence.leave("lobby", "erin");
    await vi.waitFor(() => expect(summary(events)).toEqual(["leave:erin"]));
  });

  it("does not watch presence when the join is refused", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.handle(ROOM_COMMANDS.join, () => ({ success: false, reason: "not exposed" }));
    const { callback } = collector();

    expect(await client.joinRoom("vault", callback)).toEqual({ success: false, present: [], reason: "not exposed" });
    // joinRoom resolves only after the presence subscribe it sends, so none was sent.
    expect(server.latest.requestedCommands()).toEqual([ROOM_COMMANDS.join]);
  });
});
