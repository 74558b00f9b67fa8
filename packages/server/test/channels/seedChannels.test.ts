// The seed README's "Redis Channel Subscriptions" samples (Server Configuration, Server Publishing, Client Usage,
// unsubscribe), run on TWO instances sharing one Redis, with the import paths changed to @meshwork/server and
// @meshwork/client: the server publishes on instance A, the client is connected to instance B.
//
// Changes to the samples, all of them test plumbing around the sample lines, which are kept verbatim:
// - the servers listen on port 0 (a free port) instead of 8080, on a test-private key prefix and the shared test
//   Redis (both via the harness); `client` is a MeshClient connected to instance B;
// - each block of sample lines runs with `server` / `client` bound to what it is meant to run on (a block-scoped
//   `const server = …`), so the sample text itself needs no renaming; the configuration block runs on both
//   instances, as an application configures every instance alike;
// - `isPremiumUser` is the application's own check in the sample; a stand-in is defined below;
// - the sample's `console.log` calls are captured with a spy so the test can assert what they printed.
import { MeshClient } from "@meshwork/client";
import type { Connection, MeshServer } from "@meshwork/server";
import { afterEach, describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { captureConsole } from "../support/console";
import { busChannelOf, channelTopicsOf } from "./support/channels";

/**
 * Stand-in for the application's premium check the sample's guard awaits: here, connections the test marked
 * premium. Async like a real lookup would be.
 */
const premiumConnections = new Set<string>();
async function isPremiumUser(conn: Connection): Promise<boolean> {
  await Promise.resolve();
  return premiumConnections.has(conn.id);
}

afterEach(() => {
  premiumConnections.clear();
});

async function configuredCluster(): Promise<{ prefix: string; instanceA: Instance; instanceB: Instance }> {
  const { prefix, nodes } = await startCluster(2);
  const [instanceA, instanceB] = nodes as [Instance, Instance];
  for (const instance of [instanceA, instanceB]) {
    const server: MeshServer = instance.server;
    // --- Server Configuration (verbatim) ---
    server.exposeChannel("notifications:global");
    server.exposeChannel(/^chat:.+$/);
    // return false to disallow subscription, or true to allow
    server.exposeChannel(/^private:chat:.+$/, async (conn, channel) => {
      // per-client guarding
      const valid = await isPremiumUser(conn);
      return valid;
    });
    // --- end ---
  }
  return { prefix, instanceA, instanceB };
}

describe("seed README: Redis Channel Subscriptions, on two instances", () => {
  it("Server Configuration: exposed names and patterns can be subscribed to, the premium guard decides private chats, others are refused", async () => {
    const { instanceB } = await configuredCluster();
    const premium = await connectClient(instanceB.url);
    const basic = await connectClient(instanceB.url);
    premiumConnections.add(premium.connectionId);
    const noop = () => {};

    expect(await basic.subscribe("notifications:global", noop)).toMatchObject({ success: true, history: [] });
    expect(await basic.subscribe("chat:room1", noop)).toMatchObject({ success: true });
    expect(await premium.subscribe("private:chat:vip", noop)).toMatchObject({ success: true });
    const denied = await basic.subscribe("private:chat:vip", noop);
    expect(denied).toMatchObject({ success: false, history: [], reason: expect.stringContaining("denied") });
    const unexposed = await basic.subscribe("notifications:other", noop);
    expect(unexposed).toMatchObject({ success: false, reason: expect.stringContaining("not exposed") });
    expect(await basic.subscribe("chat:", noop)).toMatchObject({ success: false });
  });

  it("Server Publishing: published on A, received on B as the JSON strings the sample publishes, and the chat message stored", async () => {
    const { instanceA, instanceB } = await configuredCluster();
    const client = await connectClient(instanceB.url);
    const alerts: unknown[] = [];
    const chat: unknown[] = [];
    await client.subscribe("notifications:global", (message) => alerts.push(message));
    await client.subscribe("chat:room1", (message) => chat.push(message));

    {
      const server: MeshServer = instanceA.server;
      // --- Server Publishing (verbatim) ---
      // publish to 'notifications:global' without history
      await server.publishToChannel("notifications:global", JSON.stringify({ alert: "Red alert!" }));
      // publish a chat message and keep the last 50 messages in history
      await server.publishToChannel(
        "chat:room1",
        JSON.stringify({ type: "user-message", user: "1", text: "Hi" }),
        50, // store in Redis history
      );
      // --- end ---
    }

    // The sample publishes JSON text, so the client receives that text: strings, not parsed objects.
    await eventually(() => expect(chat).toHaveLength(1));
    expect(alerts).toEqual(['{"alert":"Red alert!"}']);
    expect(chat).toEqual(['{"type":"user-message","user":"1","text":"Hi"}']);
    const late = await connectClient(instanceB.url);
    expect((await late.subscribe("chat:room1", () => {}, { historyLimit: 10 })).history).toEqual([
      '{"type":"user-message","user":"1","text":"Hi"}',
    ]);
    expect((await late.subscribe("notifications:global", () => {}, { historyLimit: 10 })).history).toEqual([]);
  });

  it("Client Usage: history newest first, then live messages; unsubscribe stops them and releases B's subscription", async () => {
    const { prefix, instanceA, instanceB } = await configuredCluster();
    const printed = captureConsole();
    for (const text of ["msg1", "msg2", "msg3"]) await instanceA.server.publishToChannel("chat:room1", text, 50);
    const client = await connectClient(instanceB.url);
    expect(client).toBeInstanceOf(MeshClient);

    {
      // --- Client Usage (verbatim) ---
      const { success, history } = await client.subscribe(
        "chat:room1",
        (message) => {
          console.log("Live message:", message);
        },
        { historyLimit: 3 },
      );
      if (success) {
        console.log("Recent messages:", history); // ["msg3", "msg2", "msg1"]
      }
      // --- end ---
    }
    expect(printed).toEqual([["Recent messages:", ["msg3", "msg2", "msg1"]]]);
    expect(channelTopicsOf(instanceB.server)).toEqual([busChannelOf(prefix, "chat:room1")]);

    await instanceA.server.publishToChannel("chat:room1", "msg4", 50);
    await eventually(() => expect(printed).toContainEqual(["Live message:", "msg4"]));

    // A second subscription (to another channel) carries the marker that proves msg5 will not arrive.
    const markers: unknown[] = [];
    await client.subscribe("notifications:global", (message) => markers.push(message));
    // --- Unsubscribe (verbatim) ---
    await client.unsubscribe("chat:room1");
    expect(channelTopicsOf(instanceB.server)).toEqual([busChannelOf(prefix, "notifications:global")]);
    await instanceA.server.publishToChannel("chat:room1", "msg5", 50);
    await instanceA.server.publishToChannel("notifications:global", "marker");
    await eventually(() => expect(markers).toEqual(["marker"]));
    expect(printed).toEqual([
      ["Recent messages:", ["msg3", "msg2", "msg1"]],
      ["Live message:", "msg4"],
    ]);
  });
});
