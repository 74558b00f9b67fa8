/**
 * How randomness spreads reconnect delays so that clients dropped together do not return together:
 * - `full`: anywhere in `[0, base]`, the widest spread;
 * - `equal`: in `[base / 2, base]`, which keeps a floor under the wait.
 */
export type BackoffJitter = "full" | "equal";

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Base delay of the first attempt, in milliseconds. */
  readonly initial: number;
  /** Largest base delay, in milliseconds; doubling stops here. */
  readonly max: number;
  /** Jitter strategy. */
  readonly jitter: BackoffJitter;
  /** Source of randomness in `[0, 1)`; injectable so tests are deterministic. */
  readonly random: () => number;
}

/**
 * Delay before reconnect attempt number `attempt` (1 for the first): capped exponential backoff with jitter.
 * The base is `initial * 2^(attempt - 1)`, capped at `max`; jitter then picks a delay below it.
 * Pure: the same inputs and random value always give the same delay.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const cap = Math.max(options.max, options.initial);
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Past 2^52 the product is already far beyond any sane cap; clamping the exponent avoids Infinity * 0 = NaN.
  const base = Math.min(cap, options.initial * 2 ** Math.min(exponent, 52));
  const random = Math.min(Math.max(options.random(), 0), 1);
  const delay = options.jitter === "full" ? base * random : base / 2 + (base / 2) * random;
  return Math.round(delay);
}
