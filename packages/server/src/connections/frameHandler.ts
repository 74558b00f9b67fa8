import { CLOSE_CODES, MeshError, RESERVED_PREFIX, isReservedName, parseClientMessageFast } from "@meshwork/protocol";
import type { RawData } from "ws";
import type { CommandRouter } from "../commands/commandRouter";
import { sendError } from "../commands/responses";
import type { RequestLimiter } from "../limits/requestLimiter";
import type { MetricsRecorder } from "../metrics/metricsRecorder";
import type { MeshLogger } from "../options";
import type { Connection } from "./connection";
import type { Liveness } from "./liveness";

/** Limits on bad input, from the server options. */
export interface BadMessageLimits {
  readonly maxBadMessages: number;
  readonly badMessageWindow: number;
  readonly badMessageReplies: number;
}

/** Stands for a binary frame held back before `hello`: its content is never read. @internal */
export const BINARY_FRAME: RawData = Buffer.alloc(0);

const binaryFrame = (): MeshError =>
  new MeshError("BAD_MESSAGE", "Binary frames are not accepted: send every message as a UTF-8 JSON text frame", {
    details: { reason: "binary" },
  });

function unknownCommand(name: string): MeshError {
  const message = isReservedName(name)
    ? `Command "${name}" is not available: names starting with "${RESERVED_PREFIX}" are reserved for meshwork`
    : `Unknown command "${name}"`;
  return new MeshError("UNKNOWN_COMMAND", message);
}

/**
 * The receive path of an open connection: parses each frame once, at the edge, and hands typed messages on.
 * Bad frames (binary, not JSON, wrong shape, unknown or reserved command) are answered with an error: with the
 * request's id when they carry one, otherwise with an id-less `BAD_MESSAGE`, at most `badMessageReplies` times per
 * window so a flood is not amplified. A connection sending more than `maxBadMessages` of them within
 * `badMessageWindow` is closed with 4003 (`TOO_MANY_BAD_MESSAGES`). Requests pass the rate limit before they run.
 */
export class FrameHandler {
  constructor(
    private readonly router: CommandRouter,
    private readonly liveness: Liveness,
    private readonly limits: BadMessageLimits,
    private readonly rateLimit: RequestLimiter | null,
    private readonly logger: MeshLogger,
    private readonly metrics: MetricsRecorder,
  ) {}

  /** Handles one frame. Never throws. */
  handle(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.metrics.badFrame();
      this.reject(connection, undefined, binaryFrame());
      return;
    }
    const parsed = parseClientMessageFast(data);
    if (!parsed.ok) {
      this.metrics.badFrame();
      const details = parsed.issues === undefined ? undefined : { details: parsed.issues };
      this.reject(connection, parsed.id, new MeshError("BAD_MESSAGE", parsed.message, details));
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case "request": {
        if (this.rateLimit !== null && !this.rateLimit.admit(connection, message.id)) {
          this.metrics.rateLimited();
          return;
        }
        const entry = this.router.lookup(message.command);
        if (entry) this.router.execute(connection, message.id, entry, message.payload);
        else {
          // Counted under one name, whatever the client sent, so made-up names cannot create series.
          this.metrics.unknownCommand();
          this.reject(connection, message.id, unknownCommand(message.command));
        }
        return;
      }
      case "pong":
        this.liveness.onPong(connection);
        return;
      case "latency-reply":
        this.liveness.onLatencyReply(connection, message.id);
        return;
    }
  }

  private reject(connection: Connection, id: number | undefined, error: MeshError): void {
    const now = Date.now();
    if (now - connection.badWindowStart >= this.limits.badMessageWindow) {
      connection.badWindowStart = now;
      connection.badMessages = 0;
      connection.badReplies = 0;
    }
    if (id !== undefined) sendError(connection, id, error);
    else if (connection.badReplies < this.limits.badMessageReplies) {
      connection.badReplies++;
      sendError(connection, undefined, error);
    }
    connection.badMessages++;
    if (connection.badMessages > this.limits.maxBadMessages) {
      // Debug, not warn: a misbehaving client must not be able to flood the server's log.
      this.logger.debug(`meshwork: closing connection ${connection.id}: too many bad messages`);
      const { code, reason } = CLOSE_CODES.TOO_MANY_BAD_MESSAGES;
      connection.close(code, reason);
    }
  }
}
