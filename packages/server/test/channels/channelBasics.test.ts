import { describe, expect, it, vi } from "vitest";
import { rawConnect as connect } from "../support/rawClients";
import { startServer } from "../support/servers";

describe("channels on one instance (wire level)", () => {
  it("subscribes, returns history newest first, delivers live messages with positions, and unsubscribes", async () => {
    const { server, url } = await startServer();
    server.exposeChannel(/^chat:.+$/);
    for (const text of ["msg1", "msg2", "msg3", "msg4"]) await server.publishToChannel("chat:room1", text, 3);
    const client = await connect(url);
    const answer = await client.request("mesh/subscribe-channel", { channel: "chat:room1", historyLimit: 10 });
    expect(answer).toMatchObject({ type: "response", result: { success: true, history: ["msg4", "msg3", "msg2"] } });
    const position = (answer.result as { position: { epoch: string; offset: number } }).position;
    expect(position.offset).toBe(4);

    await server.publishToChannel("chat:room1", { text: "live" }, 3);
    await server.publishToChannel("chat:room1", "not stored");
    const live = await client.waitFor((frame) => frame.type === "channel-message" && frame.message === "not stored");
    expect(client.framesOf("channel-message")).toEqual([
      { type: "channel-message", channel: "chat:room1", message: { text: "live" }, offset: 5, epoch: position.epoch },
      live,
    ]);
    expect(live).not.toHaveProperty("offset");

    await client.request("mesh/subscribe-channel", { channel: "chat:marker" });
    const left = await client.request("mesh/unsubscribe-channel", { channel: "chat:room1" });
    expect(left).toMatchObject({ result: true });
    await server.publishToChannel("chat:room1", "after");
    // One instance receives its channel messages in publish order, so once the marker published after "after"
    // arrived, "after" would have arrived before it had the client still been subscribed.
    await server.publishToChannel("chat:marker", "marker");
    await client.waitFor((frame) => frame.type === "channel-message" && frame.message === "marker");
    expect(client.framesOf("channel-message").map((frame) => frame.message)).toEqual([
      { text: "live" },
      "not stored",
      "marker",
    ]);
    expect(await client.request("mesh/unsubscribe-channel", { channel: "chat:room1" })).toMatchObject({
      result: false,
    });
  });

  it("refuses unexposed channels and denying guards with a reason, and reports a throwing guard", async () => {
    const { server, url } = await startServer();
    const errors: Error[] = [];
    server.on("error", (error) => {
      errors.push(error);
    });
    server.exposeChannel("open");
    server.exposeChannel(/^vip:/, () => false);
    server.exposeChannel(/^boom:/, () => {
      throw new Error("guard exploded");
    });
    const client = await connect(url);
    const notExposed = await client.request("mesh/subscribe-channel", { channel: "secret" });
    expect(notExposed).toMatchObject({ result: { success: false, reason: expect.stringContaining("not exposed") } });
    const denied = await client.request("mesh/subscribe-channel", { channel: "vip:1" });
    expect(denied).toMatchObject({ result: { success: false, reason: expect.stringContaining("denied") } });
    const thrown = await client.request("mesh/subscribe-channel", { channel: "boom:1" });
    expect(thrown).toMatchObject({ result: { success: false } });
    await vi.waitFor(() => expect(errors.map((e) => e.message)).toContainEqual(expect.stringContaining("guard")));
    expect(await client.request("mesh/subscribe-channel", { channel: "open" })).toMatchObject({
      result: { success: true },
    });
  });

  it("lets an exact name win over patterns, and the pattern exposed last win over earlier ones", async () => {
    const { server, url } = await startServer();
    server.exposeChannel(/^team:/, () => true);
    server.exposeChannel(/^team:secret/, () => false);
    server.exposeChannel("team:secret-lobby", () => true);
    const client = await connect(url);
    const subscribe = (channel: string) => client.request("mesh/subscribe-channel", { channel });
    expect((await subscribe("team:a")).result).toMatchObject({ success: true });
    expect((await subscribe("team:secret-1")).result).toMatchObject({ success: false });
    expect((await subscribe("team:secret-lobby")).result).toMatchObject({ success: true });
  });

  it("validates channel names and caps historyLimit", async () => {
    const { server, url } = await startServer();
    server.exposeChannel(/.*/);
    for (let i = 0; i < 1_005; i++) await server.publishToChannel("big", i, 2_000);
    const client = await connect(url);
    expect(await client.request("mesh/subscribe-channel", { channel: "" })).toMatchObject({
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(await client.request("mesh/subscribe-channel", { channel: "a\u0000b" })).toMatchObject({
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(await client.request("mesh/subscribe-channel", { channel: "big", historyLimit: -1 })).toMatchObject({
      error: { code: "INVALID_PAYLOAD" },
    });
    const huge = await client.request("mesh/subscribe-channel", { channel: "big", historyLimit: 1e9 });
    expect((huge.result as { history: unknown[] }).history).toHaveLength(1_000);
    expect(() => server.publishToChannel("", "x")).toThrow(TypeError);
    expect(() => server.publishToChannel("ok", "x", -1)).toThrow(TypeError);
  });
});
