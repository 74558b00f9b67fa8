import { describe, expect, it } from "vitest";
import { type PatchOperation, applyPatch } from "../src/node";

describe("applyPatch", () => {
  const pollutionAttempts: Array<[string, PatchOperation[]]> = [
    ["add through __proto__", [{ op: "add", path: "/__proto__/polluted", value: "yes" }]],
    ["add __proto__ itself", [{ op: "add", path: "/__proto__", value: { polluted: "yes" } }]],
    ["replace __proto__", [{ op: "replace", path: "/__proto__", value: { polluted: "yes" } }]],
    ["constructor.prototype", [{ op: "add", path: "/constructor/prototype/polluted", value: "yes" }]],
    ["nested __proto__", [{ op: "add", path: "/a/__proto__/polluted", value: "yes" }]],
    ["nested constructor", [{ op: "replace", path: "/a/constructor/prototype/x", value: "yes" }]],
    ["prototype segment", [{ op: "add", path: "/a/prototype", value: "yes" }]],
    ["move from __proto__", [{ op: "move", from: "/__proto__", path: "/stolen" }]],
    ["copy from constructor.prototype", [{ op: "copy", from: "/constructor/prototype", path: "/a/proto" }]],
    ["move into __proto__", [{ op: "move", from: "/a", path: "/__proto__/polluted" }]],
    ["remove through __proto__", [{ op: "remove", path: "/__proto__/hasOwnProperty" }]],
  ];

  it.each(pollutionAttempts)("refuses %s with INVALID_PAYLOAD and pollutes nothing", (_name, patch) => {
    const doc: Record<string, unknown> = { a: { b: 1 } };
    let thrown: unknown;
    try {
      applyPatch(doc, patch);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toMatchObject({ name: "MeshError", code: "INVALID_PAYLOAD", details: { index: 0 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(doc.a)).toBe(Object.prototype);
    expect(doc).toEqual({ a: { b: 1 } });
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  });

  it("refuses the whole patch before changing anything when a later operation is forbidden", () => {
    const doc = { a: 1 };
    expect(() =>
      applyPatch(doc, [
        { op: "replace", path: "/a", value: 2 },
        { op: "add", path: "/__proto__/polluted", value: "yes" },
      ]),
    ).toThrow(/__proto__/);
    expect(doc).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never follows inherited members such as toString, hasOwnProperty or an array's length", () => {
    const doc = { list: [1, 2] };
    for (const patch of [
      [{ op: "add", path: "/toString/polluted", value: "yes" }],
      [{ op: "add", path: "/hasOwnProperty/polluted", value: "yes" }],
      [{ op: "replace", path: "/toString", value: "yes" }],
      [{ op: "replace", path: "/list/length", value: 0 }],
      [{ op: "add", path: "/list/map/polluted", value: "yes" }],
    ] as PatchOperation[][]) {
      expect(() => applyPatch(doc, patch)).toThrow(expect.objectContaining({ code: "INVALID_PAYLOAD" }));
    }
    expect(doc).toEqual({ list: [1, 2] });
    expect((Object.prototype.toString as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype.hasOwnProperty as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((Array.prototype.map as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops __proto__ keys inside added values, so the added object keeps its normal prototype", () => {
    const doc: Record<string, unknown> = {};
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}') as unknown;
    applyPatch(doc, [{ op: "add", path: "/a", value }]);
    expect(doc.a).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(doc.a)).toBe(Object.prototype);
    expect((doc.a as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies RFC 6902 add, remove, replace, move, copy and test in place and returns the same document", () => {
    const doc: Record<string, any> = {
      name: "Lamp",
      price: 10,
      tags: ["a", "c"],
      dims: { w: 1 },
      "a/b": 1,
      "m~n": 2,
    };
    const result = applyPatch(doc, [
      { op: "test", path: "/name", value: "Lamp" },
      { op: "add", path: "/tags/1", value: "b" },
      { op: "add", path: "/tags/-", value: "d" },
      { op: "remove", path: "/tags/0" },
      { op: "replace", path: "/price", value: 12 },
      { op: "add", path: "/dims/h", value: 2 },
      { op: "move", from: "/dims/w", path: "/width" },
      { op: "copy", from: "/dims", path: "/dimsCopy" },
      { op: "replace", path: "/a~1b", value: 10 },
      { op: "remove", path: "/m~0n" },
    ]);

    expect(result).toBe(doc);
    expect(doc).toEqual({
      name: "Lamp",
      price: 12,
      tags: ["b", "c", "d"],
      dims: { h: 2 },
      dimsCopy: { h: 2 },
      width: 1,
      "a/b": 10,
    });
    doc.dimsCopy.h = 99;
    expect(doc.dims.h).toBe(2);
  });

  it("throws INVALID_PAYLOAD for a failed test, a missing location, a whole-document op or a malformed operation", () => {
    const cases: PatchOperation[][] = [
      [{ op: "test", path: "/a", value: 2 }],
      [{ op: "remove", path: "/missing" }],
      [{ op: "replace", path: "/missing/deeper", value: 1 }],
      [{ op: "add", path: "/x/y", value: 1 }],
      [{ op: "replace", path: "", value: { a: 2 } }],
      [{ op: "add", path: "a", value: 1 }],
      [{ op: "add", path: "/b" } as PatchOperation],
      [{ op: "move", path: "/b" } as PatchOperation],
      [{ op: "merge" as "add", path: "/b", value: 1 }],
    ];
    for (const patch of cases) {
      const doc = { a: 1 };
      expect(() => applyPatch(doc, patch), JSON.stringify(patch)).toThrow(
        expect.objectContaining({ name: "MeshError", code: "INVALID_PAYLOAD" }),
      );
      expect(doc).toEqual({ a: 1 });
    }
    expect(applyPatch({ a: 1 }, [{ op: "test", path: "", value: { a: 1 } }])).toEqual({ a: 1 });
  });
});
