import { describe, expect, it } from "vitest";
import type { ConnectionEvent, ConnectionState } from "../../src/connectionMachine";
import { UrlRotation, movesToNextUrl } from "../../src/urlRotation";

const closed = (code: number): ConnectionEvent => ({ type: "SOCKET_CLOSED", code, reason: "", local: false });

describe("UrlRotation", () => {
  it("starts with the first URL and moves through the list in order, wrapping around after the last", () => {
    const urls = new UrlRotation(["ws://a", "ws://b", "ws://c"]);
    expect(urls.current).toBe("ws://a");
    const seen = [urls.next(), urls.next(), urls.next(), urls.next()];
    expect(seen).toEqual(["ws://b", "ws://c", "ws://a", "ws://b"]);
    expect(urls.current).toBe("ws://b");
  });

  it("treats a single URL as a list of one", () => {
    const urls = new UrlRotation("ws://only");
    expect(urls.all).toEqual(["ws://only"]);
    expect(urls.next()).toBe("ws://only");
  });

  it("keeps its own copy of the list", () => {
    const given = ["ws://a", "ws://b"];
    const urls = new UrlRotation(given);
    given.push("ws://c");
    expect(urls.all).toEqual(["ws://a", "ws://b"]);
  });

  it("refuses an empty list and URLs that are not non-empty strings", () => {
    expect(() => new UrlRotation([])).toThrow(TypeError);
    expect(() => new UrlRotation(["ws://a", ""])).toThrow(TypeError);
    expect(() => new UrlRotation([42 as unknown as string])).toThrow(TypeError);
  });
});

describe("movesToNextUrl", () => {
  const step = (from: ConnectionState, to: ConnectionState, event: ConnectionEvent) =>
    movesToNextUrl({ from, to, event });

  it("moves on after a failed attempt, first or reconnect, whatever the code", () => {
    expect(step("connecting", "idle", closed(1006))).toBe(true);
    expect(step("reconnecting", "backoff", closed(1006))).toBe(true);
    expect(step("reconnecting", "backoff", closed(1011))).toBe(true);
  });

  it("moves on when an established connection is closed with 1001 (going away)", () => {
    expect(step("online", "backoff", closed(1001))).toBe(true);
    expect(step("restoring", "backoff", closed(1001))).toBe(true);
  });

  it("retries the same URL first after other drops of an established connection", () => {
    expect(step("online", "backoff", closed(1006))).toBe(false);
    expect(step("online", "backoff", closed(4000))).toBe(false);
  });

  it("stays put for everything else", () => {
    expect(step("online", "idle", { type: "CLOSE" })).toBe(false);
    expect(step("backoff", "reconnecting", { type: "RETRY" })).toBe(false);
    expect(step("connecting", "idle", { type: "CLOSE" })).toBe(false);
  });
});
