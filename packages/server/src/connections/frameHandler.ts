import { CLOSE_CODES, MeshError, RESERVED_PREFIX, isReservedName, parseClientMessageFast } from "@meshwork/protocol";
import type { RawData } from "ws";
import type { CommandRouter } from "../commands/commandRouter";
import { sendError } from "../commands/responses";
import type { MeshLogger } from "../options";
import type { Connection } from "./connection";
import type { Liveness } from "./liveness";

/** Limits on bad input, from the server options. */
export interface BadMessageLimits {
  readonly maxBadMessages: number;
  readonly badMessageWindow: number;
}

function unknownCommand(name: string): MeshError {
  const message = isReservedName(name)
    ? `Command "${name}" is not available: names starting with "${RESERVED_PREFIX}" are reserved for meshwork`
    : `Unknown command "${name}"`;
  return new MeshError("UNKNOWN_COMMAND", message);
}

/**
 * The receive path of an open connection: parses each frame once, at the edge, and hands typed messages on.
 * Bad frames (not JSON, wrong shape, unknown or reserved command) are answered with an error when they carry a
 * request id, and counted either way; a connection sending more than `maxBadMessages` of them within
 * `badMessageWindow` is closed with 4003 (`TOO_MANY_BAD_MESSAGES`).
 */
export class FrameHandler {
  constructor(
    private readonly router: CommandRouter,
    private readonly liveness: Liveness,
    private readonly limits: BadMessageLimits,
    private readonly logger: MeshLogger,
  ) {}

  /** Handles one frame. Never throws. */
  handle(connection: Connection, data: RawData): void {
    const parsed = parseClientMessageFast(data);
    if (!parsed.ok) {
      const details = parsed.issues === undefined ? undefined : { details: parsed.issues };
      this.reject(connection, parsed.id, new MeshError("BAD_MESSAGE", parsed.message, details));
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case "request": {
        const entry = this.router.lookup(message.command);
        if (entry) this.router.execute(connection, message.id, entry, message.payload);
        else this.reject(connection, message.id, unknownCommand(message.command));
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
    if (id !== undefined) sendError(connection, id, error);
    const now = Date.now();
    if (now - connection.badWindowStart >= this.limits.badMessageWindow) {
      connection.badWindowStart = now;
      connection.badMessages = 0;
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
