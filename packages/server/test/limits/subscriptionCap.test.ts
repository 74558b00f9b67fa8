import { MeshClient, MeshError } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import type { MeshServer } from "../../src/index";
import { trackClient } from "../support/clients";
import { type Frame, RawClient } from "../support/rawClient";
import { startServer } from "../support/servers";

const REDIS = { host: "127.0.0.1", port: 6379 };

const outcome = (frame: Frame): string =>
  frame.type === "response"
    ? (frame.result as { success?: boolean })?.success === false
      ? "denied"
      : "ok"
    : ((frame.error as { code: string }).code ?? "error");

function expose(server: MeshServer): void {
  server.exposeChannel(/^chat:/);
  server.exposeRecord(/^doc:/);
  server.exposeRoom(/^room:/);
  server.trackPresence(/^room:/);
}

describe("maxSubscriptionsPerConnection", () => {
  it("counts channels, records, rooms and presence together, denies past the cap, and frees slots", async () => {
    const { server, url } = await startServer({ redisOptions: REDIS, maxSubscriptionsPerConnection: 4 });
    expose(server);
    const client = await RawClient.connect(url);
    const other = await RawClient.connect(url);

    const held = [
      await client.request("mesh/subscribe-channel", { channel: "chat:a" }),
      await client.request("mesh/subscribe-record", { recordId: "doc:a" }),
      await client.request("mesh/join-room", { roomName: "room:a" }),
      await client.request("mesh/subscribe-presence", { roomName: "room:a" }),
    ];
    expect(held.map(outcome)).toEqual(["ok", "ok", "ok", "ok"]);

    const beyond = [
      await client.request("mesh/subscribe-channel", { channel: "chat:b" }),
      await client.request("mesh/subscribe-record", { recordId: "doc:b" }),
      await client.request("mesh/join-room", { roomName: "room:b" }),
      await client.request("mesh/subscribe-presence", { roomName: "room:b" }),
    ];
    expect(beyond.map(outcome)).toEqual(Array(4).fill("SUBSCRIPTION_LIMIT"));
    expect((beyond[0]?.error as { details?: unknown } | undefined)?.details).toEqual({ limit: 4 });
    // Nothing was added for the denied ones: the channel gets no messages, the room is not joined.
    expect(await server.isInRoom("room:b", client.hello.connectionId)).toBe(false);
    // Asking again for what it holds is no new subscription; another connection has its own count.
    expect(outcome(await client.request("mesh/subscribe-channel", { channel: "chat:a" }))).toBe("ok");
    expect(outcome(await client.request("mesh/join-room", { roomName: "room:a" }))).toBe("ok");
    expect(outcome(await other.request("mesh/subscribe-channel", { channel: "chat:b" }))).toBe("ok");

    // Each way a subscription ends frees its slot.
    expect((await client.request("mesh/unsubscribe-channel", { channel: "chat:a" })).result).toBe(true);
    expect(outcome(await client.request("mesh/subscribe-channel", { channel: "chat:b" }))).toBe("ok");
    await client.request("mesh/unsubscribe-record", { recordId: "doc:a" });
    expect(outcome(await client.request("mesh/subscribe-record", { recordId: "doc:b" }))).toBe("ok");
    await client.request("mesh/unsubscribe-presence", { roomName: "room:a" });
    expect(outcome(await client.request("mesh/subscribe-presence", { roomName: "room:b" }))).toBe("ok");
    await server.removeFromRoom("room:a", client.hello.connectionId);
    expect(outcome(await client.request("mesh/join-room", { roomName: "room:b" }))).toBe("ok");
    expect(outcome(await client.request("mesh/join-room", { roomName: "room:c" }))).toBe("SUBSCRIPTION_LIMIT");
  });

  it("holds concurrent joins to the cap", async () => {
    const { server, url } = await startServer({ redisOptions: REDIS, maxSubscriptionsPerConnection: 3 });
    expose(server);
    const client = await RawClient.connect(url);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => client.request("mesh/join-room", { roomName: `room:${n}` })),
    );
    expect(answers.filter((frame) => outcome(frame) === "ok")).toHaveLength(3);
    expect(answers.filter((frame) => outcome(frame) === "SUBSCRIPTION_LIMIT")).toHaveLength(7);
  });

  it("rejects a MeshClient's subscribe past the cap with SUBSCRIPTION_LIMIT", async () => {
    const { server, url } = await startServer({ redisOptions: REDIS, maxSubscriptionsPerConnection: 1 });
    expose(server);
    const client = trackClient(new MeshClient(url, { shouldReconnect: false }));
    await client.connect();
    expect((await client.subscribe("chat:a", () => {})).success).toBe(true);
    const denied = await client.subscribe("chat:b", () => {}).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(MeshError);
    expect((denied as MeshError).code).toBe("SUBSCRIPTION_LIMIT");
    await client.unsubscribe("chat:a");
    expect((await client.subscribe("chat:b", () => {})).success).toBe(true);
  });
});
