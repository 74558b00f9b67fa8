import { describe, expect, it, vi } from "vitest";
import { CLOSE_CODES, type DisconnectInfo } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

const ROOM = "flooded";
const MESSAGES = 400;
const READERS = 3;
// 16 KiB per message: the flood (6.4 MB) is well past the slow member's 256 KiB cap.
const BODY = "m".repeat(16 * 1024);

describe("slow consumer in a flooded room", () => {
  it("closes the member that stopped reading with 4004 at its cap, and the others get every message in order", async () => {
    const { server, url } = await startServer({ maxBufferedBytes: 256 * 1024, closeTimeout: 200 });
    const disconnected = new Map<string, DisconnectInfo>();
    server.on("disconnected", (connection, info) => {
      disconnected.set(connection.id, info);
    });
    server.exposeRoom(ROOM);
    const slow = await RawClient.connect(url);
    const readers = await Promise.all(Array.from({ length: READERS }, () => RawClient.connect(url)));
    for (const member of [slow, ...readers]) {
      expect((await member.request("mesh/join-room", { roomName: ROOM })).result).toMatchObject({ success: true });
    }
    // The slow member stops reading at the TCP level: what the server sends piles up in its socket buffers.
    const tcp = (slow.socket as unknown as { _socket: { pause(): void } })._socket;
    tcp.pause();

    const slowConnection = server.connectionManager.getLocalConnection(slow.hello.connectionId);
    expect(slowConnection?.isOpen).toBe(true);
    const started = Date.now();
    let closedAfter: number | undefined;
    for (let seq = 0; seq < MESSAGES; seq++) {
      if (closedAfter === undefined && !slowConnection?.isOpen) closedAfter = seq;
      await server.broadcastRoom(ROOM, "flood", { seq, body: BODY });
      // The readers live in this process: a turn of the event loop lets them read, as remote clients would
      // meanwhile. Without it the whole flood is queued in one go and every member is over the cap.
      await new Promise((resolve) => setImmediate(resolve));
    }

    await vi.waitFor(() => expect(disconnected.get(slow.hello.connectionId)).toBeDefined(), { timeout: 10_000 });
    expect(disconnected.get(slow.hello.connectionId)).toEqual({
      code: CLOSE_CODES.SLOW_CONSUMER.code,
      reason: CLOSE_CODES.SLOW_CONSUMER.reason,
    });
    // Closed at its cap, during the flood (kernel socket buffers hold some of it before the server's queue grows).
    expect(closedAfter).toBeLessThan(MESSAGES);
    const members = await server.getRoomMembers(ROOM);
    expect(members.sort()).toEqual(readers.map((reader) => reader.hello.connectionId).sort());

    for (const reader of readers) {
      await vi.waitFor(() => expect(reader.framesOf("push")).toHaveLength(MESSAGES), { timeout: 10_000 });
      const seqs = reader.framesOf("push").map((frame) => (frame.payload as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: MESSAGES }, (_, seq) => seq));
      expect(reader.socket.readyState).toBe(reader.socket.OPEN);
    }
    console.info(
      `room flood: ${MESSAGES} messages of ${BODY.length / 1024} KiB to ${READERS + 1} members in ` +
        `${Date.now() - started} ms; the paused member was closed with 4004 after ${closedAfter} of them, ${READERS} readers got all ${MESSAGES} in order`,
    );
    slow.socket.terminate();
  });
});
