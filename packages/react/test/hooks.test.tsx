import { randomUUID } from "node:crypto";
import { MeshClient } from "@meshwork/client";
import { MeshServer } from "@meshwork/server";
import { StrictMode, act } from "react";
import { type Root, createRoot } from "react-dom/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { MeshProvider, useConnectionStatus, useLatency, useMesh } from "../src/index";

// React's act() needs to know it runs in a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(options: { latencyInterval?: number } = {}): Promise<MeshServer> {
  const server = new MeshServer({
    port: 0,
    host: "127.0.0.1",
    keyPrefix: `test:${randomUUID()}:`,
    logger: silent,
    ...options,
  });
  await server.ready();
  cleanups.push(() => server.close());
  return server;
}

function mount(element: React.ReactNode): { container: HTMLElement; root: Root } {
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(element));
  cleanups.push(() => {
    act(() => root.unmount());
    container.remove();
  });
  return { container, root };
}

function Status() {
  const status = useConnectionStatus();
  const latency = useLatency();
  return <p>{`${status}|${latency === undefined ? "-" : "measured"}`}</p>;
}

describe("@meshwork/react", () => {
  it("shows the connection status of a client the app manages, and its latency", async () => {
    const server = await startServer({ latencyInterval: 50 });
    const client = new MeshClient(`ws://127.0.0.1:${server.port}`, { WebSocket });
    cleanups.push(() => client.close());
    const { container } = mount(
      <MeshProvider client={client}>
        <Status />
      </MeshProvider>,
    );
    expect(container.textContent).toBe("offline|-");
    await act(() => client.connect());
    expect(container.textContent).toMatch(/^online\|/);
    await vi.waitFor(() => expect(container.textContent).toBe("online|measured"));
    await act(() => client.close());
    expect(container.textContent).toMatch(/^offline\|/);
  });

  it("owns, connects and closes a client created from a URL, under StrictMode", async () => {
    const server = await startServer();
    const disconnected = vi.fn();
    server.on("disconnected", disconnected);
    const { root } = mount(
      <StrictMode>
        <MeshProvider url={`ws://127.0.0.1:${server.port}`} options={{ WebSocket }}>
          <Status />
        </MeshProvider>
      </StrictMode>,
    );
    await vi.waitFor(() => expect(server.connectionManager.getLocalConnections().length).toBe(1));
    act(() => root.unmount());
    await vi.waitFor(() => expect(server.connectionManager.getLocalConnections().length).toBe(0));
  });

  it("takes a list of URLs for the client it owns", async () => {
    const server = await startServer();
    const url = `ws://127.0.0.1:${server.port}`;
    let urls: readonly string[] = [];
    // biome-ignore lint/correctness/noComponentHookFactories: a throwaway component, rendered once by this test.
    function Urls() {
      urls = useMesh().urls;
      return null;
    }
    const { root } = mount(
      <MeshProvider url={[url, "ws://127.0.0.1:1"]} options={{ WebSocket }}>
        <Urls />
      </MeshProvider>,
    );
    expect(urls).toEqual([url, "ws://127.0.0.1:1"]);
    await vi.waitFor(() => expect(server.connectionManager.getLocalConnections().length).toBe(1));
    act(() => root.unmount());
    await vi.waitFor(() => expect(server.connectionManager.getLocalConnections().length).toBe(0));
  });

  it("explains what is missing when a hook is used outside a provider", () => {
    // biome-ignore lint/correctness/noComponentHookFactories: a throwaway component, rendered once by this test.
    function Orphan() {
      useMesh();
      return null;
    }
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(() => mount(<Orphan />)).toThrow(/MeshProvider/);
    } finally {
      spy.mockRestore();
    }
  });
});
