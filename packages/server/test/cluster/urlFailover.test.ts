// Rolling deploys: a client given several instances' URLs follows a closing instance's 1001 to the next URL
// (wrapping around after the last), and comes back with its channel, record and room subscriptions and its
// presence; the other instances see nothing of the closed instance right away, without waiting for any TTL.
import type { MeshClient } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import {
  type Instance,
  type InstanceOptions,
  connectClient,
  recordPushes,
  startInstance,
  testPrefix,
} from "./support/cluster";
import { FAST_RECONNECTS, nextReconnect } from "./support/reconnects";

// TTLs far longer than any wait in these tests: whatever is gone was removed by close(), not by expiry.
const LONG_TTLS: InstanceOptions = { heartbeatInterval: 1_000, instanceTtl: 60_000 };

/** An instance on `prefix` exposing what the clients below use: `news`, `doc:1`, room `lobby` with presence. */
async function appInstance(prefix: string, port = 0): Promise<Instance> {
  const instance = await startInstance(prefix, { ...LONG_TTLS, port });
  const { server } = instance;
  server.exposeChannel("news");
  server.exposeRecord("doc:1");
  server.exposeRoom("lobby");
  server.trackPresence("lobby", { ttl: 60_000 });
  return instance;
}

/** Subscribes a client to everything an app instance exposes; returns what it receives. */
async function subscribeAll(client: MeshClient) {
  const news: unknown[] = [];
  const versions: number[] = [];
  expect((await client.subscribe("news", (message) => news.push(message))).success).toBe(true);
  expect((await client.subscribeRecord("doc:1", (update) => versions.push(update.version))).success).toBe(true);
  expect((await client.joinRoom("lobby")).success).toBe(true);
  return { news, versions, pushes: recordPushes(client, "lobby-push") };
}

describe("a client with a URL list during a rolling deploy", () => {
  it("moves to B when A closes, with its subscriptions, room and presence back; B sees nothing of A at once", async () => {
    const prefix = testPrefix();
    const A = await appInstance(prefix);
    const B = await appInstance(prefix);
    const client = await connectClient([A.url, B.url], FAST_RECONNECTS);
    const stayer = await connectClient(B.url);
    expect(client.url).toBe(A.url);
    const received = await subscribeAll(client);
    expect((await stayer.joinRoom("lobby")).success).toBe(true);
    const oldId = client.connectionId;
    expect(await B.server.getRoomMembers("lobby")).toEqual(expect.arrayContaining([oldId, stayer.connectionId]));

    const back = nextReconnect(client);
    await A.server.close();
    // Right after close(), before the client is back: nothing of A is left where B looks.
    expect(await B.server.getRoomMembers("lobby")).not.toContain(oldId);
    expect(await B.server.isInRoom("lobby", oldId)).toBe(false);
    expect(await B.server.sendTo(oldId, "anyone-there", null)).toBe(false);
    expect(await B.server.connectionManager.getMetadata(oldId)).toBeNull();
    const presence = await B.server.getPresence("lobby");
    expect(presence.members.flatMap((member) => member.connectionIds)).not.toContain(oldId);

    await back;
    expect(client.url).toBe(B.url);
    const newId = client.connectionId;
    expect(newId).not.toBe(oldId);
    expect(B.server.connectionManager.getLocalConnection(newId)).toBeDefined();
    expect(await B.server.getRoomMembers("lobby")).toEqual(expect.arrayContaining([newId, stayer.connectionId]));
    expect((await B.server.getPresence("lobby")).members.flatMap((member) => member.connectionIds)).toContain(newId);

    await B.server.publishToChannel("news", "after the deploy");
    await B.server.publishRecordUpdate("doc:1", { text: "v1" });
    await B.server.broadcastRoom("lobby", "lobby-push", "hello again");
    await expect.poll(() => received.news, { timeout: 3_000 }).toEqual(["after the deploy"]);
    // The restore may hand the listener the current value (version 0: never written) before the new version.
    await expect.poll(() => received.versions.at(-1), { timeout: 3_000 }).toBe(1);
    await expect.poll(() => received.pushes, { timeout: 3_000 }).toEqual(["hello again"]);
  });

  it("wraps around: after the last URL's instance closes, the client goes back to the first", async () => {
    const prefix = testPrefix();
    const A = await appInstance(prefix);
    const B = await appInstance(prefix);
    const client = await connectClient([A.url, B.url], FAST_RECONNECTS);
    const received = await subscribeAll(client);

    let back = nextReconnect(client);
    await A.server.close();
    await back;
    expect(client.url).toBe(B.url);

    // A's replacement listens where A did; B then goes away too.
    const port = Number(new URL(A.url).port);
    const A2 = await appInstance(prefix, port);
    expect(A2.url).toBe(A.url);
    back = nextReconnect(client);
    await B.server.close();
    await back;
    expect(client.url).toBe(A.url);
    expect(A2.server.connectionManager.getLocalConnection(client.connectionId as string)).toBeDefined();

    await A2.server.publishToChannel("news", "third instance");
    await expect.poll(() => received.news, { timeout: 3_000 }).toEqual(["third instance"]);
  });

  it("skips a URL where nothing listens and keeps going through the list on failed attempts", async () => {
    const prefix = testPrefix();
    const A = await appInstance(prefix);
    const B = await appInstance(prefix);
    const C = await appInstance(prefix);
    const client = await connectClient([A.url, B.url, C.url], FAST_RECONNECTS);
    // B is gone for good before A closes: the attempt on B fails and the client moves on to C.
    await B.server.close();
    const back = nextReconnect(client);
    await A.server.close();
    await back;
    expect(client.url).toBe(C.url);
    expect(C.server.connectionManager.getLocalConnection(client.connectionId as string)).toBeDefined();
  });
});
