import type { AccessGuard } from "../access/accessRules";
import type { TrackPresenceOptions } from "./presenceTypes";

/** How one tracked room (or pattern) is tracked, its options resolved. */
export interface TrackingRule {
  readonly ttlMs: number;
  readonly guard: AccessGuard | undefined;
  readonly groupBy: string | undefined;
}

/**
 * Which rooms have presence, by exact name or pattern, each with its options. Precedence as for exposed channels:
 * an exact name wins over every pattern, and among patterns the one tracked last wins; tracking the same name or
 * pattern again replaces its options.
 */
export class TrackedRooms {
  private readonly exact = new Map<string, TrackingRule>();
  private patterns: Array<{ readonly pattern: RegExp; readonly rule: TrackingRule }> = [];

  constructor(private readonly heartbeatInterval: number) {}

  /** @throws TypeError for an empty name, a `ttl` not longer than the heartbeat, or an invalid `groupBy`/`guard`. */
  track(room: string | RegExp, options: TrackPresenceOptions = {}): void {
    const rule = this.resolve(options);
    if (typeof room === "string") {
      if (room.length === 0) throw new TypeError("meshwork: a tracked room name must not be empty");
      this.exact.set(room, rule);
      return;
    }
    if (!(room instanceof RegExp)) throw new TypeError("meshwork: trackPresence takes a string or a RegExp");
    const key = `${room.source}/${room.flags}`;
    this.patterns = [
      ...this.patterns.filter(({ pattern }) => `${pattern.source}/${pattern.flags}` !== key),
      { pattern: room, rule },
    ];
  }

  /** The rule that decides for a room, or undefined when the room is not tracked. */
  ruleFor(room: string): TrackingRule | undefined {
    const exact = this.exact.get(room);
    if (exact) return exact;
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const { pattern, rule } = this.patterns[i] as { pattern: RegExp; rule: TrackingRule };
      pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
      if (pattern.test(room)) return rule;
    }
    return undefined;
  }

  /** Whether any room is tracked at all (when none is, membership changes cost nothing). */
  get any(): boolean {
    return this.exact.size > 0 || this.patterns.length > 0;
  }

  private resolve({ ttl, guard, groupBy }: TrackPresenceOptions): TrackingRule {
    const ttlMs = ttl ?? 3 * this.heartbeatInterval;
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= this.heartbeatInterval) {
      throw new TypeError(
        `meshwork: presence ttl must be a whole number of milliseconds longer than heartbeatInterval (${this.heartbeatInterval}), got ${String(ttl)}`,
      );
    }
    if (guard !== undefined && typeof guard !== "function") {
      throw new TypeError("meshwork: a presence guard is a function (connection, room) => boolean");
    }
    if (groupBy !== undefined && (typeof groupBy !== "string" || groupBy.length === 0)) {
      throw new TypeError("meshwork: groupBy names a connection-metadata field (a non-empty string)");
    }
    return { ttlMs, guard, groupBy };
  }
}

/**
 * The member id of a connection in a room tracked with `groupBy`: the field's value when it is a non-empty string
 * or a number, else the connection's own id.
 */
export function memberIdOf(rule: TrackingRule, connectionId: string, metadata: unknown): string {
  if (rule.groupBy === undefined || metadata === null || typeof metadata !== "object") return connectionId;
  const value = (metadata as Record<string, unknown>)[rule.groupBy];
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return connectionId;
}
