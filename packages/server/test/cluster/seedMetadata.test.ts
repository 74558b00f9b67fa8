// The seed README's "Metadata" and "Room Metadata" samples, run on TWO instances sharing one Redis, with the
// import paths changed to @meshwork/server and @meshwork/client. The README promises that metadata "lives in
// Redis, [so] it's accessible from any server instance": here it is written on one instance and read on the other.
//
// Changes to the samples, all of them test plumbing around the sample lines, which are kept verbatim:
// - the servers listen on port 0 (a free port) instead of 8080, on a test-private key prefix, with the shared
//   test Redis instead of localhost:6379 defaults (both via the harness);
// - each block of sample lines runs with `server` bound to the instance it is meant to run on
//   (`const server = instanceB.server;` in a block), so the sample text itself needs no renaming;
// - `encode` is the application's own JWT helper in the sample; a trivial stand-in is defined below;
// - the values the samples leave implicit (`connectionId`, `roomName`) are defined before use.
import { MeshClient } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { connectClient, startCluster } from "./support/cluster";

/** Stand-in for the app's JWT encoder the sample calls: any string token will do for the sample's purpose. */
function encode(claims: Record<string, unknown>): string {
  return `jwt.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.unsigned`;
}

describe("seed README samples on two instances", () => {
  it("Metadata: written on instance A by the authenticate command, read on instance B", async () => {
    const { nodes } = await startCluster(2);
    const [instanceA, instanceB] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];

    {
      const server: MeshServer = instanceA.server;
      server.registerCommand("authenticate", async (ctx) => {
        // maybe do some actual authentication here
        const { userId } = ctx.payload;
        const token = encode({
          sub: userId,
          iat: Date.now(),
          exp: Date.now() + 3600,
        });
        await server.connectionManager.setMetadata(ctx.connection, {
          userId,
          token,
        });
        return { success: true };
      });
    }

    // Two clients on instance A authenticate; a third, on B, never does (its metadata stays unset).
    const alice = await connectClient(instanceA.url);
    const bob = await connectClient(instanceA.url);
    const anonymous = await connectClient(instanceB.url);
    expect(alice).toBeInstanceOf(MeshClient);
    expect(await alice.command("authenticate", { userId: "alice" })).toEqual({ success: true });
    expect(await bob.command("authenticate", { userId: "bob" })).toEqual({ success: true });
    const roomName = "lobby";
    await instanceB.server.addToRoom(roomName, alice.connectionId);
    await instanceB.server.addToRoom(roomName, anonymous.connectionId);

    {
      // Read on instance B, which serves neither alice nor bob.
      const server: MeshServer = instanceB.server;
      const connectionId = alice.connectionId;

      const metadata = await server.connectionManager.getMetadata(connectionId);
      // { userId, token }
      expect(metadata).toEqual({ userId: "alice", token: expect.stringMatching(/^jwt\./) });
      const claims = JSON.parse(Buffer.from(String(metadata?.token).split(".")[1] ?? "", "base64url").toString());
      expect(claims).toMatchObject({ sub: "alice" });
    }
    {
      const server: MeshServer = instanceB.server;
      const metadata = await server.connectionManager.getAllMetadata();
      // [{ [connectionId]: { userId, token } }, ...]
      expect(metadata).toHaveLength(3);
      expect(metadata).toEqual(
        expect.arrayContaining([
          { [alice.connectionId]: { userId: "alice", token: expect.any(String) } },
          { [bob.connectionId]: { userId: "bob", token: expect.any(String) } },
          { [anonymous.connectionId]: null },
        ]),
      );
    }
    {
      const server: MeshServer = instanceB.server;
      const metadata = await server.connectionManager.getAllMetadataForRoom(roomName);
      // [{ [connectionId]: { userId, token } }, ...]
      expect(metadata).toHaveLength(2);
      expect(metadata).toEqual(
        expect.arrayContaining([
          { [alice.connectionId]: { userId: "alice", token: expect.any(String) } },
          { [anonymous.connectionId]: null },
        ]),
      );
    }

    // The metadata goes with its connection, as seen from the other instance.
    await bob.close();
    await expect
      .poll(() => instanceB.server.connectionManager.getMetadata(bob.connectionId), { timeout: 3_000, interval: 20 })
      .toBeNull();
    expect(
      (await instanceB.server.connectionManager.getAllMetadata()).map((entry) => Object.keys(entry)[0]).sort(),
    ).toEqual([alice.connectionId, anonymous.connectionId].sort());
  });

  it("Room Metadata: set on A, updated on B, read on A; getAllMetadata lists rooms; clearRoom removes it", async () => {
    const { nodes } = await startCluster(2);
    const [instanceA, instanceB] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];

    {
      const server: MeshServer = instanceA.server;
      // set metadata for a room
      await server.roomManager.setMetadata("lobby", {
        topic: "General Discussion",
        maxUsers: 50,
      });
      // get metadata for a specific room
      const lobbyMeta = await server.roomManager.getMetadata("lobby");
      // { topic: "General Discussion", maxUsers: 50 }
      expect(lobbyMeta).toEqual({ topic: "General Discussion", maxUsers: 50 });
    }
    {
      const server: MeshServer = instanceB.server;
      // update metadata (merges with existing data)
      await server.roomManager.updateMetadata("lobby", {
        topic: "Updated Topic", // Overwrites existing topic
        private: false, // Adds new field
      });
      // The sample's "otherRoom", so the listing below has more than one room.
      await server.roomManager.setMetadata("otherRoom", { topic: "Elsewhere" });
    }
    {
      const server: MeshServer = instanceA.server;
      const updatedLobbyMeta = await server.roomManager.getMetadata("lobby");
      // { topic: "Updated Topic", maxUsers: 50, private: false }
      expect(updatedLobbyMeta).toEqual({ topic: "Updated Topic", maxUsers: 50, private: false });
      // get metadata for all rooms
      const allRoomMeta = await server.roomManager.getAllMetadata();
      // { lobby: { topic: "Updated Topic", maxUsers: 50, private: false }, otherRoom: { ... } }
      expect(allRoomMeta).toEqual({
        lobby: { topic: "Updated Topic", maxUsers: 50, private: false },
        otherRoom: { topic: "Elsewhere" },
      });
    }

    // "Room metadata is removed when clearRoom(roomName) is called": cleared on B, gone when read on A.
    const member = await connectClient(instanceA.url);
    await instanceB.server.addToRoom("lobby", member.connectionId);
    await instanceB.server.clearRoom("lobby");
    expect(await instanceA.server.roomManager.getMetadata("lobby")).toBeNull();
    expect(await instanceA.server.roomManager.getAllMetadata()).toEqual({ otherRoom: { topic: "Elsewhere" } });
    expect(await instanceA.server.getRoomMembers("lobby")).toEqual([]);
    expect(await instanceA.server.roomManager.getMetadata("otherRoom")).toEqual({ topic: "Elsewhere" });
  });
});
