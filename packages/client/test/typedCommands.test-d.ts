import type { ClientLifecycleEvent, MeshError, MeshClient, WebSocketConstructor } from "../src/index";
import type { ClientLifecycleHandlers, ClientStatus, DisconnectInfo } from "../src/index";
import { describe, expectTypeOf, it } from "vitest";
import WebSocket from "ws";

type MyCommands = {
  echo: { payload: string; result: string };
  add: { payload: { a: number; b: number }; result: number };
  ping: { result: "pong" };
  maybe: { payload?: string; result: boolean };
};

interface MyEvents {
  chat: { from: string; text: string };
  count: number;
}

declare const typed: MeshClient<MyCommands, MyEvents>;
declare const untyped: MeshClient;

describe("typed commands", () => {
  it("checks names, payloads and results", () => {
    expectTypeOf(typed.command("echo", "hi")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(typed.command("add", { a: 1, b: 2 }, { timeout: 10 })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(typed.command("add", { a: 1, b: 2 }, 500)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(typed.command("ping")).toEqualTypeOf<Promise<"pong">>();
    expectTypeOf(typed.command("maybe")).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(typed.command("maybe", "x", 5)).toEqualTypeOf<Promise<boolean>>();

    // @ts-expect-error unknown command name
    void typed.command("nope", "hi");
    // @ts-expect-error wrong payload type
    void typed.command("echo", 42);
    // @ts-expect-error payload is required
    void typed.command("echo");
    // @ts-expect-error wrong payload shape
    void typed.command("add", { a: 1 });
    // @ts-expect-error a command without payload takes none
    void typed.command("ping", "extra");
    // @ts-expect-error the third argument is options or a number
    void typed.command("echo", "hi", "soon");
    // @ts-expect-error the result is a string, not a number
    const wrong: Promise<number> = typed.command("echo", "hi");
    void wrong;
  });

  it("accepts any name and payload by default, with an any result as in the original Mesh", () => {
    expectTypeOf(untyped.command("anything", { any: "payload" })).toEqualTypeOf<Promise<any>>();
    expectTypeOf(untyped.command("anything")).toEqualTypeOf<Promise<any>>();
    expectTypeOf(untyped.command("anything", 1, 1_000)).toEqualTypeOf<Promise<any>>();
  });

  it("accepts interfaces as command maps", () => {
    interface InterfaceCommands {
      get: { payload: { id: string }; result: { name: string } };
    }
    const client = null as unknown as MeshClient<InterfaceCommands>;
    expectTypeOf(client.command("get", { id: "1" })).toEqualTypeOf<Promise<{ name: string }>>();
  });
});

describe("typed events", () => {
  it("types lifecycle handlers", () => {
    typed.on("status", (status) => expectTypeOf(status).toEqualTypeOf<ClientStatus>());
    typed.on("latency", (ms) => expectTypeOf(ms).toEqualTypeOf<number>());
    typed.on("disconnect", (info) => expectTypeOf(info).toEqualTypeOf<DisconnectInfo>());
    typed.on("error", (error) => expectTypeOf(error).toEqualTypeOf<MeshError>());
    typed.on("reconnect", (info) => expectTypeOf(info.connectionId).toEqualTypeOf<string>());
    untyped.on("status", (status) => expectTypeOf(status).toEqualTypeOf<ClientStatus>());
    // @ts-expect-error status handlers get a ClientStatus, not a number
    typed.on("status", (status: number) => status);
  });

  it("types push payloads from the event map, unknown by default", () => {
    typed.on("chat", (message) => expectTypeOf(message).toEqualTypeOf<{ from: string; text: string }>());
    typed.once("count", (count) => expectTypeOf(count).toEqualTypeOf<number>());
    untyped.on("some-event", (payload) => expectTypeOf(payload).toEqualTypeOf<unknown>());
    // @ts-expect-error not an event of MyEvents
    typed.on("unknown-event", () => {});
    expectTypeOf(typed.on("chat", () => {})).toEqualTypeOf<() => void>();
  });

  it("covers exactly the protocol's lifecycle events", () => {
    expectTypeOf<keyof ClientLifecycleHandlers>().toEqualTypeOf<ClientLifecycleEvent>();
  });
});

describe("WebSocket implementations", () => {
  it("accepts ws and the browser's WebSocket", () => {
    expectTypeOf(WebSocket).toExtend<WebSocketConstructor>();
    expectTypeOf(globalThis.WebSocket).toExtend<WebSocketConstructor>();
  });
});
