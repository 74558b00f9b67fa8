import { describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { CLOSE_CODES } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

/** The TCP socket under a ws client, to write bytes that are not even WebSocket frames. */
function tcpOf(socket: WebSocket): { write(data: Buffer): void } {
  return (socket as unknown as { _socket: { write(data: Buffer): void } })._socket;
}

describe("bad input", () => {
  it("answers bad frames with their request id when they carry one, and keeps the connection", async () => {
    const { server, url } = await startServer();
    server.registerCommand("echo", (ctx) => ctx.payload);
    const client = await RawClient.connect(url);

    const noId = [
      "{not json",
      "[]",
      "42",
      "null",
      '"text"',
      '{"type":"request"}',
      '{"type":"request","id":-1,"command":"echo"}',
    ];
    for (const frame of noId) client.sendRaw(frame);
    client.sendRaw(Buffer.from([0xc3, 0x28, 0xff]));
    client.socket.send(Buffer.from([0x00, 0x01, 0x02]), { binary: true });
    client.sendRaw('{"type":"request","id":1e300,"command":"echo"}');
    client.sendRaw('{"type":"request","id":5}');
    client.sendRaw('{"type":"bogus","id":6}');
    client.sendRaw('{"type":"request","id":7,"command":""}');
    client.send({ type: "request", id: 8, command: "nope" });
    client.send({ type: "request", id: 9, command: "mesh/anything" });
    client.send({ type: "request", id: 10, command: "echo", payload: "fine" });

    await client.waitFor((frame) => frame.id === 10);
    // Frames without a usable id get id-less answers (test/limits/badFrames.test.ts); here, those with an id.
    const answers = client.frames.filter(
      (frame) => (frame.type === "error" || frame.type === "response") && frame.id !== undefined,
    );
    expect(
      answers.map((frame) => [
        frame.id,
        frame.type === "error" ? (frame.error as { code: string }).code : frame.result,
      ]),
    ).toEqual([
      [5, "BAD_MESSAGE"],
      [6, "BAD_MESSAGE"],
      [7, "BAD_MESSAGE"],
      [8, "UNKNOWN_COMMAND"],
      [9, "UNKNOWN_COMMAND"],
      [10, "fine"],
    ]);
    const shapeError = answers[0]?.error as { message: string; details: unknown[] };
    expect(shapeError.message).toBe("Frame is not a valid meshwork message");
    expect(shapeError.details.length).toBeGreaterThan(0);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it("closes a socket that sends a frame over maxPayload with 1009", async () => {
    const { server, url } = await startServer({ maxPayload: 64 * 1024 });
    server.registerCommand("echo", (ctx) => ctx.payload);
    const client = await RawClient.connect(url);

    expect((await client.request("echo", "x".repeat(60 * 1024))).result).toHaveLength(60 * 1024);
    client.send({ type: "request", id: 99, command: "echo", payload: "x".repeat(64 * 1024) });
    expect((await client.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG.code);
  });

  it("closes a socket that sends more than maxBadMessages in the window with 4003", async () => {
    const { url } = await startServer({ maxBadMessages: 5, badMessageWindow: 60_000 });
    const client = await RawClient.connect(url);

    for (let id = 1; id <= 6; id++) client.send({ type: "request", id, command: "nope" });
    expect(await client.closed).toEqual({ code: 4003, reason: "too many bad messages" });
    expect(client.framesOf("error")).toHaveLength(6);
  });

  it("forgives bad messages once the window has passed", async () => {
    const { server, url } = await startServer({ maxBadMessages: 3, badMessageWindow: 10_000 });
    server.registerCommand("ok", () => "ok");
    const client = await RawClient.connect(url);
    // Only the clock moves; timers and sockets stay real.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      for (let round = 0; round < 3; round++) {
        for (let n = 0; n < 3; n++) client.sendRaw("garbage");
        expect((await client.request("ok")).result).toBe("ok");
        vi.setSystemTime(Date.now() + 10_001);
      }
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      for (let n = 0; n < 4; n++) client.sendRaw("garbage");
      expect((await client.closed).code).toBe(4003);
    } finally {
      vi.useRealTimers();
    }
  });

  it("survives floods, oversized frames and broken framing while a well-behaved client keeps getting correct answers", async () => {
    const { server, url, logger } = await startServer();
    server.registerCommand("square", async (ctx) => {
      await new Promise((resolve) => setImmediate(resolve));
      return (ctx.payload as number) ** 2;
    });
    const good = await RawClient.connect(url);
    const flooder = await RawClient.connect(url);
    const oversized = await RawClient.connect(url);
    const brokenFraming = await RawClient.connect(url);
    const mixed = await RawClient.connect(url);

    const answers: Array<Promise<[number, unknown]>> = [];
    const ask = (n: number) => answers.push(good.request("square", n, 15_000).then((frame) => [n, frame.result]));

    for (let batch = 0; batch < 10; batch++) {
      for (let n = 0; n < 1_000; n++) {
        const i = batch * 1_000 + n;
        if (i % 3 === 0) flooder.sendRaw(`{garbage ${i}`);
        else if (i % 3 === 1) flooder.send({ type: "request", id: i, command: `nope-${i}` });
        else flooder.send({ type: "request", id: i, payload: "missing command" });
      }
      for (let n = 0; n < 10; n++) ask(batch * 10 + n);
      if (batch === 3) oversized.send({ type: "request", id: 1, command: "square", payload: "x".repeat(1_048_577) });
      if (batch === 5) tcpOf(brokenFraming.socket).write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x00]));
      if (batch === 7) {
        mixed.sendRaw("not json");
        mixed.send({ type: "request", id: 1, command: "square", payload: 12 });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }

    const results = await Promise.all(answers);
    expect(results).toHaveLength(100);
    for (const [n, result] of results) expect(result).toBe(n * n);

    expect((await flooder.closed).code).toBe(CLOSE_CODES.TOO_MANY_BAD_MESSAGES.code);
    // Answers stop once the limit (100) is passed: the flood is not amplified.
    expect(flooder.framesOf("error").length).toBeLessThanOrEqual(101);
    expect((await oversized.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG.code);
    expect((await brokenFraming.closed).code).toBe(1002);
    expect((await mixed.waitFor((frame) => frame.id === 1)).result).toBe(144);

    // Still serving: a new client connects and gets answers.
    const late = await RawClient.connect(url);
    expect((await late.request("square", 9)).result).toBe(81);
    expect(logger.lines.filter((line) => line.level === "error" || line.level === "warn")).toEqual([]);
    expect(
      server.connectionManager
        .getLocalConnections()
        .map((connection) => connection.id)
        .sort(),
    ).toEqual([good, mixed, late].map((client) => client.hello.connectionId).sort());
  });
});
