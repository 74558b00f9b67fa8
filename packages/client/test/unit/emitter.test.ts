import { describe, expect, it } from "vitest";
import { Emitter } from "../../src/emitter";

type Events = { value: [number]; pair: [string, boolean]; none: [] };

describe("Emitter", () => {
  it("calls listeners in order with the emitted arguments until they unsubscribe", () => {
    const emitter = new Emitter<Events>(() => {});
    const calls: string[] = [];
    const off = emitter.on("pair", (text, flag) => calls.push(`first ${text} ${flag}`));
    emitter.on("pair", (text) => calls.push(`second ${text}`));
    emitter.emit("pair", "x", true);
    off();
    off();
    emitter.emit("pair", "y", false);
    expect(calls).toEqual(["first x true", "second x", "second y"]);
  });

  it("registers the same function twice as two listeners", () => {
    const emitter = new Emitter<Events>(() => {});
    const values: number[] = [];
    const listener = (value: number) => values.push(value);
    const off = emitter.on("value", listener);
    emitter.on("value", listener);
    off();
    emitter.emit("value", 1);
    expect(values).toEqual([1]);
  });

  it("calls once listeners a single time, even when emitting from inside them", () => {
    const emitter = new Emitter<Events>(() => {});
    let calls = 0;
    emitter.once("none", () => {
      calls += 1;
      emitter.emit("none");
    });
    emitter.emit("none");
    emitter.emit("none");
    expect(calls).toBe(1);
  });

  it("skips listeners removed by an earlier listener of the same emit", () => {
    const emitter = new Emitter<Events>(() => {});
    const calls: string[] = [];
    let offSecond = () => {};
    emitter.on("none", () => {
      calls.push("first");
      offSecond();
    });
    offSecond = emitter.on("none", () => calls.push("second"));
    emitter.emit("none");
    expect(calls).toEqual(["first"]);
  });

  it("reports a throwing listener and still calls the rest", () => {
    const reported: [unknown, string][] = [];
    const emitter = new Emitter<Events>((error, event) => reported.push([error, event]));
    const values: number[] = [];
    const failure = new Error("bad listener");
    emitter.on("value", () => {
      throw failure;
    });
    emitter.on("value", (value) => values.push(value));
    emitter.emit("value", 3);
    expect(values).toEqual([3]);
    expect(reported).toEqual([[failure, "value"]]);
  });

  it("counts and clears listeners", () => {
    const emitter = new Emitter<Events>(() => {});
    const off = emitter.on("value", () => {});
    emitter.on("value", () => {});
    expect(emitter.listenerCount("value")).toBe(2);
    off();
    expect(emitter.listenerCount("value")).toBe(1);
    emitter.clear();
    expect(emitter.listenerCount("value")).toBe(0);
  });
});
