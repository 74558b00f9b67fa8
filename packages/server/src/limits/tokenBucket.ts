/**
 * A token bucket kept in two numbers on its owner (a connection), so a check costs a few arithmetic operations and
 * no timer or object per owner: tokens are refilled lazily, from the time elapsed since the last check.
 */
export interface TokenBucketState {
  /** Tokens left after the last check; `Infinity` for a bucket never checked (it starts full). */
  bucketTokens: number;
  /** When the tokens were last counted, in milliseconds of the clock passed to {@link takeToken}. */
  bucketCheckedAt: number;
}

/** How fast a bucket refills and how much it holds. */
export interface TokenBucketRate {
  /** Tokens added per millisecond. */
  readonly perMs: number;
  /** Most tokens the bucket holds: the largest burst it lets through at once. */
  readonly burst: number;
}

/** The rate of a bucket allowing `perSecond` on average and `burst` at once. */
export function bucketRate(perSecond: number, burst: number): TokenBucketRate {
  return { perMs: perSecond / 1_000, burst };
}

/**
 * Takes one token if there is one. Returns whether it did; a refused take leaves the bucket to refill.
 * @param now a monotonic clock in milliseconds; a clock that goes back refills nothing
 */
export function takeToken(state: TokenBucketState, rate: TokenBucketRate, now: number): boolean {
  const elapsed = now > state.bucketCheckedAt ? now - state.bucketCheckedAt : 0;
  const tokens = Math.min(rate.burst, state.bucketTokens + elapsed * rate.perMs);
  state.bucketCheckedAt = now;
  if (tokens < 1) {
    state.bucketTokens = tokens;
    return false;
  }
  state.bucketTokens = tokens - 1;
  return true;
}
