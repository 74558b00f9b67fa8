import { createKeys } from "@meshwork/redis-state";
import { MeshClient, type RecordMode, type RecordUpdate, applyPatch } from "@meshwork/client";
import { CHANNEL_COMMANDS, RECORD_COMMANDS } from "@meshwork/protocol";
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it, vi } from "vitest";
import { trackClient } from "../support/clients";
import { startServer, uniquePrefix } from "../support/servers";

/** A server with every channel and record exposed, counting the built-in (un)subscribe commands it runs. */
async function serverCountingCommands(): Promise<{
  server: MeshServer;
  url: string;
  prefix: string;
  commands: string[];
}> {
  const prefix = uniquePrefix();
  const { server, url } = await startServer({ keyPrefix: prefix });
  server.exposeChannel(/.*/);
  server.exposeWritableRecord(/.*/);
  const commands: string[] = [];
  server.addMiddleware((ctx) => {
    commands.push(ctx.command);
  });
  return { server, url, prefix, commands };
}

async function connectClient(url: string): Promise<MeshClient> {
  const client = trackClient(new MeshClient(url));
  await client.connect();
  return client;
}

const count = (commands: string[], command: string) => commands.filter((name) => name === command).length;

function collector<T>(): { log: T[]; callback: (value: T) => void } {
  const log: T[] = [];
  return { log, callback: (value) => log.push(value) };
}

