import { CHANNEL_COMMANDS, MAX_HISTORY_LIMIT } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import type { MeshError } from "../src/node";
import { connected, rejection, settle, startServer } from "./support/clientHarness";

/** A channel callback that records what it got. */
function collector(log: unknown[] = []): { log: unknown[]; callback: (message: unknown) => void } {
  return { log, callback: (message) => log.push(message) };
}

describe("MeshClient channels", () => {
  it("subscribes and resolves with success and the history, newest first", async () => {
    const server = await startServer();
    for (const message of ["msg1", "msg2", "msg3", "msg4"]) server.channels.publish("chat:room1", message, 50);
    const client = await connected(server);

    const { success, history } = await client.subscribe("chat:room1", () => {}, { historyLimit: 3 });

    expect(success).toBe(true);
    expect(history).toEqual(["msg4", "msg3", "msg2"]);
    expect(server.channels.subscribePayloads).toEqual([{ channel: "chat:room1", historyLimit: 3 }]);
    expect(await client.subscribe("chat:empty", () => {})).toEqual({ success: true, history: [] });
  });

  it("delivers live messages to the callback in publish order, with or without history", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribe("news", callback);

    server.channels.publish("news", { n: 1 });
    server.channels.publish("news", { n: 2 }, 10);
    server.channels.publish("news", { n: 3 });

    await vi.waitFor(() => expect(log).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]));
  });

  it("resolves success false with the server's reason when it refuses, and delivers nothing", async () => {
    const server = await startServer();
    server.channels.access = (channel) => (channel.startsWith("private:") ? "channel is not exposed" : true);
    const client = await connected(server);
    const { log, callback } = collector();

    const result = await client.subscribe("private:secrets", callback, { historyLimit: 5 });

    expect(result).toEqual({ success: false, history: [], reason: "channel is not exposed" });
    server.latest.send({ type: "channel-message", channel: "private:secrets", message: "leak" });
    await settle(client, server);
    expect(log).toEqual([]);
  });

  it("stops delivery once unsubscribe resolves, even for frames already on their way", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribe("news", callback);
    server.channels.publish("news", "before");
    await vi.waitFor(() => expect(log).toEqual(["before"]));

    await expect(client.unsubscribe("news")).resolves.toBe(true);
    expect(server.channels.subscribers("news")).toEqual([]);
    server.latest.send({ type: "channel-message", channel: "news", message: "late" });
    await settle(client, server);

    expect(log).toEqual(["before"]);
    await expect(client.unsubscribe("news")).resolves.toBe(false);
  });

  it("accepts the original Mesh names subscribeChannel and unsubscribeChannel", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();

    await expect(client.subscribeChannel("news", callback)).resolves.toEqual({ success: true, history: [] });
    server.channels.publish("news", "hello");
    await vi.waitFor(() => expect(log).toEqual(["hello"]));
    await expect(client.unsubscribeChannel("news")).resolves.toBe(true);
    expect(server.latest.requestedCommands()).toEqual([CHANNEL_COMMANDS.subscribe, CHANNEL_COMMANDS.unsubscribe]);
  });

  it("shares one subscription per channel: a second listener gets fresh history, both every later message", async () => {
    const server = await startServer();
    const client = await connected(server);
    const first = collector();
    const second = collector();
    server.channels.publish("chat", "old", 10);

    await client.subscribe("chat", first.callback);
    server.channels.publish("chat", "one", 10);
    await vi.waitFor(() => expect(first.log).toEqual(["one"]));
    const again = await client.subscribe("chat", second.callback, { historyLimit: 5 });
    server.channels.publish("chat", "two", 10);
    server.channels.publish("chat", "three");

    expect(again).toEqual({ success: true, history: ["one", "old"] });
    await vi.waitFor(() => expect(second.log).toEqual(["two", "three"]));
    await settle(client, server);
    expect(first.log).toEqual(["one", "two", "three"]);
    expect(second.log).toEqual(["two", "three"]);
  });

  it("delivers each message once when subscribe is called twice without waiting", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();

    const results = await Promise.all([client.subscribe("chat", callback), client.subscribe("chat", callback)]);
    for (let n = 1; n <= 3; n += 1) server.channels.publish("chat", n, 10);

    expect(results.map((result) => result.success)).toEqual([true, true]);
    await vi.waitFor(() => expect(log).toEqual([1, 2, 3]));
    await settle(client, server);
    expect(log).toEqual([1, 2, 3]);
  });

  it("never duplicates after unsubscribe then subscribe, and sends them to the server in that order", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribe("chat", callback);

    const unsubscribed = client.unsubscribe("chat");
    const resubscribed = client.subscribe("chat", callback);
    await Promise.all([unsubscribed, resubscribed]);
    server.channels.publish("chat", "once");

    await vi.waitFor(() => expect(log).toEqual(["once"]));
    await settle(client, server);
    expect(log).toEqual(["once"]);
    expect(server.latest.requestedCommands().slice(0, 3)).toEqual([
      CHANNEL_COMMANDS.subscribe,
      CHANNEL_COMMANDS.unsubscribe,
      CHANNEL_COMMANDS.subscribe,
    ]);
    expect(server.channels.subscribers("chat").map((connection) => connection.id)).toEqual([server.latest.id]);
  });

  it("does not leak: many subscribe/unsubscribe cycles still deliver each message once", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();

    for (let round = 0; round < 50; round += 1) {
      await client.subscribe("chat", callback);
      await client.unsubscribe("chat");
    }
    await client.subscribe("chat", callback);
    server.channels.publish("chat", "only once");

    await vi.waitFor(() => expect(log).toEqual(["only once"]));
    await settle(client, server);
    expect(log).toEqual(["only once"]);
  });

  it("holds back live messages until the subscribe result: stored ones then count as history, not as new", async () => {
    const server = await startServer();
    server.channels.publish("chat", "m1", 10);
    server.channels.afterRegister = (channel) => {
      // Published between registration and the history read: the frames precede the result.
      server.channels.publish(channel, "m2", 10);
      server.channels.publish(channel, "ephemeral");
    };
    const client = await connected(server);
    const { log, callback } = collector();

    const { history } = await client.subscribe("chat", callback, { historyLimit: 10 });
    server.channels.afterRegister = undefined;
    server.channels.publish("chat", "m3", 10);

    expect(history).toEqual(["m2", "m1"]);
    await vi.waitFor(() => expect(log).toEqual(["ephemeral", "m3"]));
  });

  it("ignores stored messages whose offset it has already delivered; delivers every message without one", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribe("feed", callback);
    const frame = (message: string, offset?: number) =>
      server.latest.send({
        type: "channel-message",
        channel: "feed",
        message,
        ...(offset === undefined ? {} : { offset, epoch: "e1" }),
      });

    frame("a", 1);
    frame("b", 2);
    frame("b again", 2);
    frame("plain");
    frame("a again", 1);
    frame("plain");
    frame("c", 3);

    await vi.waitFor(() => expect(log).toContain("c"));
    expect(log).toEqual(["a", "b", "plain", "plain", "c"]);
  });

  it("rejects invalid channel names and history limits locally with INVALID_PAYLOAD", async () => {
    const server = await startServer();
    const client = await connected(server);

    for (const channel of ["", "bad\u0000name", "x".repeat(257)]) {
      expect((await rejection(client.subscribe(channel, () => {}))).code).toBe("INVALID_PAYLOAD");
      expect((await rejection(client.unsubscribe(channel))).code).toBe("INVALID_PAYLOAD");
    }
    for (const historyLimit of [-1, 1.5, Number.NaN]) {
      expect((await rejection(client.subscribe("chat", () => {}, { historyLimit }))).code).toBe("INVALID_PAYLOAD");
    }
    expect(server.latest.requestedCommands()).toEqual([]);
    // A rejected subscribe leaves nothing behind.
    const { log, callback } = collector();
    await client.subscribe("other", callback);
    server.latest.send({ type: "channel-message", channel: "chat", message: "stray" });
    server.channels.publish("other", "ok");
    await vi.waitFor(() => expect(log).toEqual(["ok"]));
  });

  it("caps historyLimit at MAX_HISTORY_LIMIT before sending", async () => {
    const server = await startServer();
    const client = await connected(server);

    await client.subscribe("a", () => {}, { historyLimit: 5_000 });
    await client.subscribe("b", () => {}, { historyLimit: Number.POSITIVE_INFINITY });

    expect(server.channels.subscribePayloads).toEqual([
      { channel: "a", historyLimit: MAX_HISTORY_LIMIT },
      { channel: "b", historyLimit: MAX_HISTORY_LIMIT },
    ]);
  });

  it("reports a throwing callback through the error event and keeps delivering", async () => {
    const server = await startServer();
    const client = await connected(server);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const log: unknown[] = [];
    await client.subscribe("chat", (message) => {
      log.push(message);
      if (message === "bad") throw new Error("boom");
    });

    server.channels.publish("chat", "bad");
    server.channels.publish("chat", "good");

    await vi.waitFor(() => expect(log).toEqual(["bad", "good"]));
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ["INTERNAL_ERROR", 'The callback of channel "chat" threw: boom'],
    ]);
  });

  it("drops every subscription on close(); a later connect() starts without them", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    await client.subscribe("chat", callback);

    await client.close();
    await expect(client.unsubscribe("chat")).resolves.toBe(false);
    await client.connect();
    server.latest.send({ type: "channel-message", channel: "chat", message: "stale" });
    await settle(client, server);

    expect(log).toEqual([]);
    expect(server.latest.requestedCommands()).toEqual([CHANNEL_COMMANDS.subscribe]);
    expect(server.channels.subscribePayloads.map((payload) => payload.channel)).toEqual(["chat", "sentinel"]);
  });
});
