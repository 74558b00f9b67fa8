import { describe, expect, it } from "vitest";
import { TopicMembers } from "../../../src/topics/topicMembers";

describe("TopicMembers", () => {
  it("reports the first local member joining and the last one leaving", () => {
    const index = new TopicMembers<true>();
    expect(index.add("lobby", "c1", true)).toBe(true);
    expect(index.add("lobby", "c2", true)).toBe(false);
    expect(index.add("lobby", "c2", true)).toBe(false);
    expect(index.remove("lobby", "c1")).toBe(false);
    expect(index.remove("lobby", "c1")).toBe(false);
    expect(index.remove("lobby", "c2")).toBe(true);
    expect(index.topics()).toEqual([]);
  });

  it("removes a connection from all its topics and names the topics left empty", () => {
    const index = new TopicMembers<true>();
    index.add("a", "c1", true);
    index.add("b", "c1", true);
    index.add("b", "c2", true);
    expect(index.removeConnection("c1")).toEqual(["a"]);
    expect([...index.membersOf("b").keys()]).toEqual(["c2"]);
    expect(index.topicsOf("c1")).toEqual([]);
  });

  it("clears a topic and lists every membership", () => {
    const index = new TopicMembers<true>();
    index.add("a", "c1", true);
    index.add("a", "c2", true);
    index.add("b", "c2", true);
    expect([...index.memberships()]).toEqual([
      ["a", "c1"],
      ["a", "c2"],
      ["b", "c2"],
    ]);
    expect(index.clear("a").sort()).toEqual(["c1", "c2"]);
    expect(index.topicsOf("c2")).toEqual(["b"]);
    expect(index.topics()).toEqual(["b"]);
  });

  it("keeps a value per member, replaced when the member is added again", () => {
    const index = new TopicMembers<"full" | "patch">();
    index.add("doc", "c1", "full");
    index.add("doc", "c2", "patch");
    expect(index.add("doc", "c1", "patch")).toBe(false);
    expect([...index.membersOf("doc")]).toEqual([
      ["c1", "patch"],
      ["c2", "patch"],
    ]);
    expect(index.has("doc", "c1")).toBe(true);
    expect(index.has("doc", "c3")).toBe(false);
  });
});