describe("two listeners sharing one client subscription", () => {
  for (const history of [0, 5]) {
    it(`on a channel (history ${history}): one server subscription, every message to each, released by the last`, async () => {
      const { server, url, prefix, commands } = await serverCountingCommands();
      const busChannel = createKeys(prefix).busChannel("news");
      const client = await connectClient(url);
      const first = collector<unknown>();
      const second = collector<unknown>();

      const results = await Promise.all([
        client.subscribe("news", first.callback),
        client.subscribe("news", second.callback),
      ]);
      for (const message of [1, 2, 3]) await server.publishToChannel("news", message, history);

      expect(results.map((result) => result.success)).toEqual([true, true]);
      await vi.waitFor(() => expect(second.log).toEqual([1, 2, 3]));
      expect(first.log).toEqual([1, 2, 3]);
      expect(count(commands, CHANNEL_COMMANDS.subscribe)).toBe(1);
      expect(server.subscribedChannels().filter((name) => name === busChannel)).toHaveLength(1);

      expect(await client.unsubscribe("news", first.callback)).toBe(true);
      await server.publishToChannel("news", 4, history);
      await vi.waitFor(() => expect(second.log).toEqual([1, 2, 3, 4]));
      expect(first.log).toEqual([1, 2, 3]);
      expect(count(commands, CHANNEL_COMMANDS.unsubscribe)).toBe(0);

      expect(await client.unsubscribe("news", second.callback)).toBe(true);
      expect(count(commands, CHANNEL_COMMANDS.unsubscribe)).toBe(1);
      await vi.waitFor(() => expect(server.subscribedChannels()).not.toContain(busChannel));
    });
  }

  const modePairs: [RecordMode, RecordMode][] = [
    ["patch", "patch"],
    ["full", "full"],
    ["patch", "full"],
    ["full", "patch"],
  ];
  for (const [firstMode, secondMode] of modePairs) {
    it(`on a record (${firstMode} then ${secondMode}): one server subscription, every version to each in its form`, async () => {
      const { server, url, prefix, commands } = await serverCountingCommands();
      const busRecord = createKeys(prefix).busRecord("doc");
      await server.publishRecordUpdate("doc", { n: 0, tags: ["a"] });
      const client = await connectClient(url);
      const first = collector<RecordUpdate>();
      const second = collector<RecordUpdate>();

      const [a, b] = await Promise.all([
        client.subscribeRecord("doc", first.callback, { mode: firstMode }),
        client.subscribeRecord("doc", second.callback, { mode: secondMode }),
      ]);
      for (const n of [1, 2, 3]) await server.publishRecordUpdate("doc", { n, tags: ["a", String(n)] });

      expect([a.version, b.version]).toEqual([1, 1]);
      await vi.waitFor(() => expect(second.log.map((update) => update.version)).toEqual([2, 3, 4]));
      expect(first.log.map((update) => update.version)).toEqual([2, 3, 4]);
      // Each listener's value, rebuilt from what it received, is the record's.
      for (const [result, log, mode] of [
        [a, first.log, firstMode],
        [b, second.log, secondMode],
      ] as const) {
        let doc = result.record;
        for (const update of log) doc = update.patch ? applyPatch(doc, update.patch) : update.full;
        expect(doc).toEqual({ n: 3, tags: ["a", "3"] });
        if (mode === "full") expect(log.every((update) => update.full !== undefined)).toBe(true);
      }
      if (firstMode === "patch" && secondMode === "patch") {
        expect(first.log.every((update) => update.patch !== undefined)).toBe(true);
      }
      expect(count(commands, RECORD_COMMANDS.subscribe)).toBe(1);
      expect(server.subscribedChannels().filter((name) => name === busRecord)).toHaveLength(1);

      expect(await client.unsubscribeRecord("doc", first.callback)).toBe(true);
      await server.publishRecordUpdate("doc", { n: 4, tags: [] });
      await vi.waitFor(() => expect(second.log.map((update) => update.version)).toEqual([2, 3, 4, 5]));
      expect(first.log).toHaveLength(3);
      expect(count(commands, RECORD_COMMANDS.unsubscribe)).toBe(0);

      expect(await client.unsubscribeRecord("doc", second.callback)).toBe(true);
      expect(count(commands, RECORD_COMMANDS.unsubscribe)).toBe(1);
      await vi.waitFor(() => expect(server.subscribedChannels()).not.toContain(busRecord));
    });
  }

  it("unsubscribe without a callback still drops every listener and tells the server once", async () => {
    const { server, url, prefix, commands } = await serverCountingCommands();
    const client = await connectClient(url);
    const first = collector<unknown>();
    const second = collector<unknown>();
    await client.subscribe("news", first.callback);
    await client.subscribe("news", second.callback);

    expect(await client.unsubscribe("news")).toBe(true);
    await server.publishToChannel("news", "late");

    expect(count(commands, CHANNEL_COMMANDS.unsubscribe)).toBe(1);
    await vi.waitFor(() => expect(server.subscribedChannels()).not.toContain(createKeys(prefix).busChannel("news")));
    expect([...first.log, ...second.log]).toEqual([]);
  });

  it("a listener joining with historyLimit gets its history, then only later messages; the first is untouched", async () => {
    const { server, url } = await serverCountingCommands();
    const client = await connectClient(url);
    const first = collector<unknown>();
    const second = collector<unknown>();
    await server.publishToChannel("news", "old", 10);
    await client.subscribe("news", first.callback);
    await server.publishToChannel("news", "one", 10);
    await vi.waitFor(() => expect(first.log).toEqual(["one"]));

    const joined = await client.subscribe("news", second.callback, { historyLimit: 5 });
    await server.publishToChannel("news", "two", 10);

    expect(joined).toEqual({ success: true, history: ["one", "old"] });
    await vi.waitFor(() => expect(second.log).toEqual(["two"]));
    expect(first.log).toEqual(["one", "two"]);
    expect(server.subscribedChannels().filter((name) => name.endsWith("bus:channel:{channel:news}"))).toHaveLength(1);
  });

  it("regression: a second subscribe re-based the subscription on its own snapshot, dropping what was streamed", async () => {
    // Before shared stores, a second subscribe sent a second request and its answer became the subscription's
    // starting position: stored messages streamed since the first request registered, up to that later snapshot,
    // were held back and then dropped as duplicates of a history nobody asked for.
    const { server, url, commands } = await serverCountingCommands();
    const client = await connectClient(url);
    const first = collector<unknown>();
    const second = collector<unknown>();

    // The first subscribe is answered and the channel published to before the second request could reach the server.
    const published = client
      .subscribe("news", first.callback)
      .then(() => server.publishToChannel("news", "between", 10));
    const joined = client.subscribe("news", second.callback);
    await Promise.all([published, joined]);
    await server.publishToChannel("news", "after", 10);

    await vi.waitFor(() => expect(second.log).toEqual(["between", "after"]));
    expect(first.log).toEqual(["between", "after"]);
    expect(count(commands, CHANNEL_COMMANDS.subscribe)).toBe(1);
  });

  it("regression: a record listener added while the first subscribe is in flight replaced it and lost versions", async () => {
    const { server, url, commands } = await serverCountingCommands();
    const client = await connectClient(url);
    const first = collector<RecordUpdate>();
    const second = collector<RecordUpdate>();

    const published = client
      .subscribeRecord("doc", first.callback, { mode: "patch" })
      .then(() => server.publishRecordUpdate("doc", { n: 1 }));
    const joined = client.subscribeRecord("doc", second.callback, { mode: "full" });
    const [, { version }] = await Promise.all([published, joined]);
    await server.publishRecordUpdate("doc", { n: 2 });

    const versions = (log: RecordUpdate[]) => log.map((update) => update.version);
    await vi.waitFor(() => expect(versions(second.log)).toEqual([1, 2].filter((v) => v > version)));
    await vi.waitFor(() => expect(versions(first.log)).toEqual([1, 2]));
    expect(second.log.at(-1)?.full).toEqual({ n: 2 });
    expect(count(commands, RECORD_COMMANDS.subscribe)).toBe(1);
  });
});
