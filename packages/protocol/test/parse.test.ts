import { describe, expect, it } from "vitest";
import { encodeClientMessage, parseClientMessage, parseServerMessage } from "../src/index";

describe("parseClientMessage", () => {
  it("reads a request from text and from bytes", () => {
    const frame = encodeClientMessage({ type: "request", id: 7, command: "echo", payload: { a: 1 } });
    const fromText = parseClientMessage(frame);
    const fromBytes = parseClientMessage(new TextEncoder().encode(frame));
    expect(fromText).toEqual({ ok: true, message: { type: "request", id: 7, command: "echo", payload: { a: 1 } } });
    expect(fromBytes).toEqual(fromText);
  });

  it("reads a request split over several chunks", () => {
    const encoder = new TextEncoder();
    const result = parseClientMessage([encoder.encode('{"type":"pong"'), encoder.encode("}")]);
    expect(result).toEqual({ ok: true, message: { type: "pong" } });
  });

  it("reports text that is not JSON", () => {
    expect(parseClientMessage("{nope")).toMatchObject({ ok: false, reason: "not-json" });
  });

  it("reports a wrong shape and keeps the id so the request can be answered", () => {
    const result = parseClientMessage(JSON.stringify({ type: "request", id: 3, command: "" }));
    expect(result).toMatchObject({ ok: false, reason: "invalid-shape", id: 3 });
    expect(result.ok === false && result.issues?.length).toBeGreaterThan(0);
  });

  it("leaves the id out when the frame's id is unusable", () => {
    const result = parseClientMessage(JSON.stringify({ type: "request", id: -1, command: "x" }));
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.id).toBeUndefined();
  });

  it("rejects unknown message types and names longer than the limit", () => {
    expect(parseClientMessage('{"type":"hello"}').ok).toBe(false);
    const long = JSON.stringify({ type: "request", id: 1, command: "x".repeat(257) });
    expect(parseClientMessage(long).ok).toBe(false);
  });

  it("never throws, whatever it is given", () => {
    const inputs: unknown[] = ["", "null", "[]", "1", '"s"', "{}", '{"type":null}', "\u0000", "{".repeat(10_000)];
    for (let i = 0; i < 500; i++) {
      inputs.push(String.fromCharCode(...Array.from({ length: i % 40 }, () => Math.floor(Math.random() * 256))));
    }
    for (const input of inputs) {
      expect(() => parseClientMessage(input as string)).not.toThrow();
      expect(() => parseServerMessage(input as string)).not.toThrow();
    }
  });
});

describe("parseServerMessage", () => {
  it("reads every server message type", () => {
    const frames = [
      {
        type: "hello",
        connectionId: "c1",
        protocol: 1,
        pingInterval: 30_000,
        latencyInterval: 5_000,
        maxPayload: 1024,
      },
      { type: "response", id: 1, result: "ok" },
      { type: "error", id: 1, error: { code: "TIMEOUT", message: "late" } },
      { type: "push", command: "news", payload: [1, 2] },
      { type: "ping" },
      { type: "latency-probe", id: 4 },
      { type: "latency", ms: 12.5 },
    ];
    for (const frame of frames) {
      expect(parseServerMessage(JSON.stringify(frame))).toEqual({ ok: true, message: frame });
    }
  });

  it("rejects an error without a code", () => {
    expect(parseServerMessage('{"type":"error","id":1,"error":{"message":"x"}}').ok).toBe(false);
  });
});
