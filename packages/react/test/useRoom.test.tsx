import type { MeshClient } from "@meshwork/client";
import { render, screen, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";
import { MeshProvider, useRoom } from "../src/index";
import { connectedClient, logCommands, startServer } from "./support/meshHarness";

function Room({ client, room }: { client: MeshClient; room: string }) {
  return (
    <StrictMode>
      <MeshProvider client={client}>
        <Membership room={room} />
      </MeshProvider>
    </StrictMode>
  );
}

function Membership({ room }: { room: string }) {
  const { joined, members, error } = useRoom(room);
  const text = error ? `error:${error.code}` : joined ? `joined ${room} with ${members.length}` : "not joined";
  return <p data-testid="room">{text}</p>;
}

describe("useRoom", () => {
  it("joins on mount under StrictMode, moves when the room changes and leaves on unmount", async () => {
    const server = await startServer();
    server.exposeRoom(/^room-/);
    const commands = logCommands(server);
    const client = await connectedClient(server);
    const me = client.connectionId as string;

    const view = render(<Room client={client} room="room-a" />);
    await waitFor(() => expect(screen.getByTestId("room").textContent).toBe("joined room-a with 1"));
    expect(await server.getRoomMembers("room-a")).toEqual([me]);
    // StrictMode's mount, unmount, mount (React 18 sends join, leave, join): joins and leaves alternate, the last
    // one a join, so no leave overtook it.
    const roomA = commands.filter((line) => line.endsWith('{"roomName":"room-a"}')).map((line) => line.split(" ")[0]);
    const alternating = roomA.map((_, index) => (index % 2 === 0 ? "mesh/join-room" : "mesh/leave-room"));
    expect(roomA).toEqual(alternating);
    expect(roomA.at(-1)).toBe("mesh/join-room");

    view.rerender(<Room client={client} room="room-b" />);
    await waitFor(() => expect(screen.getByTestId("room").textContent).toBe("joined room-b with 1"));
    expect(await server.getRoomMembers("room-b")).toEqual([me]);
    await waitFor(async () => expect(await server.getRoomMembers("room-a")).toEqual([]));

    view.unmount();
    await waitFor(async () => expect(await server.getRoomMembers("room-b")).toEqual([]));
  });

  it("shows the other members at the join, and a refusal as an error", async () => {
    const server = await startServer();
    server.exposeRoom("open");
    const other = await connectedClient(server);
    await other.joinRoom("open");
    const client = await connectedClient(server);

    const view = render(<Room client={client} room="open" />);
    await waitFor(() => expect(screen.getByTestId("room").textContent).toBe("joined open with 2"));

    view.rerender(<Room client={client} room="closed" />);
    await waitFor(() => expect(screen.getByTestId("room").textContent).toBe("error:FORBIDDEN"));
    expect(await server.getRoomMembers("closed")).toEqual([]);
  });

  it("joins through a provider that owns its client, once the provider connected it", async () => {
    const server = await startServer();
    server.exposeRoom("lobby");
    const view = render(
      <StrictMode>
        <MeshProvider url={`ws://127.0.0.1:${server.port}`} options={{ WebSocket: (await import("ws")).default }}>
          <Membership room="lobby" />
        </MeshProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId("room").textContent).toBe("joined lobby with 1"));
    expect((await server.getRoomMembers("lobby")).length).toBe(1);
    view.unmount();
    await waitFor(async () => expect(await server.getRoomMembers("lobby")).toEqual([]));
  });
});
