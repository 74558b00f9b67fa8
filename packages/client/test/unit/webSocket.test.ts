import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebSocketConstructor, resolveWebSocket, setDefaultWebSocket } from "../../src/webSocket";

const Explicit = class {} as unknown as WebSocketConstructor;
const Default = class {} as unknown as WebSocketConstructor;
const Global = class {} as unknown as WebSocketConstructor;

describe("resolveWebSocket", () => {
  afterEach(() => {
    setDefaultWebSocket(undefined);
    vi.unstubAllGlobals();
  });

  it("prefers the option, then the default, then globalThis.WebSocket", () => {
    vi.stubGlobal("WebSocket", Global);
    expect(resolveWebSocket()).toBe(Global);
    setDefaultWebSocket(Default);
    expect(resolveWebSocket()).toBe(Default);
    expect(resolveWebSocket(Explicit)).toBe(Explicit);
  });

  it("throws a clear MeshError when there is no implementation at all", () => {
    vi.stubGlobal("WebSocket", undefined);
    expect(() => resolveWebSocket()).toThrow(expect.objectContaining({ code: "NOT_CONNECTED" }));
    expect(() => resolveWebSocket()).toThrow(/WebSocket/);
  });
});
