// docker-compose.yml cannot be run here (no Docker engine in CI), so its meaning is checked instead: Redis and
// the two demo instances, each on its default port, pointed at that Redis, started after it answers.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEMO_DEFAULTS } from "../server/demoConfig";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const compose = parse(readFileSync(`${REPO_ROOT}docker-compose.yml`, "utf8"), { uniqueKeys: true });
const services: Record<string, any> = compose.services;
const INSTANCES = [
  { service: "demo-a", instance: "A", port: DEMO_DEFAULTS.portA },
  { service: "demo-b", instance: "B", port: DEMO_DEFAULTS.portB },
];

describe("docker-compose.yml", () => {
  it("holds Redis, with a health check, and the two demo instances", () => {
    expect(Object.keys(compose)).toEqual(["services"]);
    expect(Object.keys(services).sort()).toEqual(["demo-a", "demo-b", "redis"]);
    expect(services.redis.image).toMatch(/^redis:7/);
    expect(services.redis.ports).toEqual(["6379:6379"]);
    expect(services.redis.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(services.redis.profiles).toBeUndefined(); // `docker compose up -d` keeps starting Redis alone
  });

  it.each(INSTANCES)(
    "runs instance $instance on port $port against the compose Redis",
    ({ service, instance, port }) => {
      const definition = services[service];
      expect(definition.profiles).toEqual(["demo"]);
      expect(definition.image).toBe("meshwork-demo-chat");
      expect(definition.ports).toEqual([`${port}:${port}`]);
      expect(definition.environment).toEqual({
        DEMO_INSTANCE: instance,
        [`DEMO_PORT_${instance}`]: String(port),
        DEMO_HOST: "0.0.0.0",
        REDIS_URL: "redis://redis:6379",
        DEMO_KEY_PREFIX: DEMO_DEFAULTS.keyPrefix,
      });
      expect(definition.depends_on.redis).toEqual({ condition: "service_healthy" });
      for (const dependency of Object.keys(definition.depends_on)) expect(Object.keys(services)).toContain(dependency);
    },
  );

  it("builds from the repository root with a Dockerfile that installs, builds the web app and starts an instance", () => {
    const dockerfileText = readFileSync(`${REPO_ROOT}apps/demo-chat/Dockerfile`, "utf8");
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfileText);
    expect(cmd, "the Dockerfile needs an exec-form CMD").not.toBeNull();
    const entry = (JSON.parse(cmd![1]!) as string[]).at(-1)!;
    expect(entry).toBe("apps/demo-chat/server/instanceMain.ts");
    expect(existsSync(`${REPO_ROOT}${entry}`)).toBe(true);
    expect(dockerfileText).toContain("pnpm install --frozen-lockfile");
    expect(dockerfileText).toContain("vite.js build apps/demo-chat");
    expect(existsSync(`${REPO_ROOT}.dockerignore`)).toBe(true); // keeps the host's node_modules out of the image
  });
});
