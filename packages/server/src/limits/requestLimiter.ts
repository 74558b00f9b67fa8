import { performance } from "node:perf_hooks";
import { CLOSE_CODES, MeshError, encodeServerMessage } from "@meshwork/protocol";
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
  /** The answer's text on either side of the request id: a flood costs one concatenation per request. */
  private readonly answerHead: string;
  private readonly answerTail: string;

  constructor(
    private readonly limit: ResolvedRateLimit,
    private readonly logger: MeshLogger,
  ) {
    this.rate = bucketRate(limit.commandsPerSecond, limit.burst);
    const error = new MeshError(
      "RATE_LIMITED",
      `Too many requests: at most ${limit.commandsPerSecond} per second (bursts of ${limit.burst}) per connection`,
      { details: { commandsPerSecond: limit.commandsPerSecond, burst: limit.burst } },
    );
    // Encoded with a marker id, then split around it: the same bytes as encoding each answer in full.
    const [head, tail] = encodeServerMessage({ type: "error", id: 0, error: error.toWire() }).split('"id":0');
    this.answerHead = `${head}"id":`;
    this.answerTail = tail as string;
  }

  /** Whether request `id` may run; when not, it has been answered (and the connection closed if it persists). */
  admit(connection: Connection, id: number): boolean {
    const now = performance.now();
    if (takeToken(connection, this.rate, now)) return true;
    connection.sendFrame(this.answerHead + id + this.answerTail);
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
