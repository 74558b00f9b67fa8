import { PRESENCE_COMMANDS, ROOM_COMMANDS } from "@meshwork/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MeshError, PresenceEventInfo } from "../src/index";
import { connected, restartServer, settle, startServer } from "./support/clientHarness";

afterEach(() => {
  vi.useRealTimers();
});

describe("client presence after a reconnect", () => {
  it("resubscribes before reconnect and tells each listener the difference once", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.presence.join("lobby", "stays");
    server.presence.join("lobby", "goes");
    server.presence.setState("lobby", "stays", "idle");
    const log: string[] = [];
    const seen: PresenceEventInfo[] = [];
    const logged = (who: string) => (event: PresenceEventInfo) => {
      if (who === "B") seen.push(event);
      const state = event.type === "state" ? `=${String(event.state)}` : "";
      log.push(`${who} ${event.type}:${event.connectionId}${state}`);
    };
    await client.joinRoom("lobby", logged("A"));
    await client.subscribePresence("lobby", logged("B"));
    const oldId = client.connectionId as string;
    client.on("reconnect", () => log.push("reconnect"));

    await restartServer(client, server, () => {
      server.presence.leave("lobby", "goes");
      server.presence.join("lobby", "arrives", { role: "guest" });
      server.presence.setState("lobby", "stays", "busy");
    });

    const newId = client.connectionId as string;
    const expected = ["leave:goes", `leave:${oldId}`, "state:stays=busy", "join:arrives", `join:${newId}`];
    // Each listener gets the difference once, all before `reconnect`.
    expect(log.filter((line) => line.startsWith("A "))).toEqual(expected.map((line) => `A ${line}`));
    expect(log.filter((line) => line.startsWith("B "))).toEqual(expected.map((line) => `B ${line}`));
    expect(log.at(-1)).toBe("reconnect");
    expect(seen.find((event) => event.connectionId === "arrives")).toEqual({
      type: "join",
      roomName: "lobby",
      connectionId: "arrives",
      connectionIds: ["arrives"],
      metadata: { role: "guest" },
    });
    expect(server.latest.requestedCommands()).toEqual([ROOM_COMMANDS.join, PRESENCE_COMMANDS.subscribe]);
    const store = client.presenceStore("lobby");
    expect(store.getSnapshot().members.map((member) => member.connectionId)).toEqual(["stays", "arrives", newId]);
    expect(store.getSnapshot().states).toEqual({ stays: "busy" });
    // Live events go on, once each.
    server.presence.leave("lobby", "arrives");
    await settle(client, server);
    expect(log.filter((line) => line.endsWith("leave:arrives"))).toEqual(["A leave:arrives", "B leave:arrives"]);
  });

  it("publishes this client's state again on the new connection, with what is left of its expiry", async () => {
    const server = await startServer();
    const client = await connected(server);
    await client.joinRoom("lobby");
    await client.joinRoom("kitchen");
    await client.publishPresenceState("lobby", { state: { typing: true } });
    await client.publishPresenceState("kitchen", { state: "cooking", expireAfter: 60_000 });

    await restartServer(client, server);

    const republished = server.latest.payloadsOf(PRESENCE_COMMANDS.publishState) as {
      roomName: string;
      expireAfter?: number;
    }[];
    expect(republished.map((payload) => payload.roomName).sort()).toEqual(["kitchen", "lobby"]);
    expect(republished.find((payload) => payload.roomName === "lobby")).toEqual({
      roomName: "lobby",
      state: { typing: true },
    });
    const kitchen = republished.find((payload) => payload.roomName === "kitchen");
    expect(kitchen?.expireAfter).toBeGreaterThan(0);
    expect(kitchen?.expireAfter).toBeLessThanOrEqual(60_000);
    const me = client.connectionId as string;
    expect(server.presence.snapshot("lobby").states).toEqual({ [me]: { typing: true } });
  });

  it("does not publish a state again once it expired, nor one cleared or of a room left", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const server = await startServer();
    const client = await connected(server);
    for (const room of ["lobby", "kitchen", "garden"]) await client.joinRoom(room);
    await client.publishPresenceState("lobby", { state: "brief", expireAfter: 1_000 });
    await client.publishPresenceState("kitchen", { state: "cleared" });
    await client.clearPresenceState("kitchen");
    await client.publishPresenceState("garden", { state: "left" });
    await client.leaveRoom("garden");

    await restartServer(client, server, () => vi.setSystemTime(Date.now() + 1_001));

    expect(server.latest.requestedCommands()).toEqual([ROOM_COMMANDS.join, ROOM_COMMANDS.join]);
  });

  it("drops a presence subscription the server now refuses and reports it", async () => {
    const server = await startServer();
    const client = await connected(server);
    const events: PresenceEventInfo[] = [];
    await client.subscribePresence("lobby", (event) => events.push(event));
    const store = client.presenceStore("lobby");
    const stop = store.subscribe(() => {});
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));

    await restartServer(client, server, () => {
      server.presence.access = () => "guard denied";
    });

    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe("FORBIDDEN");
    expect(errors[0]?.details).toEqual({ roomName: "lobby", reason: "guard denied" });
    expect(store.getSnapshot()).toMatchObject({ status: "error", error: errors[0] });
    server.presence.access = () => true;
    server.presence.join("lobby", "late");
    await settle(client, server);
    expect(events).toEqual([]);
    stop();
  });
});
