import { describe, expect, it, vi } from "vitest";
import { MeshError } from "../src/node";
import { createClient, rejection, startServer } from "./support/clientHarness";

describe("MeshClient commands", () => {
  it("offers the meshwork subprotocol and resolves a command with the response's result", async () => {
    const server = await startServer();
    server.handle("greet", (payload) => `echo: ${String(payload)}`);
    const client = createClient(server.url);
    await client.connect();

    await expect(client.command("greet", "Hello!")).resolves.toBe("echo: Hello!");
    expect(server.latest.offeredProtocol).toBe("meshwork.v1");
    expect(client.connectionId).toBe(server.latest.id);
  });

  it("sends increasing integer ids and omits an absent payload", async () => {
    const server = await startServer();
    server.handle("noop", () => "ok");
    const client = createClient(server.url);
    await client.connect();

    await client.command("noop");
    await client.command("echo", { a: 1 });
    const requests = server.latest.received.filter((message) => message.type === "request");
    expect(requests).toEqual([
      { type: "request", id: 1, command: "noop" },
      { type: "request", id: 2, command: "echo", payload: { a: 1 } },
    ]);
  });

  it("rejects with a MeshError carrying the server's code, message and details", async () => {
    const server = await startServer();
    server.handle("fail", () => {
      throw Object.assign(new Error("no such user"), { code: "NOT_FOUND", details: { id: 7 } });
    });
    const client = createClient(server.url);
    await client.connect();

    const error = await rejection(client.command("fail", null));
    expect(error).toBeInstanceOf(MeshError);
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("no such user");
    expect(error.details).toEqual({ id: 7 });
    expect((await rejection(client.command("missing"))).code).toBe("UNKNOWN_COMMAND");
    expect(client.status).toBe("online");
  });

  it("rejects with TIMEOUT and ignores the late response", async () => {
    const server = await startServer();
    let answer: (value: string) => void = () => {};
    server.handle("slow", () => new Promise<string>((resolve) => (answer = resolve)));
    const client = createClient(server.url);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    await client.connect();

    const error = await rejection(client.command("slow", null, { timeout: 50 }));
    expect(error.code).toBe("TIMEOUT");
    answer("too late");
    await expect(client.command("echo", "after")).resolves.toBe("after");
    expect(errors).toEqual([]);
  });

  it("takes a bare number as the timeout, like the original Mesh", async () => {
    const server = await startServer();
    server.handle("hang", () => new Promise(() => {}));
    const client = createClient(server.url, { defaultTimeout: 10_000 });
    await client.connect();

    const started = Date.now();
    expect((await rejection(client.command("hang", null, 40))).code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("uses defaultTimeout when the call gives none", async () => {
    const server = await startServer();
    server.handle("hang", () => new Promise(() => {}));
    const client = createClient(server.url, { defaultTimeout: 40 });
    await client.connect();

    expect((await rejection(client.command("hang"))).code).toBe("TIMEOUT");
  });

  it("rejects an unencodable payload with INVALID_PAYLOAD without sending it", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();

    expect((await rejection(client.command("echo", { big: 1n }))).code).toBe("INVALID_PAYLOAD");
    expect(server.latest.requestedCommands()).toEqual([]);
  });

  it("rejects a request larger than the server's maxPayload with PAYLOAD_TOO_LARGE", async () => {
    const server = await startServer({ maxPayload: 200 });
    const client = createClient(server.url);
    await client.connect();

    expect((await rejection(client.command("echo", "x".repeat(300)))).code).toBe("PAYLOAD_TOO_LARGE");
    await expect(client.command("echo", "small")).resolves.toBe("small");
  });

  it("rejects an invalid timeout with a RangeError", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();

    await expect(client.command("echo", "x", -1)).rejects.toThrow(RangeError);
    await expect(client.command("echo", "x", { timeout: Number.NaN })).rejects.toThrow(RangeError);
  });

  it("rejects at once with NOT_CONNECTED while offline", async () => {
    const server = await startServer();
    const client = createClient(server.url);

    expect((await rejection(client.command("echo", "x"))).code).toBe("NOT_CONNECTED");
    expect(server.connections).toHaveLength(0);
  });
});

describe("MeshClient pushes and listeners", () => {
  it("delivers pushes to on() handlers until they unsubscribe", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();
    const received: unknown[] = [];
    const off = client.on("chat", (payload) => received.push(payload));
    const other: unknown[] = [];
    client.on("other", (payload) => other.push(payload));

    server.latest.push("chat", { text: "hi" });
    server.latest.push("other", 1);
    await vi.waitFor(() => expect(other).toEqual([1]));
    expect(received).toEqual([{ text: "hi" }]);

    off();
    server.latest.push("chat", { text: "ignored" });
    server.latest.push("other", 2);
    await vi.waitFor(() => expect(other).toEqual([1, 2]));
    expect(received).toEqual([{ text: "hi" }]);
  });

  it("calls once() handlers a single time", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    await client.connect();
    const received: unknown[] = [];
    client.once("tick", (payload) => received.push(payload));
    const all: unknown[] = [];
    client.on("tick", (payload) => all.push(payload));

    server.latest.push("tick", 1);
    server.latest.push("tick", 2);
    await vi.waitFor(() => expect(all).toEqual([1, 2]));
    expect(received).toEqual([1]);
  });

  it("reports an unreadable frame as a BAD_MESSAGE error and keeps working", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    await client.connect();

    server.latest.send("this is not json");
    server.latest.send(JSON.stringify({ type: "response" }));
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(["BAD_MESSAGE", "BAD_MESSAGE"]));
    await expect(client.command("echo", "still fine")).resolves.toBe("still fine");
    expect(client.status).toBe("online");
  });

  it("reports the server's id-less BAD_MESSAGE through 'error', leaving requests and the connection alone", async () => {
    const server = await startServer();
    let answer: (value: string) => void = () => {};
    server.handle("slow", () => new Promise<string>((resolve) => (answer = resolve)));
    const client = createClient(server.url);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    const dropped: string[] = [];
    client.on("disconnect", () => dropped.push("disconnect"));
    await client.connect();
    const connectionId = client.connectionId;
    let outcome = "pending";
    const pending = client.command("slow", null).then(
      (result) => (outcome = `resolved: ${String(result)}`),
      (error: MeshError) => (outcome = `rejected: ${error.code}`),
    );
    await vi.waitFor(() => expect(server.latest.payloadsOf("slow")).toHaveLength(1));

    server.latest.send(
      JSON.stringify({ type: "error", error: { code: "BAD_MESSAGE", message: "Frame is not valid JSON" } }),
    );
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(MeshError);
    expect(errors[0]).toMatchObject({ code: "BAD_MESSAGE", message: "Frame is not valid JSON" });
    expect(outcome).toBe("pending");
    expect(client.status).toBe("online");
    expect(client.connectionId).toBe(connectionId);

    answer("answered after all");
    await pending;
    expect(outcome).toBe("resolved: answered after all");
    await expect(client.command("echo", "still fine")).resolves.toBe("still fine");
    expect(dropped).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it("survives a throwing listener and reports it through 'error'", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const errors: MeshError[] = [];
    client.on("error", (error) => errors.push(error));
    client.on("boom", () => {
      throw new Error("listener bug");
    });
    const later: unknown[] = [];
    client.on("boom", (payload) => later.push(payload));
    await client.connect();

    server.latest.push("boom", 1);
    await vi.waitFor(() => expect(later).toEqual([1]));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain("listener bug");
    await expect(client.command("echo", "ok")).resolves.toBe("ok");
  });

  it("logs a throwing listener with console.error when nobody listens to 'error'", async () => {
    const server = await startServer();
    const client = createClient(server.url);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      client.on("connect", () => {
        throw new Error("connect listener bug");
      });
      await client.connect();
      expect(logged).toHaveBeenCalledTimes(1);
      expect(String(logged.mock.calls[0]?.[1])).toContain("connect listener bug");
      expect(client.status).toBe("online");
    } finally {
      logged.mockRestore();
    }
  });
});
