import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT_OPTIONS, resolveClientOptions } from "../../src/options";
import { type WebSocketConstructor, setDefaultWebSocket } from "../../src/webSocket";

const FakeWebSocket = class {} as unknown as WebSocketConstructor;

describe("resolveClientOptions", () => {
  afterEach(() => setDefaultWebSocket(undefined));

  it("has the seed's defaults plus meshwork's own", () => {
    expect(DEFAULT_CLIENT_OPTIONS).toEqual({
      pingTimeout: 30_000,
      maxMissedPings: 1,
      shouldReconnect: true,
      reconnectInterval: 2_000,
      maxReconnectInterval: 30_000,
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
      maxQueuedCommands: 100,
      defaultTimeout: 30_000,
      connectTimeout: 10_000,
    });
    expect(Object.isFrozen(DEFAULT_CLIENT_OPTIONS)).toBe(true);
  });

  it("merges given options over the defaults; undefined keeps the default", () => {
    const resolved = resolveClientOptions({ WebSocket: FakeWebSocket, pingTimeout: 5, maxMissedPings: undefined });
    expect(resolved).toMatchObject({ pingTimeout: 5, maxMissedPings: 1, reconnectInterval: 2_000 });
    expect(resolved.WebSocket).toBe(FakeWebSocket);
  });

  it("raises maxReconnectInterval to reconnectInterval", () => {
    const resolved = resolveClientOptions({ WebSocket: FakeWebSocket, reconnectInterval: 60_000 });
    expect(resolved.maxReconnectInterval).toBe(60_000);
  });

  it("rejects invalid numbers with a RangeError naming the option", () => {
    expect(() => resolveClientOptions({ WebSocket: FakeWebSocket, reconnectInterval: -1 })).toThrow(
      /reconnectInterval/,
    );
    expect(() => resolveClientOptions({ WebSocket: FakeWebSocket, maxQueuedCommands: 1.5 })).toThrow(RangeError);
    expect(() => resolveClientOptions({ WebSocket: FakeWebSocket, pingTimeout: Number.NaN })).toThrow(RangeError);
    expect(() =>
      resolveClientOptions({ WebSocket: FakeWebSocket, reconnectInterval: Number.POSITIVE_INFINITY }),
    ).toThrow(RangeError);
    expect(() =>
      resolveClientOptions({ WebSocket: FakeWebSocket, maxReconnectAttempts: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });
});
