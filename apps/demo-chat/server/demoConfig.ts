// The demo's settings, read from the environment in one place so the launcher, the instance entry, Docker and
// the tests agree on names and defaults.
import type { InstanceName } from "./demoServer";

/** Both instance names, in start order. */
export const INSTANCE_NAMES: readonly InstanceName[] = ["A", "B"];

/** Defaults of every setting; each can be overridden by the environment variable named beside it. */
export const DEMO_DEFAULTS = {
  /** `DEMO_PORT_A` */
  portA: 8701,
  /** `DEMO_PORT_B` */
  portB: 8702,
  /** `DEMO_HOST`: the interface both instances listen on (Docker sets 0.0.0.0). */
  host: "127.0.0.1",
  /** `REDIS_URL` */
  redisUrl: "redis://127.0.0.1:6379",
  /** `DEMO_KEY_PREFIX`: every Redis key and channel of the demo starts with it. */
  keyPrefix: "demo:",
} as const;

/** The resolved settings. */
export interface DemoConfig {
  readonly ports: Readonly<Record<InstanceName, number>>;
  readonly host: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

/** Reads the demo's settings from `env`. @throws Error for a malformed port. */
export function readDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  return {
    ports: {
      A: portFrom(env, "DEMO_PORT_A", DEMO_DEFAULTS.portA),
      B: portFrom(env, "DEMO_PORT_B", DEMO_DEFAULTS.portB),
    },
    host: env.DEMO_HOST || DEMO_DEFAULTS.host,
    redisUrl: env.REDIS_URL || DEMO_DEFAULTS.redisUrl,
    keyPrefix: env.DEMO_KEY_PREFIX || DEMO_DEFAULTS.keyPrefix,
  };
}

/** Reads an instance name ("A" or "B", any case). @throws Error for anything else. */
export function parseInstanceName(raw: string | undefined): InstanceName {
  const name = raw?.trim().toUpperCase();
  if (name === "A" || name === "B") return name;
  throw new Error(`an instance is "A" or "B", got "${raw ?? ""}"`);
}
