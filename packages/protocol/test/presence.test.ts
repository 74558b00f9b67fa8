import { describe, expect, it } from "vitest";
import {
  MAX_PRESENCE_STATE_EXPIRY_MS,
  PRESENCE_COMMANDS,
  encodeServerMessage,
  parseServerMessage,
  publishPresenceStatePayloadSchema,
  subscribePresenceResultSchema,
} from "../src/index";

describe("presence wire messages", () => {
  it("names the built-in presence commands under mesh/", () => {
    for (const name of Object.values(PRESENCE_COMMANDS)) expect(name.startsWith("mesh/")).toBe(true);
  });

  it("carries an event in the original Mesh shape with its position, and reads back what it encodes", () => {
    const message = {
      type: "presence" as const,
      event: { type: "state" as const, roomName: "lobby", connectionId: "user-1", state: { typing: true } },
      position: { epoch: 1_764_000_000_000, seq: 7 },
    };
    expect(parseServerMessage(encodeServerMessage(message))).toEqual({ ok: true, message });
  });

  it("refuses a presence message without a position or with an unknown event type", () => {
    const event = { type: "join", roomName: "lobby", connectionId: "c1" };
    expect(parseServerMessage(JSON.stringify({ type: "presence", event })).ok).toBe(false);
    const wrong = { type: "presence", event: { ...event, type: "wave" }, position: { epoch: 1, seq: 1 } };
    expect(parseServerMessage(JSON.stringify(wrong)).ok).toBe(false);
  });

  it("bounds a state's expiry and requires a room", () => {
    expect(publishPresenceStatePayloadSchema.safeParse({ roomName: "lobby", state: "away" }).success).toBe(true);
    const longest = { roomName: "lobby", state: 1, expireAfter: MAX_PRESENCE_STATE_EXPIRY_MS };
    expect(publishPresenceStatePayloadSchema.safeParse(longest).success).toBe(true);
    for (const expireAfter of [0, -5, 1.5, MAX_PRESENCE_STATE_EXPIRY_MS + 1]) {
      expect(publishPresenceStatePayloadSchema.safeParse({ roomName: "lobby", state: 1, expireAfter }).success).toBe(
        false,
      );
    }
    expect(publishPresenceStatePayloadSchema.safeParse({ state: 1 }).success).toBe(false);
  });

  it("answers a subscription with members, states and a position, or a refusal with its reason", () => {
    const member = { connectionId: "user-1", connectionIds: ["c1", "c2"], metadata: null };
    const ok = { success: true, present: [member], states: { "user-1": "away" }, position: { epoch: 1, seq: 0 } };
    expect(subscribePresenceResultSchema.parse(ok)).toEqual(ok);
    expect(subscribePresenceResultSchema.parse({ success: false, reason: "not tracked" })).toEqual({
      success: false,
      reason: "not tracked",
    });
    expect(subscribePresenceResultSchema.safeParse({ success: true, present: [member], states: {} }).success).toBe(
      false,
    );
  });
});
