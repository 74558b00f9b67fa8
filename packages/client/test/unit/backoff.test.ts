import { describe, expect, it } from "vitest";
import { type BackoffOptions, backoffDelay } from "../../src/backoff";

const options = (random: number, overrides: Partial<BackoffOptions> = {}): BackoffOptions => ({
  initial: 1_000,
  max: 30_000,
  jitter: "full",
  random: () => random,
  ...overrides,
});

describe("backoffDelay", () => {
  it("doubles the base per attempt from the initial delay", () => {
    const delays = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, options(0.999_999)));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("caps the base at max", () => {
    expect(backoffDelay(6, options(0.999_999))).toBe(30_000);
    expect(backoffDelay(1_000, options(0.999_999))).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, options(0.5))).toBe(15_000);
  });

  it("spreads full jitter over [0, base]", () => {
    expect(backoffDelay(3, options(0))).toBe(0);
    expect(backoffDelay(3, options(0.25))).toBe(1_000);
  });

  it("spreads equal jitter over [base / 2, base]", () => {
    expect(backoffDelay(1, options(0, { jitter: "equal" }))).toBe(500);
    expect(backoffDelay(1, options(0.5, { jitter: "equal" }))).toBe(750);
    expect(backoffDelay(3, options(0, { jitter: "equal" }))).toBe(2_000);
  });

  it("never goes below the initial delay's cap when max is smaller than initial", () => {
    expect(backoffDelay(5, options(0.999_999, { initial: 5_000, max: 1_000 }))).toBe(5_000);
  });

  it("treats attempts below 1 as the first and clamps a random source outside [0, 1)", () => {
    expect(backoffDelay(0, options(0.999_999))).toBe(1_000);
    expect(backoffDelay(2, options(7))).toBe(2_000);
    expect(backoffDelay(2, options(-1))).toBe(0);
  });
});
