import { describe, expect, it } from "vitest";
import { presenceDifference, sameValue } from "../src/presence/presenceDifference";
import { isAfter } from "../src/presence/presenceStateMachine";
import type { PresenceMemberInfo } from "../src/presence/presenceTypes";

function member(connectionId: string, metadata: Record<string, unknown> | null = null): PresenceMemberInfo {
  return { connectionId, connectionIds: [connectionId], metadata };
}

describe("presence difference", () => {
  it("turns what a watcher knew and a new snapshot into leave, join and state events", () => {
    const known = {
      members: new Map([
        ["gone", member("gone")],
        ["same", member("same")],
        ["cleared", member("cleared")],
        ["changed", member("changed")],
      ]),
      states: new Map<string, unknown>([
        ["gone", "x"],
        ["same", { a: 1, b: [1, 2] }],
        ["cleared", "busy"],
        ["changed", 1],
      ]),
    };
    const present = [member("same"), member("cleared"), member("changed"), member("new", { role: "guest" })];
    const states = { same: { b: [1, 2], a: 1 }, changed: 2, new: "here" };

    expect(presenceDifference("lobby", known, present, states)).toEqual([
      { type: "leave", roomName: "lobby", connectionId: "gone", connectionIds: ["gone"] },
      { type: "state", roomName: "lobby", connectionId: "cleared", state: null },
      { type: "state", roomName: "lobby", connectionId: "changed", state: 2 },
      { type: "join", roomName: "lobby", connectionId: "new", connectionIds: ["new"], metadata: { role: "guest" } },
      { type: "state", roomName: "lobby", connectionId: "new", state: "here" },
    ]);
  });

  it("finds nothing when nothing changed", () => {
    const known = { members: new Map([["a", member("a")]]), states: new Map<string, unknown>([["a", [1]]]) };
    expect(presenceDifference("lobby", known, [member("a")], { a: [1] })).toEqual([]);
  });

  it("compares JSON values by content and positions by epoch, then seq", () => {
    expect(sameValue({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(isAfter({ epoch: 1, seq: 5 }, { epoch: 1, seq: 4 })).toBe(true);
    expect(isAfter({ epoch: 1, seq: 4 }, { epoch: 1, seq: 4 })).toBe(false);
    expect(isAfter({ epoch: 2, seq: 1 }, { epoch: 1, seq: 9 })).toBe(true);
    expect(isAfter({ epoch: 1, seq: 9 }, { epoch: 2, seq: 1 })).toBe(false);
  });
});
