import { describe, expect, it } from "vitest";
import { MeshError } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("commands", () => {
  it("answers a request with the handler's result", async () => {
    const { server, url } = await startServer();
    server.registerCommand("echo", async (ctx) => `echo: ${ctx.payload}`);
    server.registerCommand("sum", (ctx) => (ctx.payload as number[]).reduce((a, b) => a + b, 0));
    const client = await RawClient.connect(url);

    expect(await client.request("echo", "Hello!")).toEqual({
      type: "response",
      id: expect.any(Number),
      result: "echo: Hello!",
    });
    expect(await client.request("sum", [1, 2, 3])).toMatchObject({ type: "response", result: 6 });
  });

  it("answers without a result when the handler returns undefined", async () => {
    const { server, url } = await startServer();
    server.registerCommand("noop", () => undefined);
    const client = await RawClient.connect(url);

    const answer = await client.request("noop");
    expect(answer.type).toBe("response");
    expect("result" in answer).toBe(false);
  });

  it("gives the handler the context: command, payload, connection and server", async () => {
    const { server, url } = await startServer();
    let seen: { command: string; payload: unknown; connectionId: string; sameServer: boolean } | undefined;
    server.registerCommand("inspect", (ctx) => {
      seen = {
        command: ctx.command,
        payload: ctx.payload,
        connectionId: ctx.connection.id,
        sameServer: ctx.server === server,
      };
      return true;
    });
    const client = await RawClient.connect(url);

    await client.request("inspect", { a: 1 });
    expect(seen).toEqual({
      command: "inspect",
      payload: { a: 1 },
      connectionId: client.hello.connectionId,
      sameServer: true,
    });
  });

  it("turns a thrown error into an error answer with its code, or COMMAND_FAILED, and no stack", async () => {
    const { server, url } = await startServer();
    server.registerCommand("plain", () => {
      throw new Error("it broke");
    });
    server.registerCommand("coded", async () => {
      throw Object.assign(new Error("no such user"), { code: "USER_NOT_FOUND" });
    });
    server.registerCommand("mesh-error", () => {
      throw new MeshError("FORBIDDEN", "not yours", { details: { owner: "bob" } });
    });
    server.registerCommand("string", () => {
      throw "just a string";
    });
    const client = await RawClient.connect(url);

    const plain = await client.request("plain");
    expect(plain).toEqual({ type: "error", id: plain.id, error: { code: "COMMAND_FAILED", message: "it broke" } });
    expect((await client.request("coded")).error).toEqual({ code: "USER_NOT_FOUND", message: "no such user" });
    expect((await client.request("mesh-error")).error).toEqual({
      code: "FORBIDDEN",
      message: "not yours",
      details: { owner: "bob" },
    });
    expect((await client.request("string")).error).toEqual({ code: "COMMAND_FAILED", message: "just a string" });
    for (const frame of client.framesOf("error")) expect(JSON.stringify(frame)).not.toContain("at ");

    // The connection survives its failed commands.
    server.registerCommand("ok", () => "still here");
    expect((await client.request("ok")).result).toBe("still here");
  });

  it("answers a result JSON cannot encode with INTERNAL_ERROR", async () => {
    const { server, url } = await startServer();
    server.registerCommand("bigint", () => 10n);
    const client = await RawClient.connect(url);

    expect((await client.request("bigint")).error).toMatchObject({ code: "INTERNAL_ERROR" });
  });

  it("answers UNKNOWN_COMMAND for unregistered and reserved names", async () => {
    const { url } = await startServer();
    const client = await RawClient.connect(url);

    expect((await client.request("nope")).error).toEqual({
      code: "UNKNOWN_COMMAND",
      message: 'Unknown command "nope"',
    });
    const reserved = await client.request("mesh/secret");
    expect(reserved.error).toMatchObject({ code: "UNKNOWN_COMMAND", message: expect.stringContaining("reserved") });
  });

  it("refuses reserved and duplicate names at registration", async () => {
    const { server } = await startServer();
    server.registerCommand("taken", () => 1);

    expect(() => server.registerCommand("mesh/join-room", () => 1)).toThrow(/reserved/);
    expect(() => server.registerCommand("taken", () => 2)).toThrow(/already registered/);
    expect(() => server.registerCommand("", () => 2)).toThrow(TypeError);
  });

  it("accepts exposeCommand as an alias", async () => {
    const { server, url } = await startServer();
    server.exposeCommand("alias", (ctx) => ({ got: ctx.payload }));
    const client = await RawClient.connect(url);

    expect((await client.request("alias", 7)).result).toEqual({ got: 7 });
  });
});
