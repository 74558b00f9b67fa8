import { MeshError } from "@meshwork/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RequestManager } from "../../src/requestManager";

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: MeshError) => error.code,
  );

describe("RequestManager", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends at once with a writer and resolves on the matching response", async () => {
    const requests = new RequestManager(10);
    const frames: string[] = [];
    const result = requests.start("echo", "hi", 1_000, (frame) => frames.push(frame));

    expect(frames.map((frame) => JSON.parse(frame))).toEqual([
      { type: "request", id: 1, command: "echo", payload: "hi" },
    ]);
    expect(requests.settle({ type: "response", id: 2, result: "other" })).toBe(false);
    expect(requests.settle({ type: "response", id: 1, result: "hi" })).toBe(true);
    await expect(result).resolves.toBe("hi");
    expect(requests.inFlightCount).toBe(0);
  });

  it("puts a request answered SHUTTING_DOWN back in the queue, sends it again on flush, keeps its timeout", async () => {
    const requests = new RequestManager(10);
    const frames: string[] = [];
    const result = requests.start("save", { n: 1 }, 1_000, (frame) => frames.push(frame));
    const error = { code: "SHUTTING_DOWN", message: "the server is shutting down" };
    expect(requests.settle({ type: "error", id: 1, error })).toBe(true);
    expect({ queued: requests.queuedCount, inFlight: requests.inFlightCount }).toEqual({ queued: 1, inFlight: 0 });
    // The old connection dropping does not fail it: it is queued, not in flight.
    requests.failInFlight(() => new MeshError("CONNECTION_CLOSED", "dropped"));

    requests.flush((frame) => frames.push(frame));
    expect(frames).toHaveLength(2);
    expect(frames[1]).toBe(frames[0]);
    requests.settle({ type: "response", id: 1, result: "saved" });
    await expect(result).resolves.toBe("saved");

    const late = requests.start("save", { n: 2 }, 1_000, () => {});
    requests.settle({ type: "error", id: 2, error });
    vi.advanceTimersByTime(1_000);
    expect(await codeOf(late)).toBe("TIMEOUT");

    const bound = requests.start("restore", null, 1_000, () => {}, false);
    requests.settle({ type: "error", id: 3, error });
    expect(await codeOf(bound)).toBe("SHUTTING_DOWN");
  });

  it("rejects with the wire error as a MeshError", async () => {
    const requests = new RequestManager(10);
    const result = requests.start("x", undefined, 1_000, () => {});
    requests.settle({ type: "error", id: 1, error: { code: "FORBIDDEN", message: "no", details: [1] } });
    await expect(result).rejects.toMatchObject({ code: "FORBIDDEN", message: "no", details: [1] });
    await expect(result).rejects.toBeInstanceOf(MeshError);
  });

  it("times out, forgets the request and ignores its late answer", async () => {
    const requests = new RequestManager(10);
    const result = codeOf(requests.start("slow", undefined, 100, () => {}));
    vi.advanceTimersByTime(99);
    expect(requests.inFlightCount).toBe(1);
    vi.advanceTimersByTime(1);
    await expect(result).resolves.toBe("TIMEOUT");
    expect(requests.settle({ type: "response", id: 1, result: "late" })).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never times out with an Infinity timeout", () => {
    const requests = new RequestManager(10);
    void requests.start("forever", undefined, Number.POSITIVE_INFINITY, () => {});
    expect(vi.getTimerCount()).toBe(0);
  });

  it("queues without a writer, up to the limit, and flushes in call order", async () => {
    const requests = new RequestManager(2);
    const first = requests.start("a", 1, 1_000);
    const second = requests.start("b", 2, 1_000);
    await expect(codeOf(requests.start("c", 3, 1_000))).resolves.toBe("QUEUE_FULL");
    expect(requests.queuedCount).toBe(2);
    expect(requests.settle({ type: "response", id: 1, result: "not sent yet" })).toBe(false);

    const frames: string[] = [];
    requests.flush((frame) => frames.push(frame));
    expect(frames.map((frame) => JSON.parse(frame).command)).toEqual(["a", "b"]);
    expect(requests.queuedCount).toBe(0);
    requests.settle({ type: "response", id: 2, result: "B" });
    requests.settle({ type: "response", id: 1, result: "A" });
    await expect(Promise.all([first, second])).resolves.toEqual(["A", "B"]);
  });

  it("counts time in the queue against the timeout", async () => {
    const requests = new RequestManager(10);
    const result = codeOf(requests.start("a", 1, 100));
    vi.advanceTimersByTime(100);
    await expect(result).resolves.toBe("TIMEOUT");
    const frames: string[] = [];
    requests.flush((frame) => frames.push(frame));
    expect(frames).toEqual([]);
  });

  it("fails in-flight and queued requests separately", async () => {
    const requests = new RequestManager(10);
    const sent = codeOf(requests.start("sent", 1, 1_000, () => {}));
    const queued = requests.start("queued", 2, 1_000);
    requests.failInFlight((command) => new MeshError("CONNECTION_CLOSED", command));
    await expect(sent).resolves.toBe("CONNECTION_CLOSED");
    expect(requests.queuedCount).toBe(1);
    requests.failQueued((command) => new MeshError("NOT_CONNECTED", command));
    await expect(queued).rejects.toMatchObject({ code: "NOT_CONNECTED", message: "queued" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects an unencodable payload and a failing write", async () => {
    const requests = new RequestManager(10);
    await expect(codeOf(requests.start("a", { n: 1n }, 1_000, () => {}))).resolves.toBe("INVALID_PAYLOAD");
    const tooBig = requests.start("b", "x", 1_000, () => {
      throw new MeshError("PAYLOAD_TOO_LARGE", "too big");
    });
    await expect(codeOf(tooBig)).resolves.toBe("PAYLOAD_TOO_LARGE");
    const broken = requests.start("c", "x", 1_000, () => {
      throw new Error("socket gone");
    });
    await expect(codeOf(broken)).resolves.toBe("CONNECTION_CLOSED");
    expect(requests.inFlightCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
