import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../src/index";
import { type Frame, RawClient } from "../support/rawClient";
import { startServer } from "../support/servers";

const idless = (frame: Frame): boolean => frame.type === "error" && frame.id === undefined;
const errorOf = (frame: Frame | undefined) => frame?.error as { code: string; message: string; details?: unknown };

describe("bad frames without a request id", () => {
  it("answers each kind with an id-less BAD_MESSAGE naming the problem", async () => {
    const { server, url } = await startServer();
    server.registerCommand("echo", (ctx) => ctx.payload);
    const client = await RawClient.connect(url);

    client.sendRaw("{not json");
    await client.waitFor((frame) => idless(frame));
    client.send({ type: "request", command: "echo" });
    await client.waitFor((frame) => idless(frame) && client.frames.filter(idless).length === 2);
    client.socket.send(Buffer.from(JSON.stringify({ type: "request", id: 1, command: "echo" })), { binary: true });
    await client.waitFor(() => client.frames.filter(idless).length === 3);

    const [notJson, wrongShape, binary] = client.frames.filter(idless).map(errorOf);
    expect(notJson).toEqual({ code: "BAD_MESSAGE", message: "Frame is not valid JSON" });
    expect(wrongShape?.code).toBe("BAD_MESSAGE");
    expect(wrongShape?.message).toBe("Frame is not a valid meshwork message");
    expect((wrongShape?.details as unknown[] | undefined)?.length).toBeGreaterThan(0);
    expect(binary?.code).toBe("BAD_MESSAGE");
    expect(binary?.message).toMatch(/Binary frames are not accepted/);
    // The binary frame's request was not run: no response with its id.
    expect(client.frames.some((frame) => frame.type === "response")).toBe(false);
    // A frame with an id keeps its per-request answer, and the connection stays open.
    expect((await client.request("echo", "still here")).result).toBe("still here");
    client.sendRaw('{"type":"request","id":77}');
    expect(errorOf(await client.waitFor((frame) => frame.id === 77)).code).toBe("BAD_MESSAGE");
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it("answers a flood at most badMessageReplies times per window, then closes it with 4003", async () => {
    const { server, url } = await startServer({ maxBadMessages: 20, badMessageReplies: 3, badMessageWindow: 60_000 });
    server.registerCommand("echo", (ctx) => ctx.payload);
    const flooder = await RawClient.connect(url);
    const neighbour = await RawClient.connect(url);

    for (let n = 0; n < 500; n++) {
      if (n % 3 === 0) flooder.sendRaw(`garbage ${n}`);
      else if (n % 3 === 1) flooder.send({ type: "nonsense", n });
      else flooder.socket.send(Buffer.from([n & 0xff]), { binary: true });
    }
    expect(await flooder.closed).toEqual({
      code: CLOSE_CODES.TOO_MANY_BAD_MESSAGES.code,
      reason: CLOSE_CODES.TOO_MANY_BAD_MESSAGES.reason,
    });
    const answers = flooder.frames.filter(idless);
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(errorOf(answer).code).toBe("BAD_MESSAGE");
    expect((await neighbour.request("echo", "fine")).result).toBe("fine");
  });
});
