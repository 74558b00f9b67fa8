import { describe, expectTypeOf, it } from "vitest";
import type { JoinRoomResult, LeaveRoomResult, MeshClient, RoomMember } from "../src/index";

declare const client: MeshClient;

describe("room and metadata types", () => {
  it("destructures joinRoom as the original Mesh samples do, refused or not", async () => {
    const { success, present } = await client.joinRoom("lobby");
    expectTypeOf(success).toEqualTypeOf<boolean>();
    expectTypeOf(present).toEqualTypeOf<RoomMember[]>();
    expectTypeOf(present[0]?.metadata).toEqualTypeOf<Record<string, unknown> | null | undefined>();
    expectTypeOf(client.joinRoom).returns.resolves.toEqualTypeOf<JoinRoomResult>();
    expectTypeOf(client.leaveRoom).returns.resolves.toEqualTypeOf<LeaveRoomResult>();
  });

  it("types metadata reads as an object or null, or as the caller names it", async () => {
    expectTypeOf(await client.getConnectionMetadata()).toEqualTypeOf<Record<string, unknown> | null>();
    expectTypeOf(await client.getConnectionMetadata<{ userId: string }>("c1")).toEqualTypeOf<{
      userId: string;
    } | null>();
    expectTypeOf(await client.getRoomMetadata<{ topic: string }>("lobby")).toEqualTypeOf<{ topic: string } | null>();
    // @ts-expect-error a room name is a string
    void client.joinRoom(42);
  });
});
