import type { IncomingMessage } from "node:http";
import type { OriginCheck } from "./limitOptions";

/** The upgrade limits, from the server options. */
export interface UpgradeLimits {
  readonly allowedOrigins?: readonly string[] | OriginCheck;
  readonly allowMissingOrigin: boolean;
  readonly maxConnections: number;
}

/**
 * Decides, before the handshake and before `authenticateConnection`, whether an upgrade may proceed: the HTTP
 * status to refuse it with, or `null`.
 *
 * - 403 for a browser `Origin` that `allowedOrigins` does not list (or its function refuses, or throws): a page on
 *   another site must not open a socket that rides on the user's cookies (cross-site WebSocket hijacking). Without
 *   an `Origin` header (a non-browser client), `allowMissingOrigin` decides.
 * - 503 when this instance already serves `maxConnections` (counting upgrades still being authenticated), so a load
 *   balancer or the client tries elsewhere.
 */
export class UpgradeAdmission {
  private readonly listed: ReadonlySet<string> | null;
  private readonly check: OriginCheck | null;

  constructor(
    private readonly limits: UpgradeLimits,
    private readonly reportError: (error: unknown) => void,
  ) {
    const origins = limits.allowedOrigins;
    this.check = typeof origins === "function" ? origins : null;
    this.listed = origins !== undefined && typeof origins !== "function" ? new Set(origins) : null;
  }

  /** The status to refuse `request` with, or `null` to let it proceed. */
  refusal(request: IncomingMessage, connections: number): number | null {
    if (!this.originAllowed(request)) return 403;
    if (connections >= this.limits.maxConnections) return 503;
    return null;
  }

  private originAllowed(request: IncomingMessage): boolean {
    if (this.listed === null && this.check === null) return true;
    const origin = request.headers.origin;
    if (origin === undefined || origin === "") return this.limits.allowMissingOrigin;
    if (this.listed !== null) return this.listed.has(origin);
    try {
      return (this.check as OriginCheck)(origin, request) === true;
    } catch (error) {
      this.reportError(new Error("meshwork: allowedOrigins threw; the upgrade was refused with 403", { cause: error }));
      return false;
    }
  }
}
