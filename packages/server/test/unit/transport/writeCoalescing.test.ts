import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { holdWritesUntilTickEnds } from "../../../src/transport/writeCoalescing";

/** A writable stream that records each batch the stream machinery hands down (one per system call on a socket). */
function recordingStream(): { stream: Duplex; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      batches.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      batches.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, batches };
}

describe("holdWritesUntilTickEnds", () => {
  it("sends every write made in one tick as one batch, in order, before the next tick's I/O", async () => {
    const { stream, batches } = recordingStream();
    for (const frame of ["a", "b", "c"]) {
      holdWritesUntilTickEnds(stream);
      stream.write(frame);
    }
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([["a", "b", "c"]]);
    expect(stream.writableCorked).toBe(0);
  });

  it("leaves a socket someone else holds alone, and holds many sockets at once", async () => {
    const held = recordingStream();
    held.stream.cork();
    holdWritesUntilTickEnds(held.stream);
    expect(held.stream.writableCorked).toBe(1);

    const others = [recordingStream(), recordingStream()];
    for (const { stream } of others) {
      holdWritesUntilTickEnds(stream);
      stream.write("x");
      holdWritesUntilTickEnds(stream);
      stream.write("y");
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(others.map(({ batches }) => batches)).toEqual([[["x", "y"]], [["x", "y"]]]);
    expect(held.stream.writableCorked).toBe(1);
    held.stream.uncork();
  });

  it("ignores a missing socket", () => {
    expect(() => holdWritesUntilTickEnds(null)).not.toThrow();
    expect(() => holdWritesUntilTickEnds(undefined)).not.toThrow();
  });
});
