import { describe, expect, it, vi } from "vitest";
import type { Connection } from "../src/index";
import { RawClient } from "./support/rawClient";
import { startServer } from "./support/servers";

// Names the original Mesh had, kept so ported server code runs unchanged.
describe("the original Mesh's server names", () => {
  it("onConnection / onDisconnection listen to connected / disconnected and return the unsubscribe function", async () => {
    const { server, url } = await startServer();
    const connected: Connection[] = [];
    const disconnected: Array<[Connection, { code: number }]> = [];
    const offConnection = server.onConnection((connection) => {
      connected.push(connection);
    });
    const offDisconnection = server.onDisconnection((connection, info) => {
      disconnected.push([connection, info]);
    });
    const control = vi.fn();
    server.on("disconnected", control);

    const client = await RawClient.connect(url);
    await vi.waitFor(() => expect(connected).toHaveLength(1));
    expect(connected[0]?.id).toBe(client.hello.connectionId);

    await client.close();
    await vi.waitFor(() => expect(disconnected).toHaveLength(1));
    expect(disconnected[0]?.[0]).toBe(connected[0]);
    expect(disconnected[0]?.[1].code).toBe(1005);

    offConnection();
    offDisconnection();
    const second = await RawClient.connect(url);
    await second.close();
    await vi.waitFor(() => expect(control).toHaveBeenCalledTimes(2));
    expect(connected).toHaveLength(1);
    expect(disconnected).toHaveLength(1);
  });

  it("a listener added with onConnection is the same registration off() removes", async () => {
    const { server, url } = await startServer();
    const listener = vi.fn();
    const control = vi.fn();
    server.onConnection(listener);
    server.off("connected", listener);
    server.on("connected", control);

    await RawClient.connect(url);
    await vi.waitFor(() => expect(control).toHaveBeenCalledTimes(1));
    expect(listener).not.toHaveBeenCalled();
  });

  it("connection.isDead is false while the connection is open and true once the client closed it", async () => {
    const { server, url } = await startServer();
    const connections: Connection[] = [];
    server.onConnection((connection) => {
      connections.push(connection);
    });
    const gone = vi.fn();
    server.onDisconnection(gone);

    const client = await RawClient.connect(url);
    await vi.waitFor(() => expect(connections).toHaveLength(1));
    const [connection] = connections as [Connection];
    expect(connection.isOpen).toBe(true);
    expect(connection.isDead).toBe(false);

    await client.close();
    await vi.waitFor(() => expect(gone).toHaveBeenCalledTimes(1));
    expect(connection.isOpen).toBe(false);
    expect(connection.isDead).toBe(true);
  });

  it("connection.isDead turns true as soon as the server closes the connection", async () => {
    const { server, url } = await startServer();
    const connections: Connection[] = [];
    server.onConnection((connection) => {
      connections.push(connection);
    });

    const client = await RawClient.connect(url);
    await vi.waitFor(() => expect(connections).toHaveLength(1));
    const [connection] = connections as [Connection];
    expect(connection.isDead).toBe(false);

    connection.close(4100, "bye");
    expect(connection.isDead).toBe(true);
    expect(connection.send("after-close", 1)).toBe(false);
    expect(await client.closed).toEqual({ code: 4100, reason: "bye" });
  });
});
