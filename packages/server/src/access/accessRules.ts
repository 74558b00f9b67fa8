import type { Connection } from "../connections/connection";
import { passesGuard } from "./guards";

/**
 * Decides whether a connection may use a channel, record or room (`name`). Anything but `true` denies; throwing
 * denies too, and the error is reported.
 */
export type AccessGuard = (connection: Connection, name: string) => boolean | Promise<boolean>;

/** The outcome of an access check. */
export type Access = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

interface Rule {
  readonly pattern: string | RegExp;
  readonly guard: AccessGuard | undefined;
}

/**
 * Which channels (or records, or rooms) clients may use, by exact name or pattern, each with an optional guard. When
 * several rules match a name, exactly one decides:
 *
 * 1. a rule exposing the exact name wins over every pattern;
 * 2. among patterns, the one exposed last wins, so a later, more specific rule (with its own guard) overrides a
 *    broad one exposed earlier.
 *
 * Exposing the same name or the same pattern (same source and flags) again replaces its guard.
 */
export class AccessRules {
  private readonly exact = new Map<string, Rule>();
  private patterns: Rule[] = [];

  /** @param kind what the rules are about ("channel", "record", "room"), for messages */
  constructor(
    private readonly kind: string,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Exposes a name or every name a pattern matches, with an optional guard. */
  expose(pattern: string | RegExp, guard?: AccessGuard): void {
    if (typeof pattern === "string") {
      if (pattern.length === 0) throw new TypeError(`meshwork: an exposed ${this.kind} name must not be empty`);
      this.exact.set(pattern, { pattern, guard });
      return;
    }
    if (!(pattern instanceof RegExp)) throw new TypeError(`meshwork: a ${this.kind} rule takes a string or a RegExp`);
    const key = `${pattern.source}/${pattern.flags}`;
    this.patterns = [
      ...this.patterns.filter((rule) => `${(rule.pattern as RegExp).source}/${(rule.pattern as RegExp).flags}` !== key),
      { pattern, guard },
    ];
  }

  /** The rule that decides for a name, or undefined when none matches. */
  private ruleFor(name: string): Rule | undefined {
    const exact = this.exact.get(name);
    if (exact) return exact;
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const rule = this.patterns[i] as Rule;
      const regexp = rule.pattern as RegExp;
      regexp.lastIndex = 0; // a /g or /y pattern keeps state between tests
      if (regexp.test(name)) return rule;
    }
    return undefined;
  }

  /** Whether any rule matches `name`. */
  covers(name: string): boolean {
    return this.ruleFor(name) !== undefined;
  }

  /** Whether `connection` may use `name`, and why not. */
  async check(connection: Connection, name: string): Promise<Access> {
    const rule = this.ruleFor(name);
    const label = `${this.kind[0]?.toUpperCase()}${this.kind.slice(1)} "${name}"`;
    if (!rule) return { allowed: false, reason: `${label} is not exposed` };
    const guard = rule.guard;
    if (!guard) return { allowed: true };
    if (await passesGuard(() => guard(connection, name), this.reportError, `${this.kind} "${name}"`)) {
      return { allowed: true };
    }
    return { allowed: false, reason: `Access to ${label.replace(/^./, (c) => c.toLowerCase())} was denied` };
  }
}
