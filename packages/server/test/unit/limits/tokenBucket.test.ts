import { describe, expect, it } from "vitest";
import { type TokenBucketState, bucketRate, takeToken } from "../../../src/limits/tokenBucket";

function fresh(): TokenBucketState {
  return { bucketTokens: Number.POSITIVE_INFINITY, bucketCheckedAt: 0 };
}

function takeMany(state: TokenBucketState, rate: ReturnType<typeof bucketRate>, now: number, count: number): number {
  let taken = 0;
  for (let n = 0; n < count; n++) if (takeToken(state, rate, now)) taken++;
  return taken;
}

describe("token bucket", () => {
  it("starts full: lets a burst through at once, then refuses", () => {
    const state = fresh();
    const rate = bucketRate(10, 5);
    expect(takeMany(state, rate, 1_000, 8)).toBe(5);
    expect(takeToken(state, rate, 1_000)).toBe(false);
  });

  it("refills at the rate, never past the burst", () => {
    const state = fresh();
    const rate = bucketRate(10, 5);
    takeMany(state, rate, 0, 5);
    // 10 per second: one token per 100 ms.
    expect(takeToken(state, rate, 50)).toBe(false);
    expect(takeToken(state, rate, 100)).toBe(true);
    expect(takeToken(state, rate, 100)).toBe(false);
    expect(takeMany(state, rate, 10_000, 20)).toBe(5);
  });

  it("keeps up the average rate over a long run", () => {
    const state = fresh();
    const rate = bucketRate(100, 10);
    let taken = 0;
    // A request every millisecond for 10 s: 10 tokens at start plus 100 per second.
    for (let now = 0; now < 10_000; now++) if (takeToken(state, rate, now)) taken++;
    expect(taken).toBeGreaterThanOrEqual(1_000);
    expect(taken).toBeLessThanOrEqual(1_010);
  });

  it("counts refused takes as nothing: a flooder refills like anyone else", () => {
    const state = fresh();
    const rate = bucketRate(1, 1);
    expect(takeToken(state, rate, 0)).toBe(true);
    for (let now = 1; now < 1_000; now++) expect(takeToken(state, rate, now)).toBe(false);
    expect(takeToken(state, rate, 1_000)).toBe(true);
  });

  it("refills nothing when the clock goes back", () => {
    const state = fresh();
    const rate = bucketRate(1_000, 1);
    expect(takeToken(state, rate, 5_000)).toBe(true);
    expect(takeToken(state, rate, 1_000)).toBe(false);
  });
});
