import { describe, expect, it, vi } from "vitest";
import type { DisconnectInfo } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("slow consumers", () => {
  it("closes a connection whose unsent data exceeds maxBufferedBytes with 4004, sparing the others", async () => {
    const { server, url } = await startServer({ maxBufferedBytes: 256 * 1024, closeTimeout: 200 });
    const disconnected: DisconnectInfo[] = [];
    server.on("disconnected", (_connection, info) => {
      disconnected.push(info);
    });
    server.registerCommand("ping-me", () => "pong");
    const slow = await RawClient.connect(url);
    const reader = await RawClient.connect(url);
    // Stop reading: whatever the server sends piles up in its buffers.
    slow.socket.pause();

    const blob = "x".repeat(64 * 1024);
    let accepted = 0;
    for (let i = 0; i < 1_000 && (await server.sendTo(slow.hello.connectionId, "blob", blob)); i++) accepted++;

    expect(accepted).toBeLessThan(1_000);
    await vi.waitFor(() => expect(disconnected).toEqual([{ code: 4004, reason: "slow consumer" }]));
    expect(server.connectionManager.getLocalConnection(slow.hello.connectionId)).toBeUndefined();
    expect((await reader.request("ping-me")).result).toBe("pong");
    slow.socket.terminate();
  });
});
