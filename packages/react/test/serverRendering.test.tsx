// @vitest-environment node
import { MeshClient } from "@meshwork/client";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MeshProvider, useConnectionStatus, usePresence, useRoom } from "../src/index";
import { countCommands, startServer } from "./support/meshHarness";

function Lobby() {
  const status = useConnectionStatus();
  const { joined } = useRoom("lobby");
  const { members, status: presence } = usePresence("lobby");
  return <p>{`${status} ${joined ? "joined" : "not joined"} ${presence} ${members.length}`}</p>;
}

describe("server rendering", () => {
  it("renders rooms and presence from an unconnected client without touching the network", async () => {
    const server = await startServer();
    server.exposeRoom("lobby");
    server.trackPresence("lobby");
    const commands = countCommands(server);
    let connections = 0;
    server.on("connected", () => connections++);
    const client = new MeshClient(`ws://127.0.0.1:${server.port}`, { WebSocket });

    const html = renderToString(
      <MeshProvider client={client}>
        <Lobby />
      </MeshProvider>,
    );

    expect(html).toBe("<p>offline not joined idle 0</p>");
    expect(client.status).toBe("offline");
    expect(connections).toBe(0);
    expect(server.connectionManager.getLocalConnections()).toEqual([]);
    expect(commands.size).toBe(0);
  });

  it("renders with a provider that owns its client, which connects only in the browser", () => {
    const html = renderToString(
      <MeshProvider url="ws://127.0.0.1:1" options={{ WebSocket }}>
        <Lobby />
      </MeshProvider>,
    );
    expect(html).toBe("<p>offline not joined idle 0</p>");
  });
});
