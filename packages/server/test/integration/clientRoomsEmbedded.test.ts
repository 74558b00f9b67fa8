// Client-side rooms on the embedded in-memory state: two servers of one process sharing it behave as two
// instances on Redis do (a join on one, a room broadcast from the other).
import { MeshClient } from "@meshwork/client";
import { describe, expect, it, vi } from "vitest";
import { trackClient } from "../support/clients";
import { startServer, uniquePrefix } from "../support/servers";

describe("client rooms on the embedded state", () => {
  it("a client joining on one server gets room broadcasts from another server sharing the state", async () => {
    const keyPrefix = uniquePrefix();
    const A = await startServer({ keyPrefix });
    const B = await startServer({ keyPrefix });
    for (const { server } of [A, B]) server.exposeRoom("lobby");
    const first = trackClient(new MeshClient(A.url));
    const second = trackClient(new MeshClient(B.url));
    await Promise.all([first.connect(), second.connect()]);
    await A.server.connectionManager.setMetadata(first.connectionId as string, { name: "first" });
    const received: unknown[] = [];
    second.on("chat", (payload) => received.push(payload));

    await first.joinRoom("lobby");
    const { success, present } = await second.joinRoom("lobby");
    expect(success).toBe(true);
    expect(new Set(present.map((member) => member.connectionId))).toEqual(
      new Set([first.connectionId, second.connectionId]),
    );
    expect(present.find((member) => member.connectionId === first.connectionId)?.metadata).toBeNull();
    await A.server.broadcastRoom("lobby", "chat", "hi");
    await vi.waitFor(() => expect(received).toEqual(["hi"]), { timeout: 3_000 });
    expect(await second.getRoomMetadata("lobby")).toBeNull();
  });
});
