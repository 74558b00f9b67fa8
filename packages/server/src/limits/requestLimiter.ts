import { performance } from "node:perf_hooks";
import { CLOSE_CODES, MeshError } from "@meshwork/protocol";
import { sendError } from "../commands/responses";
import type { Connection } from "../connections/connection";
import type { MeshLogger } from "../options";
import type { ResolvedRateLimit } from "./limitOptions";
import { type TokenBucketRate, bucketRate, takeToken } from "./tokenBucket";

/**
 * The `rateLimit` option at work: one token bucket per connection (two numbers on it), checked before a request
 * runs. A request without a token is answered with `RATE_LIMITED` and not run; a connection that keeps sending
 * them (more than `maxRejected` within `rejectWindow`) is closed with 4005 (`RATE_LIMITED`).
 */
export class RequestLimiter {
  private readonly rate: TokenBucketRate;
  private readonly error: MeshError;

  constructor(
    private readonly limit: ResolvedRateLimit,
    private readonly logger: MeshLogger,
  ) {
    this.rate = bucketRate(limit.commandsPerSecond, limit.burst);
    this.error = new MeshError(
      "RATE_LIMITED",
      `Too many requests: at most ${limit.commandsPerSecond} per second (bursts of ${limit.burst}) per connection`,
      { details: { commandsPerSecond: limit.commandsPerSecond, burst: limit.burst } },
    );
  }

  /** Whether request `id` may run; when not, it has been answered (and the connection closed if it persists). */
  admit(connection: Connection, id: number): boolean {
    const now = performance.now();
    if (takeToken(connection, this.rate, now)) return true;
    sendError(connection, id, this.error);
    if (now - connection.rateLimitedSince >= this.limit.rejectWindow) {
      connection.rateLimitedSince = now;
      connection.rateLimited = 0;
    }
    connection.rateLimited++;
    if (connection.rateLimited > this.limit.maxRejected) {
      // Debug, not warn: an abusive client must not be able to flood the server's log.
      this.logger.debug(`meshwork: closing connection ${connection.id}: rate limit exceeded persistently`);
      const { code, reason } = CLOSE_CODES.RATE_LIMITED;
      connection.close(code, reason);
    }
    return false;
  }
}
