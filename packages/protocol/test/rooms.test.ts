import { describe, expect, it } from "vitest";
import {
  ROOM_COMMANDS,
  getConnectionMetadataPayloadSchema,
  getRoomMetadataPayloadSchema,
  joinRoomPayloadSchema,
  joinRoomResultSchema,
  leaveRoomPayloadSchema,
  leaveRoomResultSchema,
  metadataResultSchema,
  roomNameSchema,
} from "../src/index";

describe("roomNameSchema", () => {
  it("accepts every non-empty string, as room names always were", () => {
    for (const name of ["lobby", "r", "chat:room1", "x".repeat(10_000), "tab\there", "line\nbreak"]) {
      expect(roomNameSchema.safeParse(name).success).toBe(true);
    }
  });

  it("refuses the empty string and anything that is not a string", () => {
    for (const name of ["", 42, null, undefined, ["lobby"]]) expect(roomNameSchema.safeParse(name).success).toBe(false);
  });
});

describe("room command schemas", () => {
  it("names the built-in room commands under mesh/", () => {
    expect(ROOM_COMMANDS).toEqual({
      join: "mesh/join-room",
      leave: "mesh/leave-room",
      getConnectionMetadata: "mesh/get-connection-metadata",
      getRoomMetadata: "mesh/get-room-metadata",
    });
  });

  it("takes a room name in join, leave and room-metadata payloads, as roomNameSchema does", () => {
    for (const schema of [joinRoomPayloadSchema, leaveRoomPayloadSchema, getRoomMetadataPayloadSchema]) {
      expect(schema.parse({ roomName: "lobby" })).toEqual({ roomName: "lobby" });
      for (const payload of [{ roomName: "" }, { roomName: 1 }, { room: "lobby" }, undefined, "lobby"]) {
        expect(schema.safeParse(payload).success).toBe(false);
      }
    }
  });

  it("reads a join result as joined with present members, or refused with a reason", () => {
    const joined = {
      success: true,
      present: [
        { connectionId: "c1", metadata: { name: "a" } },
        { connectionId: "c2", metadata: null },
      ],
    };
    expect(joinRoomResultSchema.parse(joined)).toEqual(joined);
    expect(joinRoomResultSchema.parse({ success: false, reason: "not exposed" })).toEqual({
      success: false,
      reason: "not exposed",
    });
    for (const result of [
      { success: true },
      { success: false },
      { success: true, present: [{ connectionId: "c1" }] },
      { success: true, present: [{ connectionId: "", metadata: null }] },
      { success: true, present: [{ connectionId: "c1", metadata: "text" }] },
    ]) {
      expect(joinRoomResultSchema.safeParse(result).success, JSON.stringify(result)).toBe(false);
    }
  });

  it("reads a leave result with an optional reason", () => {
    expect(leaveRoomResultSchema.parse({ success: true })).toEqual({ success: true });
    expect(leaveRoomResultSchema.parse({ success: false, reason: "x" })).toEqual({ success: false, reason: "x" });
    expect(leaveRoomResultSchema.safeParse({}).success).toBe(false);
  });

  it("lets a connection-metadata request name a connection or leave the payload out", () => {
    expect(getConnectionMetadataPayloadSchema.parse(undefined)).toBeUndefined();
    expect(getConnectionMetadataPayloadSchema.parse({})).toEqual({});
    expect(getConnectionMetadataPayloadSchema.parse({ connectionId: "c1" })).toEqual({ connectionId: "c1" });
    for (const payload of [{ connectionId: "" }, { connectionId: 7 }, "c1"]) {
      expect(getConnectionMetadataPayloadSchema.safeParse(payload).success).toBe(false);
    }
  });

  it("reads metadata results as an object or null", () => {
    expect(metadataResultSchema.parse({ metadata: { topic: "t" } })).toEqual({ metadata: { topic: "t" } });
    expect(metadataResultSchema.parse({ metadata: null })).toEqual({ metadata: null });
    for (const result of [{}, { metadata: "t" }, { metadata: [1] }, null]) {
      expect(metadataResultSchema.safeParse(result).success).toBe(false);
    }
  });
});
