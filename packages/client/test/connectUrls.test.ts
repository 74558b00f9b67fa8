// connect() with a URL list tries each URL once, in order, with no wait between attempts, before it rejects.
import { describe, expect, it } from "vitest";
import { countingWebSocket, createClient, recordEvents, rejection, startServer } from "./support/clientHarness";

/** A URL nothing listens on: a scripted server's port, freed again. */
async function deadUrl(): Promise<string> {
  const server = await startServer();
  await server.stop();
  return server.url;
}

// A backoff wait of this length would show in the elapsed time; failing over must not wait at all.
const SLOW_BACKOFF = { reconnectInterval: 5_000, maxReconnectInterval: 5_000 };

describe("MeshClient connect() with several URLs", () => {
  it("moves past a URL where nothing listens and resolves on the next one", async () => {
    const dead = await deadUrl();
    const live = await startServer();
    const client = createClient([dead, live.url], SLOW_BACKOFF);
    const log = recordEvents(client, ["status", "connect", "close"]);

    await client.connect();
    expect(client.url).toBe(live.url);
    expect(client.status).toBe("online");
    expect(live.connections).toHaveLength(1);
    expect(log).toEqual(["status:connecting", "status:online", "connect"]);
    await expect(client.command("echo", "via the second URL")).resolves.toBe("via the second URL");
  });

  it("rejects after trying every URL once, without backoff waits, naming each", async () => {
    const [first, second] = [await deadUrl(), await deadUrl()];
    const sockets = countingWebSocket();
    const client = createClient([first, second], { ...SLOW_BACKOFF, WebSocket: sockets.WebSocket });
    const log = recordEvents(client, ["status", "close"]);

    const started = performance.now();
    const error = await rejection(client.connect());
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("NOT_CONNECTED");
    expect(error.message).toContain(`any of 2 URLs: ${first}: `);
    expect(error.message).toContain(`; ${second}: `);
    const attempts = (error.details as { attempts: { url: string }[] }).attempts;
    expect(attempts.map((attempt) => attempt.url)).toEqual([first, second]);
    expect(sockets.opened()).toBe(2);
    expect(client.status).toBe("offline");
    expect(log).toEqual(["status:connecting", "status:offline", "close"]);
    // Back at the start of the list: a later connect() tries the URLs in the same order.
    expect(client.url).toBe(first);
  });

  it("starts at the current URL and wraps around the list", async () => {
    const [a, b] = [await startServer(), await startServer()];
    const sockets = countingWebSocket();
    const client = createClient([a.url, b.url], { WebSocket: sockets.WebSocket });
    await client.connect();
    const movedToB = new Promise<void>((resolve) => client.once("reconnect", () => resolve()));
    a.latest.close(1001, "going away");
    await movedToB;
    expect(client.url).toBe(b.url);
    await client.close();
    await b.stop();

    // Offline with B current: the attempt on B fails and the next, on A after wrapping around, connects.
    const opened = sockets.opened();
    await client.connect();
    expect(client.url).toBe(a.url);
    expect(sockets.opened() - opened).toBe(2);
    expect(a.connections).toHaveLength(2);
  });

  it("makes one attempt with a single URL and rejects with the error it always had", async () => {
    const dead = await deadUrl();
    const sockets = countingWebSocket();
    const client = createClient(dead, { ...SLOW_BACKOFF, WebSocket: sockets.WebSocket });

    const error = await rejection(client.connect());
    expect(error.code).toBe("NOT_CONNECTED");
    expect(error.message).toMatch(new RegExp(`^Could not connect to ${dead}: .* \\(code \\d+\\)$`));
    expect(error.details).toEqual({ code: expect.any(Number), reason: expect.any(String) });
    expect(sockets.opened()).toBe(1);
    expect(client.url).toBe(dead);
  });
});
