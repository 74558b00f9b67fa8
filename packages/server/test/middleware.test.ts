import { describe, expect, it } from "vitest";
import type { MeshContext } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("middleware", () => {
  it("runs global middleware in order, then the command's own, then the handler, sharing added fields", async () => {
    const { server, url } = await startServer();
    const order: string[] = [];
    server.addMiddleware(
      (ctx) => {
        order.push("global-1");
        ctx.user = { id: "u1" };
      },
      async (ctx) => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`global-2 sees ${(ctx.user as { id: string }).id}`);
      },
    );
    server.useMiddleware((ctx) => {
      order.push("global-3");
      ctx.trace = ["global-3"];
    });
    const own1 = async (ctx: MeshContext) => {
      order.push("own-1");
      (ctx.trace as string[]).push("own-1");
    };
    const own2 = (ctx: MeshContext) => {
      order.push("own-2");
      (ctx.trace as string[]).push("own-2");
    };
    server.registerCommand(
      "whoami",
      (ctx) => {
        order.push("handler");
        return { user: ctx.user, trace: ctx.trace };
      },
      [own1, own2],
    );
    const client = await RawClient.connect(url);

    const answer = await client.request("whoami");
    expect(answer.result).toEqual({ user: { id: "u1" }, trace: ["global-3", "own-1", "own-2"] });
    expect(order).toEqual(["global-1", "global-2 sees u1", "global-3", "own-1", "own-2", "handler"]);
  });

  it("applies global middleware added after a command was registered", async () => {
    const { server, url } = await startServer();
    server.registerCommand("stamp", (ctx) => ctx.stamp ?? "none");
    const client = await RawClient.connect(url);
    expect((await client.request("stamp")).result).toBe("none");

    server.addMiddleware((ctx) => {
      ctx.stamp = "stamped";
    });
    expect((await client.request("stamp")).result).toBe("stamped");
  });

  it("stops the chain at a middleware that throws and sends its error back", async () => {
    const { server, url } = await startServer();
    const ran: string[] = [];
    server.addMiddleware(async (ctx) => {
      ran.push("auth");
      if (ctx.payload?.token !== "secret") throw Object.assign(new Error("Unauthorized"), { code: "UNAUTHORIZED" });
    });
    server.registerCommand(
      "guarded",
      () => {
        ran.push("handler");
        return "in";
      },
      {
        middlewares: [
          () => {
            ran.push("own");
          },
        ],
      },
    );
    server.registerCommand("sync-throw", () => "unreachable", [
      () => {
        throw new Error("Invalid name");
      },
    ]);
    const client = await RawClient.connect(url);

    expect((await client.request("guarded", { token: "wrong" })).error).toEqual({
      code: "UNAUTHORIZED",
      message: "Unauthorized",
    });
    expect(ran).toEqual(["auth"]);
    expect((await client.request("guarded", { token: "secret" })).result).toBe("in");
    expect(ran).toEqual(["auth", "auth", "own", "handler"]);
    expect((await client.request("sync-throw", { token: "secret" })).error).toEqual({
      code: "COMMAND_FAILED",
      message: "Invalid name",
    });
  });

  it("rejects middleware that is not a function", async () => {
    const { server } = await startServer();
    expect(() => server.addMiddleware("nope" as never)).toThrow(TypeError);
    expect(() => server.registerCommand("x", () => 1, [42 as never])).toThrow(TypeError);
  });
});
