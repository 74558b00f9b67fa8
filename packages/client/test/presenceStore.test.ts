import { PRESENCE_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import type { PresenceStoreSnapshot } from "../src/index";
import { connected, settle, startServer } from "./support/clientHarness";

describe("presence stores", () => {
  it("keeps members and states from the snapshot and events, with a new snapshot only on a change", async () => {
    const server = await startServer();
    const client = await connected(server);
    server.presence.join("lobby", "alice", { name: "Alice" });
    server.presence.setState("lobby", "alice", "idle");
    const store = client.presenceStore("lobby");
    const seen: PresenceStoreSnapshot[] = [];
    const stop = store.subscribe(() => seen.push(store.getSnapshot()));

    await vi.waitFor(() => expect(store.getSnapshot().status).toBe("active"));
    const loaded = store.getSnapshot();
    expect(loaded).toEqual({
      members: [{ connectionId: "alice", connectionIds: ["alice"], metadata: { name: "Alice" } }],
      states: { alice: "idle" },
      status: "active",
      error: undefined,
    });
    expect(store.getSnapshot()).toBe(loaded);

    // A state equal to the one known changes nothing; the others each give one new snapshot.
    server.presence.setState("lobby", "alice", "idle");
    server.presence.join("lobby", "bob");
    server.presence.setState("lobby", "bob", { typing: true });
    server.presence.leave("lobby", "alice");
    await settle(client, server);

    const after = seen.slice(seen.indexOf(loaded) + 1);
    expect(after.map((snapshot) => snapshot.members.map((member) => member.connectionId))).toEqual([
      ["alice", "bob"],
      ["alice", "bob"],
      ["bob"],
    ]);
    expect(after.map((snapshot) => snapshot.states)).toEqual([
      { alice: "idle" },
      { alice: "idle", bob: { typing: true } },
      { bob: { typing: true } },
    ]);
    const last = store.getSnapshot();
    expect(last).toBe(after.at(-1));
    expect(store.getSnapshot()).toBe(last);

    stop();
    expect(store.getSnapshot().status).toBe("idle");
    await vi.waitFor(() =>
      expect(server.latest.payloadsOf(PRESENCE_COMMANDS.unsubscribe)).toEqual([{ roomName: "lobby" }]),
    );
  });

  it("shares its subscription with listeners", async () => {
    const server = await startServer();
    const client = await connected(server);
    const store = client.presenceStore("lobby");
    const stop = store.subscribe(() => {});
    const { success, present } = await client.subscribePresence("lobby", () => {});

    expect([success, present]).toEqual([true, []]);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.subscribe)).toEqual([{ roomName: "lobby" }]);
    await client.unsubscribePresence("lobby");
    expect(store.getSnapshot().status).toBe("idle");
    stop();
    await settle(client, server);
    expect(server.latest.payloadsOf(PRESENCE_COMMANDS.unsubscribe)).toEqual([{ roomName: "lobby" }]);
  });
});
