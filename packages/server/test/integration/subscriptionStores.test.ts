import { createKeys } from "@meshwork/redis-state";
import { MeshClient, type RecordUpdate } from "@meshwork/client";
import { CHANNEL_COMMANDS, CLOSE_CODES, RECORD_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import { trackClient } from "../support/clients";
import { startServer, uniquePrefix } from "../support/servers";

async function setup() {
  const prefix = uniquePrefix();
  const { server, url } = await startServer({ keyPrefix: prefix });
  server.exposeChannel(/.*/);
  server.exposeRecord(/.*/);
  const commands: string[] = [];
  server.addMiddleware((ctx) => {
    commands.push(ctx.command);
  });
  const client = trackClient(new MeshClient(url, { reconnectInterval: 20, maxReconnectInterval: 50 }));
  await client.connect();
  const count = (command: string) => commands.filter((name) => name === command).length;
  return { server, client, prefix, count };
}

describe("client stores observed through useSyncExternalStore's contract", () => {
  it("a record store holds the subscription while observed and keeps the current value, patches applied", async () => {
    const { server, client, prefix, count } = await setup();
    await server.publishRecordUpdate("doc", { title: "draft", tags: [] });
    const store = client.recordStore<{ title: string; tags: string[] }>("doc");
    expect(store.getSnapshot()).toEqual({ data: null, version: 0, status: "idle", error: undefined });

    const stop = store.subscribe(() => {});
    await vi.waitFor(() => expect(store.getSnapshot().status).toBe("active"));
    const first = store.getSnapshot();
    expect(first).toMatchObject({ data: { title: "draft", tags: [] }, version: 1 });
    expect(store.getSnapshot()).toBe(first);

    const updates: RecordUpdate[] = [];
    const listener = (update: RecordUpdate) => updates.push(update);
    const joined = await client.subscribeRecord("doc", listener, { mode: "patch" });
    await server.publishRecordUpdate("doc", { title: "final", tags: ["done"] });

    expect(joined).toEqual({ success: true, record: { title: "draft", tags: [] }, version: 1 });
    await vi.waitFor(() => expect(store.getSnapshot().version).toBe(2));
    expect(store.getSnapshot().data).toEqual({ title: "final", tags: ["done"] });
    expect(first.data).toEqual({ title: "draft", tags: [] });
    expect(updates.map((update) => update.version)).toEqual([2]);
    expect(updates[0]?.patch).toBeDefined();
    expect(count(RECORD_COMMANDS.subscribe)).toBe(1);

    await client.unsubscribeRecord("doc", listener);
    expect(count(RECORD_COMMANDS.unsubscribe)).toBe(0);
    stop();
    await vi.waitFor(() => expect(count(RECORD_COMMANDS.unsubscribe)).toBe(1));
    await vi.waitFor(() => expect(server.subscribedChannels()).not.toContain(createKeys(prefix).busRecord("doc")));
    expect(store.getSnapshot().status).toBe("idle");
  });

  it("a channel store shows status and the last recovery, and shares the subscription with listeners", async () => {
    const { server, client, count } = await setup();
    const store = client.channelStore("news");
    const statuses: string[] = [];
    const stop = store.subscribe(() => statuses.push(store.getSnapshot().status));
    const messages: unknown[] = [];
    await client.subscribe("news", (message) => messages.push(message));
    expect(store.getSnapshot().status).toBe("active");

    const reconnected = new Promise((resolve) => client.once("reconnect", resolve));
    const id = client.connectionId as string;
    server.connectionManager.getLocalConnection(id)?.close(CLOSE_CODES.PING_TIMEOUT.code, "ping timeout");
    await reconnected;
    await server.publishToChannel("news", "after", 10);

    await vi.waitFor(() => expect(messages).toEqual(["after"]));
    expect(store.getSnapshot()).toMatchObject({ status: "active", recovery: { channel: "news", recovered: true } });
    expect(statuses).toEqual(["active", "subscribing", "active", "active"]);
    expect(count(CHANNEL_COMMANDS.subscribe)).toBe(2);
    stop();
    expect(count(CHANNEL_COMMANDS.unsubscribe)).toBe(0);
  });

  it("a refused store ends in error, and observers see why", async () => {
    const { server, client } = await setup();
    server.exposeChannel("secret", () => false);
    const store = client.channelStore("secret");
    store.subscribe(() => {});

    await vi.waitFor(() => expect(store.getSnapshot().status).toBe("error"));
    expect(store.getSnapshot().error?.code).toBe("FORBIDDEN");
  });
});
