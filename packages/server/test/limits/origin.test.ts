import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { RawClient, expectUpgradeRefused } from "../support/rawClient";
import { startServer } from "../support/servers";

const APP = "https://app.example";

describe("allowedOrigins", () => {
  it("refuses other browser origins with 403 before authentication, and lets listed ones in", async () => {
    let authentications = 0;
    const { url } = await startServer({
      allowedOrigins: [APP, "http://localhost:5173"],
      authenticateConnection: () => {
        authentications++;
        return { user: "u" };
      },
    });

    expect(await expectUpgradeRefused(url, { headers: { Origin: "https://evil.example" } })).toBe(403);
    expect(await expectUpgradeRefused(url, { headers: { Origin: "null" } })).toBe(403);
    expect(authentications).toBe(0);

    const listed = await RawClient.connect(url, { headers: { Origin: APP } });
    expect(listed.hello.connectionId).toBeTruthy();
    // Non-browser clients send no Origin: let in by default.
    const headless = await RawClient.connect(url);
    expect(headless.hello.connectionId).toBeTruthy();
    expect(authentications).toBe(2);
  });

  it("refuses upgrades without an Origin when allowMissingOrigin is false", async () => {
    const { url } = await startServer({ allowedOrigins: [APP], allowMissingOrigin: false });
    expect(await expectUpgradeRefused(url)).toBe(403);
    expect((await RawClient.connect(url, { headers: { Origin: APP } })).hello.connectionId).toBeTruthy();
  });

  it("asks a function with the origin and the request; a throwing function refuses", async () => {
    const seen: Array<[string, string | undefined]> = [];
    const { url, server } = await startServer({
      allowedOrigins: (origin: string, request: IncomingMessage) => {
        seen.push([origin, request.headers["x-tenant"] as string | undefined]);
        if (origin === "https://broken.example") throw new Error("lookup failed");
        return origin.endsWith(".app.example");
      },
    });
    const errors: unknown[] = [];
    server.on("error", (error) => errors.push(error));

    const tenant = await RawClient.connect(url, { headers: { Origin: "https://a.app.example", "X-Tenant": "a" } });
    expect(tenant.hello.connectionId).toBeTruthy();
    expect(await expectUpgradeRefused(url, { headers: { Origin: "https://app.example.evil" } })).toBe(403);
    expect(await expectUpgradeRefused(url, { headers: { Origin: "https://broken.example" } })).toBe(403);
    expect(seen[0]).toEqual(["https://a.app.example", "a"]);
    expect(errors).toHaveLength(1);
  });
});
