import { MeshClient } from "@meshwork/client";
import { vi } from "vitest";
import { WebSocket } from "ws";

/**
 * Every frame a real MeshClient sends for each built-in operation and for the application commands, recorded
 * off the wire through the client's `WebSocket` option: the seeds the fuzzer mutates.
 */
export async function recordRealFrames(url: string): Promise<string[]> {
  const sent: string[] = [];
  class RecordingWebSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      sent.push(String(data));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  const client = new MeshClient(url, { WebSocket: RecordingWebSocket, shouldReconnect: false });
  await client.connect();
  try {
    await client.command("echo", { text: "hello", n: 1, list: [1, "two", { three: 3 }] });
    await client.command("sum", { a: 1, b: 2 });
    await client.subscribe("fuzz:chan", () => {}, { historyLimit: 3 });
    await client.unsubscribe("fuzz:chan");
    await client.subscribeRecord("fuzz:full", () => {});
    await client.subscribeRecord("fuzz:patch", () => {}, { mode: "patch" });
    await client.publishRecordUpdate("fuzz:full", { title: "a", tags: ["x", "y"], nested: { n: 1 } });
    await client.publishRecordUpdate("fuzz:patch", { title: "b" }, { expectedVersion: 0 });
    await client.unsubscribeRecord("fuzz:full");
    await client.unsubscribeRecord("fuzz:patch");
    await client.joinRoom("fuzz:room");
    await client.subscribePresence("fuzz:room", () => {});
    await client.publishPresenceState("fuzz:room", { state: { typing: true }, expireAfter: 5_000 });
    await client.clearPresenceState("fuzz:room");
    await client.getConnectionMetadata();
    await client.getRoomMetadata("fuzz:room");
    await client.unsubscribePresence("fuzz:room");
    await client.leaveRoom("fuzz:room");
    // The liveness answers come on the server's schedule (latencyInterval, pingInterval).
    await vi.waitFor(
      () => {
        const types = sent.map((frame) => (JSON.parse(frame) as { type: string }).type);
        if (!types.includes("pong") || !types.includes("latency-reply"))
          throw new Error("no pong and latency-reply yet");
      },
      { timeout: 5_000, interval: 50 },
    );
  } finally {
    await client.close();
  }
  return [...new Set(sent)];
}
