import { CHANNEL_COMMANDS } from "@meshwork/protocol";
import { describe, expect, it, vi } from "vitest";
import type { MeshError, RecoveryInfo } from "../src/node";
import { connected, restartServer, settle, startServer } from "./support/clientHarness";

/** A channel callback that records what it got. */
function collector(log: unknown[] = []): { log: unknown[]; callback: (message: unknown) => void } {
  return { log, callback: (message) => log.push(message) };
}

describe("MeshClient channel recovery after a reconnect", () => {
  it("resubscribes from the last position and delivers missed messages in order before 'reconnect'", async () => {
    const server = await startServer();
    const client = await connected(server);
    const order: string[] = [];
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("chat", (message) => order.push(String(message)), {
      historyLimit: 10,
      onRecover: (info) => {
        recoveries.push(info);
        order.push("recover");
      },
    });
    server.channels.publish("chat", "m1", 10);
    server.channels.publish("chat", "m2", 10);
    await vi.waitFor(() => expect(order).toEqual(["m1", "m2"]));
    const { epoch } = server.channels.position("chat") ?? { epoch: "" };
    client.on("reconnect", () => order.push("reconnect"));

    await restartServer(client, server, () => {
      for (const message of ["m3", "m4", "m5"]) server.channels.publish("chat", message, 10);
    });

    expect(order).toEqual(["m1", "m2", "m3", "m4", "m5", "recover", "reconnect"]);
    expect(recoveries).toEqual([{ channel: "chat", recovered: true, missed: 3 }]);
    expect(server.channels.subscribePayloads.at(-1)).toEqual({
      channel: "chat",
      historyLimit: 0,
      since: { epoch, offset: 2 },
    });
    server.channels.publish("chat", "m6", 10);
    await vi.waitFor(() => expect(order.at(-1)).toBe("m6"));
  });

  it("delivers a message that arrives live before the resubscribe result and in missed once, in order", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("chat", callback, { onRecover: (info) => recoveries.push(info) });
    server.channels.publish("chat", "m1", 10);
    await vi.waitFor(() => expect(log).toEqual(["m1"]));
    server.channels.afterRegister = (channel) => {
      server.channels.afterRegister = undefined;
      server.channels.publish(channel, "m3", 10);
      server.channels.publish(channel, "ephemeral");
    };

    await restartServer(client, server, () => server.channels.publish("chat", "m2", 10));

    expect(log).toEqual(["m1", "m2", "m3", "ephemeral"]);
    expect(recoveries).toEqual([{ channel: "chat", recovered: true, missed: 2 }]);
  });

  it("tells onRecover recovered false when history no longer holds what was missed, and goes on", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("chat", callback, { onRecover: (info) => recoveries.push(info) });
    server.channels.publish("chat", "m1", 2);
    await vi.waitFor(() => expect(log).toEqual(["m1"]));

    await restartServer(client, server, () => {
      for (const message of ["m2", "m3", "m4", "m5"]) server.channels.publish("chat", message, 2);
    });
    server.channels.publish("chat", "m6", 2);

    expect(recoveries).toEqual([{ channel: "chat", recovered: false, missed: 0 }]);
    await vi.waitFor(() => expect(log).toEqual(["m1", "m6"]));
  });

  it("resets the position on a new epoch, so the new history's low offsets are not taken for duplicates", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("chat", callback, { onRecover: (info) => recoveries.push(info) });
    for (const message of ["a1", "a2", "a3"]) server.channels.publish("chat", message, 10);
    await vi.waitFor(() => expect(log).toEqual(["a1", "a2", "a3"]));

    await restartServer(client, server, () => {
      server.channels.loseHistory("chat");
      server.channels.publish("chat", "b1", 10);
    });
    const newEpoch = server.channels.position("chat")?.epoch;
    expect(recoveries).toEqual([{ channel: "chat", recovered: false, missed: 0 }]);

    await restartServer(client, server, () => server.channels.publish("chat", "b2", 10));
    server.channels.publish("chat", "b3", 10);

    expect(server.channels.subscribePayloads.at(-1)?.since).toEqual({ epoch: newEpoch, offset: 1 });
    expect(recoveries.at(-1)).toEqual({ channel: "chat", recovered: true, missed: 1 });
    await vi.waitFor(() => expect(log).toEqual(["a1", "a2", "a3", "b2", "b3"]));
  });

  it("resubscribes a channel without stored history without since, and counts it as recovered", async () => {
    const server = await startServer();
    const client = await connected(server);
    const { log, callback } = collector();
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("alerts", callback, { onRecover: (info) => recoveries.push(info) });
    server.channels.publish("alerts", "before");
    await vi.waitFor(() => expect(log).toEqual(["before"]));

    await restartServer(client, server);
    server.channels.publish("alerts", "after");

    expect(server.channels.subscribePayloads.at(-1)).toEqual({ channel: "alerts", historyLimit: 0 });
    expect(recoveries).toEqual([{ channel: "alerts", recovered: true, missed: 0 }]);
    await vi.waitFor(() => expect(log).toEqual(["before", "after"]));
  });

  it("replays what a channel stored while away when the subscription had never seen a stored message", async () => {
    const server = await startServer();
    const client = await connected(server);
    const order: string[] = [];
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("feed", (message) => order.push(String(message)), {
      onRecover: (info) => recoveries.push(info),
    });
    client.on("reconnect", () => order.push("reconnect"));

    await restartServer(client, server, () => {
      for (const message of ["s1", "s2", "s3"]) server.channels.publish("feed", message, 10);
    });

    expect(order).toEqual(["s1", "s2", "s3", "reconnect"]);
    expect(recoveries).toEqual([{ channel: "feed", recovered: true, missed: 3 }]);
    const epoch = server.channels.position("feed")?.epoch;
    expect(server.channels.subscribePayloads.slice(-2)).toEqual([
      { channel: "feed", historyLimit: 0 },
      { channel: "feed", historyLimit: 0, since: { epoch, offset: 0 } },
    ]);

    await restartServer(client, server, () => {
      for (const message of ["s4", "s5", "s6"]) server.channels.publish("feed", message, 2);
    });
    expect(recoveries.at(-1)).toEqual({ channel: "feed", recovered: false, missed: 0 });
  });

  it("drops a subscription the server now refuses: error event, onRecover false, 'reconnect' still fires", async () => {
    const server = await startServer();
    const client = await connected(server);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const { log, callback } = collector();
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("vip", callback, { onRecover: (info) => recoveries.push(info) });
    await client.subscribe("kept", () => {});

    await restartServer(client, server, () => {
      server.channels.access = (channel) => (channel === "vip" ? "guard denied" : true);
    });

    expect(recoveries).toEqual([{ channel: "vip", recovered: false, missed: 0 }]);
    expect(errors.map((error) => [error.code, error.details])).toEqual([
      ["FORBIDDEN", { channel: "vip", reason: "guard denied" }],
    ]);
    server.latest.send({ type: "channel-message", channel: "vip", message: "stray" });
    await settle(client, server);
    expect(log).toEqual([]);
    expect(server.channels.subscribers("kept").map((connection) => connection.id)).toEqual([server.latest.id]);
  });

  it("drops a subscription whose resubscription fails, reporting the server's error code", async () => {
    const server = await startServer();
    const client = await connected(server);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const recoveries: RecoveryInfo[] = [];
    await client.subscribe("chat", () => {}, { onRecover: (info) => recoveries.push(info) });

    await restartServer(client, server, () => {
      server.handle(CHANNEL_COMMANDS.subscribe, () => {
        throw Object.assign(new Error("history unavailable"), { code: "INTERNAL_ERROR" });
      });
    });

    expect(recoveries).toEqual([{ channel: "chat", recovered: false, missed: 0 }]);
    expect(errors.map((error) => error.code)).toEqual(["INTERNAL_ERROR"]);
    expect(errors[0]?.message).toContain('channel "chat"');
  });

  it("sends a subscribe made while reconnecting after the restore, without duplicating recovered ones", async () => {
    const server = await startServer();
    const client = await connected(server);
    const first = collector();
    const second = collector();
    await client.subscribe("chat", first.callback);
    server.channels.publish("chat", "m1", 10);
    await vi.waitFor(() => expect(first.log).toEqual(["m1"]));

    const reconnected = new Promise<void>((resolve) => client.once("reconnect", () => resolve()));
    await server.stop();
    await vi.waitFor(() => expect(client.status).toBe("reconnecting"));
    server.channels.publish("chat", "m2", 10);
    const joined = client.subscribe("chat", second.callback, { historyLimit: 1 });
    await server.restart();
    await reconnected;
    const { history } = await joined;
    server.channels.publish("chat", "m3", 10);

    expect(history).toEqual(["m2"]);
    await vi.waitFor(() => expect(first.log).toEqual(["m1", "m2", "m3"]));
    expect(second.log).toEqual(["m3"]);
    expect(server.channels.subscribePayloads.slice(-2)).toEqual([
      { channel: "chat", historyLimit: 0, since: { epoch: expect.any(String), offset: 1 } },
      { channel: "chat", historyLimit: 1 },
    ]);
  });
});
