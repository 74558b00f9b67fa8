import { describe, expect, it, vi } from "vitest";
import { type ClientStatus, Status } from "../src/index";
import { createClient, startServer } from "./support/clientHarness";

describe("Status, the original Mesh's names for the status strings", () => {
  it("holds exactly the strings client.status takes, and cannot be changed", () => {
    expect({ ...Status }).toEqual({
      CONNECTING: "connecting",
      ONLINE: "online",
      RECONNECTING: "reconnecting",
      OFFLINE: "offline",
    });
    expect(Object.isFrozen(Status)).toBe(true);
    expect(() => {
      (Status as { ONLINE: string }).ONLINE = "up";
    }).toThrow(TypeError);
    expect(Status.ONLINE).toBe("online");
  });

  it("compares equal to client.status through connecting, online, reconnecting and offline", async () => {
    const server = await startServer();
    const client = createClient(server.url, { reconnectInterval: 10 });
    const seen: ClientStatus[] = [];
    client.on("status", (status) => seen.push(status));
    expect(client.status === Status.OFFLINE).toBe(true);

    const connecting = client.connect();
    expect(client.status === Status.CONNECTING).toBe(true);
    await connecting;
    expect(client.status === Status.ONLINE).toBe(true);

    await server.stop();
    await vi.waitFor(() => expect(client.status === Status.RECONNECTING).toBe(true));
    await server.restart();
    await vi.waitFor(() => expect(client.status === Status.ONLINE).toBe(true));

    await client.close();
    expect(client.status === Status.OFFLINE).toBe(true);
    expect(seen).toEqual([Status.CONNECTING, Status.ONLINE, Status.RECONNECTING, Status.ONLINE, Status.OFFLINE]);
  });
});
