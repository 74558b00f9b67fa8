import { MeshClient, type MeshClientOptions, type MeshUrls } from "@meshwork/client";
import { type MeshLogger, MeshServer, type MeshServerOptions } from "@meshwork/server";
import { afterEach, vi } from "vitest";
import {
  type RedisClient,
  type SingleRedisClient,
  TEST_REDIS,
  type TestRedis,
  adminClient,
  deletePrefix,
  uniquePrefix,
} from "./redis";

/**
 * Multi-instance test harness: several MeshServers sharing one Redis (or, in the server-cluster project, one Redis
 * Cluster: see TEST_REDIS) under one test-private key prefix, and
 * MeshClients connected to them. Everything started here is torn down after each test in dependency order
 * (clients, then servers, then the prefix's keys, then admin connections). Errors a server reports through
 * its `error` event fail the test unless the instance was started with `allowErrors`: a cluster that quietly
 * reports "instance did not acknowledge" while the assertions happen to pass is not a passing cluster.
 */

/** A logger that keeps lines instead of printing them, so runs stay quiet and tests can look at them. */
export class QuietLogger implements MeshLogger {
  readonly lines: Array<{ level: string; message: string }> = [];
  debug(): void {}
  info(message: string): void {
    this.lines.push({ level: "info", message });
  }
  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }
  error(message: string, ...args: unknown[]): void {
    this.lines.push({ level: "error", message: `${message} ${args.map(String).join(" ")}` });
  }
}

/** One running instance. */
export interface Instance {
  readonly server: MeshServer;
  /** ws:// URL of the instance. */
  readonly url: string;
  /** What the instance reported through its `error` event. */
  readonly errors: Error[];
}

/** Options of {@link startInstance}: server options plus harness switches. */
export type InstanceOptions = Partial<MeshServerOptions> & {
  /** Expected to report errors (Redis taken away, …): do not fail the test for them. */
  allowErrors?: boolean;
};

interface Tracked extends Instance {
  readonly allowErrors: boolean;
}

const instances: Tracked[] = [];
const clients = new Set<MeshClient>();
const prefixes: Array<{ prefix: string; redis: TestRedis }> = [];
const admins = new Set<RedisClient>();

afterEach(async () => {
  const unexpected = instances.flatMap((i) =>
    i.allowErrors ? [] : i.errors.map((e) => `${i.server.instanceId}: ${e.message}`),
  );
  const openClients = [...clients];
  clients.clear();
  await Promise.all(openClients.map((client) => client.close().catch(() => undefined)));
  const servers = instances.splice(0);
  await Promise.all(servers.map(({ server }) => server.close()));
  for (const { prefix, redis: target } of prefixes.splice(0)) {
    const redis = adminClient(target);
    try {
      await deletePrefix(redis, prefix);
    } catch {
      // A test-owned Redis that was already stopped holds nothing to clean.
    } finally {
      redis.disconnect();
    }
  }
  for (const redis of admins) redis.disconnect();
  admins.clear();
  if (unexpected.length > 0) throw new Error(`servers reported unexpected errors:\n${unexpected.join("\n")}`);
});

/** A fresh key prefix on `redis`, whose keys are deleted after the test. */
export function testPrefix(redis: TestRedis = TEST_REDIS): string {
  const prefix = uniquePrefix();
  prefixes.push({ prefix, redis });
  return prefix;
}

/** A Redis (or Redis Cluster) client for assertions, disconnected after the test. */
export function admin(url: string): SingleRedisClient;
export function admin(target?: TestRedis): RedisClient;
export function admin(target: TestRedis = TEST_REDIS): RedisClient {
  const redis = adminClient(target);
  admins.add(redis);
  return redis;
}

/**
 * Starts one instance on 127.0.0.1, port 0, on `prefix` (shared by the instances of one test) and the project's
 * store (TEST_REDIS) unless `options.redis` says otherwise. Resolves once it is ready.
 */
export async function startInstance(prefix: string, options: InstanceOptions = {}): Promise<Instance> {
  const { allowErrors = false, ...serverOptions } = options;
  const server = new MeshServer({
    port: 0,
    host: "127.0.0.1",
    redis: TEST_REDIS,
    keyPrefix: prefix,
    logger: new QuietLogger(),
    ...serverOptions,
  } as MeshServerOptions);
  const errors: Error[] = [];
  server.on("error", (error) => {
    errors.push(error);
  });
  const instance: Tracked = { server, url: "", errors, allowErrors };
  instances.push(instance);
  await server.ready();
  Object.assign(instance, { url: `ws://127.0.0.1:${server.port}` });
  return instance;
}

/** Starts `count` instances on one new prefix of the project's store (or of `options.redis`). */
export async function startCluster(
  count: number,
  options: InstanceOptions = {},
): Promise<{ prefix: string; nodes: Instance[] }> {
  const prefix = testPrefix(options.redis ?? TEST_REDIS);
  const nodes = await Promise.all(Array.from({ length: count }, () => startInstance(prefix, options)));
  return { prefix, nodes };
}

/** Connects a MeshClient to a URL or a list of URLs (closed after the test); resolves once it has its connection id. */
export async function connectClient(
  url: MeshUrls,
  options: MeshClientOptions = {},
): Promise<MeshClient & { connectionId: string }> {
  const client = new MeshClient(url, options);
  clients.add(client);
  await client.connect();
  if (!client.connectionId) throw new Error("client has no connection id after connect()");
  return client as MeshClient & { connectionId: string };
}

/** Records the payloads a client receives for one push event, in order. */
export function recordPushes<T = unknown>(client: MeshClient, event: string): T[] {
  const received: T[] = [];
  client.on(event, (payload: unknown) => {
    received.push(payload as T);
  });
  return received;
}

/** Waits (with a deadline) until `check` stops throwing; a thin wrapper so every wait has an explicit deadline. */
export function eventually<T>(check: () => T | Promise<T>, timeout = 3_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}

const MARKER = "cluster-test:marker";
let markerSeq = 0;

/**
 * Resolves once every push that `sender` published before this call and that was going to reach `client`
 * has reached it: `sender` then sends the client a marker, and the marker arriving proves the rest.
 *
 * Why that holds: an instance publishes everything through one Redis connection and each instance receives
 * through one subscriber connection; Redis processes one connection's commands in order and writes the
 * messages for a subscriber connection in that order, whichever channels carry them. The receiving instance
 * hands each message to its sockets synchronously, and a WebSocket keeps order. (A local push is written to
 * the socket synchronously, before the marker, too.) So "marker arrived, push did not" means the push never
 * will: a negative check without a sleep.
 */
export async function flushPushes(
  sender: MeshServer,
  client: MeshClient & { connectionId: string },
  timeout = 3_000,
): Promise<void> {
  const seq = ++markerSeq;
  let off: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    off = client.on(MARKER, (payload: unknown) => {
      if (payload === seq) resolve();
    });
  });
  try {
    if (!(await sender.sendTo(client.connectionId, MARKER, seq))) {
      throw new Error(`marker not sent: no instance serves ${client.connectionId}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`marker ${seq} did not reach ${client.connectionId} within ${timeout} ms`)),
        timeout,
      );
    });
    await Promise.race([arrived, deadline]).finally(() => clearTimeout(timer));
  } finally {
    off();
  }
}
