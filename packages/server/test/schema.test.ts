import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

describe("payload schemas", () => {
  it("validates and types the payload; an invalid one gets INVALID_PAYLOAD with the issues", async () => {
    const { server, url } = await startServer();
    const ranWith: unknown[] = [];
    server.registerCommand(
      "update-profile",
      (ctx) => {
        expectTypeOf(ctx.payload).toEqualTypeOf<{ name: string; age: number }>();
        ranWith.push(ctx.payload);
        return `${ctx.payload.name} is ${ctx.payload.age}`;
      },
      { schema: z.object({ name: z.string().min(1), age: z.number().int() }) },
    );
    const client = await RawClient.connect(url);

    expect((await client.request("update-profile", { name: "Ada", age: 36 })).result).toBe("Ada is 36");

    const invalid = await client.request("update-profile", { name: "", age: "old" });
    expect(invalid.type).toBe("error");
    const error = invalid.error as { code: string; message: string; details: Array<{ path: unknown[]; code: string }> };
    expect(error.code).toBe("INVALID_PAYLOAD");
    expect(error.message).toMatch(/^Invalid payload: name: .+; age: .+/);
    expect(error.details.map((issue) => issue.path)).toEqual([["name"], ["age"]]);
    expect(error.details[1]?.code).toBe("invalid_type");
    expect(ranWith).toEqual([{ name: "Ada", age: 36 }]);
  });

  it("runs global middleware before validation and the command's middleware after it, on the parsed value", async () => {
    const { server, url } = await startServer();
    const order: string[] = [];
    server.addMiddleware(() => {
      order.push("global");
    });
    server.registerCommand("double", (ctx) => ctx.payload * 2, {
      schema: z.string().transform((text) => Number(text)),
      middlewares: [
        (ctx) => {
          expectTypeOf(ctx.payload).toEqualTypeOf<number>();
          order.push(`own sees ${typeof ctx.payload}`);
        },
      ],
    });
    const client = await RawClient.connect(url);

    expect((await client.request("double", "21")).result).toBe(42);
    expect(order).toEqual(["global", "own sees number"]);
    order.length = 0;
    expect((await client.request("double", 21)).error).toMatchObject({ code: "INVALID_PAYLOAD" });
    expect(order).toEqual(["global"]);
  });

  it("supports schemas with async refinements", async () => {
    const { server, url } = await startServer();
    const taken = new Set(["ada"]);
    server.registerCommand("claim", (ctx) => `claimed ${ctx.payload}`, {
      schema: z.string().refine(async (name) => !taken.has(name), "name is taken"),
    });
    const client = await RawClient.connect(url);

    expect((await client.request("claim", "bob")).result).toBe("claimed bob");
    expect((await client.request("claim", "ada")).error).toMatchObject({
      code: "INVALID_PAYLOAD",
      message: "Invalid payload: payload: name is taken",
    });
  });
});
