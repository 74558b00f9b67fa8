import { describe, expect, it, vi } from "vitest";
import { type Connection, type DisconnectInfo, MemoryState } from "../src/index";
import { RawClient, expectUpgradeRefused } from "./support/rawClient";
import { TcpWebSocket } from "./support/rawTcp";
import { startServer, uniquePrefix } from "./support/servers";

/** A MemoryState whose connections.register waits until the test opens the gate. */
class GatedState extends MemoryState {
  private openGate: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.openGate = resolve;
  });
  registering = 0;

  constructor(keyPrefix?: string) {
    super(keyPrefix);
    const register = this.connections.register.bind(this.connections);
    this.connections.register = async (connectionId, instanceId) => {
      this.registering++;
      await this.gate;
      return register(connectionId, instanceId);
    };
  }

  open(): void {
    this.openGate();
  }
}

describe("connection lifecycle", () => {
  it("holds back frames that arrive with the upgrade request until the connection is registered and greeted", async () => {
    const state = new GatedState(uniquePrefix());
    const { server } = await startServer({ state });
    const seenRegistered: Array<string | null> = [];
    server.registerCommand("where-am-i", async (ctx) => {
      seenRegistered.push(await state.connections.instanceOf(ctx.connection.id));
      return ctx.connection.id;
    });
    // The two requests travel in the same TCP write as the handshake: the server has them before it accepts.
    const requests = [1, 2].map((id) => JSON.stringify({ type: "request", id, command: "where-am-i" }));
    const client = await TcpWebSocket.open(server.port as number, requests);
    await vi.waitFor(() => expect(state.registering).toBe(1));
    expect(seenRegistered).toEqual([]);

    state.open();
    const [hello, first, second] = (await client.waitForMessages(3)).map((text) => JSON.parse(text));
    expect(hello.type).toBe("hello");
    expect(first).toEqual({ type: "response", id: 1, result: hello.connectionId });
    expect(second).toEqual({ type: "response", id: 2, result: hello.connectionId });
    expect(seenRegistered).toEqual([server.instanceId, server.instanceId]);
    client.destroy();
  });

  it("emits connected once registered and disconnected once after the client leaves, pruning state", async () => {
    const state = new MemoryState();
    const { server, url } = await startServer({ state });
    const events: string[] = [];
    let disconnectInfo: DisconnectInfo | undefined;
    server.on("connected", (connection) => {
      events.push(`connected ${connection.id}`);
    });
    server.on("disconnected", (connection, info) => {
      events.push(`disconnected ${connection.id}`);
      disconnectInfo = info;
    });
    const client = await RawClient.connect(url);
    const id = client.hello.connectionId;
    expect(events).toEqual([`connected ${id}`]);
    expect(await state.connections.instanceOf(id)).toBe(server.instanceId);
    expect(server.connectionManager.getLocalConnection(id)?.isOpen).toBe(true);

    client.socket.close(4321, "bye");
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events[1]).toBe(`disconnected ${id}`);
    expect(disconnectInfo).toEqual({ code: 4321, reason: "bye" });
    expect(await state.connections.instanceOf(id)).toBeNull();
    expect(server.connectionManager.getLocalConnection(id)).toBeUndefined();
    expect(server.connectionManager.getLocalConnections()).toEqual([]);
  });

  it("close() closes every socket with 1001, unregisters them, refuses new upgrades and is idempotent", async () => {
    const state = new MemoryState();
    const { server, url } = await startServer({ state });
    const disconnected: Array<[Connection, DisconnectInfo]> = [];
    server.on("disconnected", (connection, info) => {
      disconnected.push([connection, info]);
    });
    const clients = await Promise.all([RawClient.connect(url), RawClient.connect(url), RawClient.connect(url)]);
    expect(await state.connections.connectionsOf(server.instanceId)).toHaveLength(3);

    const first = server.close();
    expect(server.close()).toBe(first);
    await first;

    for (const client of clients) expect(await client.closed).toEqual({ code: 1001, reason: "server going away" });
    expect(await state.connections.connectionsOf(server.instanceId)).toEqual([]);
    expect(disconnected.map(([, info]) => info.code)).toEqual([1001, 1001, 1001]);
    expect(server.connectionManager.getLocalConnections()).toEqual([]);
    await expect(RawClient.connect(url)).rejects.toThrow();
    await server.close();
  });

  it("close() cuts off a peer that never acknowledges within closeTimeout", async () => {
    const { server, url } = await startServer({ closeTimeout: 100 });
    const client = await RawClient.connect(url);
    // A peer that stops reading never sees the close frame, so it never answers it.
    client.socket.pause();

    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.connectionManager.getLocalConnections()).toEqual([]);
    client.socket.terminate();
  });

  it("lets the application close a connection with its own code", async () => {
    const { server, url } = await startServer();
    server.registerCommand("kick", (ctx) => {
      ctx.connection.close(4100, "kicked");
      return "bye";
    });
    const client = await RawClient.connect(url);
    client.send({ type: "request", id: 9, command: "kick" });

    expect(await client.closed).toEqual({ code: 4100, reason: "kicked" });
    // The connection was closing by the time the handler returned: no answer is sent on it.
    expect(client.framesOf("response")).toEqual([]);
  });

  it("close() refuses upgrades still authenticating with 503 instead of waiting for them", async () => {
    let authenticating: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      authenticating = resolve;
    });
    const { server, url } = await startServer({
      authenticateConnection: () => {
        authenticating();
        // A hook that never settles: close() must not wait for it.
        return new Promise(() => {});
      },
    });
    const refused = expectUpgradeRefused(url);
    await started;

    await server.close();
    expect(await refused).toBe(503);
  });
});
