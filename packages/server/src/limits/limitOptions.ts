import type { IncomingMessage } from "node:http";

/** Decides whether a browser origin may open a connection (`allowedOrigins` as a function). */
export type OriginCheck = (origin: string, request: IncomingMessage) => boolean;

/** A per-connection token bucket over requests (the `rateLimit` option). */
export interface RateLimitOptions {
  /** Requests per second a connection may keep up (the bucket's refill rate). */
  readonly commandsPerSecond: number;
  /** Requests a connection may send at once after being quiet (the bucket's size). */
  readonly burst: number;
  /** Rate-limited requests tolerated within `rejectWindow` before the connection is closed with 4005. @default 1000 */
  readonly maxRejected?: number;
  /** Milliseconds `maxRejected` counts in. @default 10000 */
  readonly rejectWindow?: number;
}

/** The rate limit after defaults are merged. */
export type ResolvedRateLimit = Required<RateLimitOptions>;

/** The limit options as given. */
interface GivenLimits {
  readonly badMessageReplies?: number;
  readonly allowedOrigins?: readonly string[] | OriginCheck;
  readonly allowMissingOrigin?: boolean;
  readonly rateLimit?: RateLimitOptions | false;
  readonly maxSubscriptionsPerConnection?: number;
  readonly maxConnections?: number;
}

/** The limit options after defaults are merged. */
export interface ResolvedLimits {
  readonly badMessageReplies: number;
  readonly allowMissingOrigin: boolean;
  readonly rateLimit: ResolvedRateLimit | false;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxConnections: number;
}

function check(name: string, value: number, min: number, allowInfinity = false): void {
  const ok = Number.isSafeInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY);
  if (!ok || value < min) {
    throw new TypeError(`meshwork: option "${name}" must be an integer >= ${min}, got ${String(value)}`);
  }
}

/**
 * Merges the defaults (`DEFAULT_SERVER_OPTIONS`) into the limit options and rejects out-of-range values with a
 * `TypeError` naming the option.
 */
export function resolveLimitOptions(
  given: GivenLimits,
  defaults: ResolvedLimits & { readonly rateLimit: ResolvedRateLimit },
): ResolvedLimits {
  const origins = given.allowedOrigins;
  if (origins !== undefined && typeof origins !== "function" && !Array.isArray(origins)) {
    throw new TypeError('meshwork: option "allowedOrigins" must be a list of origins or a function');
  }
  const rate = given.rateLimit ?? defaults.rateLimit;
  const rateLimit =
    rate === false
      ? false
      : {
          commandsPerSecond: rate.commandsPerSecond,
          burst: rate.burst,
          maxRejected: rate.maxRejected ?? defaults.rateLimit.maxRejected,
          rejectWindow: rate.rejectWindow ?? defaults.rateLimit.rejectWindow,
        };
  if (rateLimit) {
    if (!(rateLimit.commandsPerSecond > 0) || !Number.isFinite(rateLimit.commandsPerSecond)) {
      throw new TypeError('meshwork: option "rateLimit.commandsPerSecond" must be a finite number > 0');
    }
    check("rateLimit.burst", rateLimit.burst, 1);
    check("rateLimit.maxRejected", rateLimit.maxRejected, 0);
    check("rateLimit.rejectWindow", rateLimit.rejectWindow, 1);
  }
  const resolved: ResolvedLimits = {
    badMessageReplies: given.badMessageReplies ?? defaults.badMessageReplies,
    allowMissingOrigin: given.allowMissingOrigin ?? defaults.allowMissingOrigin,
    rateLimit,
    maxSubscriptionsPerConnection: given.maxSubscriptionsPerConnection ?? defaults.maxSubscriptionsPerConnection,
    maxConnections: given.maxConnections ?? defaults.maxConnections,
  };
  check("badMessageReplies", resolved.badMessageReplies, 0);
  check("maxSubscriptionsPerConnection", resolved.maxSubscriptionsPerConnection, 0, true);
  check("maxConnections", resolved.maxConnections, 0, true);
  return resolved;
}
