import { describe, expect, it } from "vitest";
import { RoomIndex } from "./roomIndex";

describe("RoomIndex", () => {
  it("reports the first local member joining and the last one leaving", () => {
    const index = new RoomIndex();
    expect(index.add("lobby", "c1")).toBe(true);
    expect(index.add("lobby", "c2")).toBe(false);
    expect(index.add("lobby", "c2")).toBe(false);
    expect(index.remove("lobby", "c1")).toBe(false);
    expect(index.remove("lobby", "c1")).toBe(false);
    expect(index.remove("lobby", "c2")).toBe(true);
    expect(index.rooms()).toEqual([]);
  });

  it("removes a connection from all its rooms and names the rooms left empty", () => {
    const index = new RoomIndex();
    index.add("a", "c1");
    index.add("b", "c1");
    index.add("b", "c2");
    expect(index.removeConnection("c1")).toEqual(["a"]);
    expect([...index.membersOf("b")]).toEqual(["c2"]);
    expect(index.roomsOf("c1")).toEqual([]);
  });

  it("clears a room and lists every membership", () => {
    const index = new RoomIndex();
    index.add("a", "c1");
    index.add("a", "c2");
    index.add("b", "c2");
    expect([...index.memberships()]).toEqual([
      ["a", "c1"],
      ["a", "c2"],
      ["b", "c2"],
    ]);
    expect(index.clear("a").sort()).toEqual(["c1", "c2"]);
    expect(index.roomsOf("c2")).toEqual(["b"]);
    expect(index.rooms()).toEqual(["b"]);
  });
});
