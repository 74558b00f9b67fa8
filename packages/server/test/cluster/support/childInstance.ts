import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TestRedis } from "./redis";

/**
 * Resolves the `tsx` loader that runs the child's TypeScript. Throws, with what to do, when it is missing:
 * the crash test must fail loudly, never skip.
 */
function tsxLoader(): string {
  const requireFromRoot = createRequire(new URL("../../../../../package.json", import.meta.url));
  try {
    return pathToFileURL(requireFromRoot.resolve("tsx")).href;
  } catch (cause) {
    throw new Error(
      "The crash test runs an instance in a child process through tsx, which is not installed. " +
        'Add it to the root devDependencies ("tsx": "^4") and run pnpm install.',
      { cause },
    );
  }
}

/** A meshwork instance running in a child process (support/instanceProcess.ts). */
export interface ChildInstance {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly instanceId: string;
  readonly url: string;
  /** What the child wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Kills the child by pid with `signal` and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs (by pid) every child still running: for afterEach/afterAll, so a failed test leaves no process behind. */
export async function killChildren(): Promise<void> {
  const running = [...children];
  children.clear();
  await Promise.all(
    running.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = once(child, "exit");
      process.kill(child.pid, "SIGKILL");
      await exited;
    }),
  );
}

/**
 * Starts an instance in a child process on `redis` and `keyPrefix` with the given liveness timings, and resolves
 * once it listens (rejects after `timeoutMs`, with its output, when it does not).
 */
export async function startChildInstance(options: {
  /** A Redis URL, or a Redis Cluster (handed to the child as JSON). */
  redis: TestRedis;
  keyPrefix: string;
  heartbeatInterval: number;
  instanceTtl: number;
  /** A room whose presence the child tracks, with this presence TTL. */
  presence?: { room: string; ttl: number };
  /** Shut down gracefully on SIGTERM/SIGINT (`enableGracefulShutdown()`), with this `shutdownTimeout`. */
  shutdownTimeout?: number;
  /** Names clients may subscribe to (channels, records) and join (rooms). */
  expose?: { channels?: string[]; records?: string[]; rooms?: string[] };
  /** The port to listen on (a free one by default). */
  port?: number;
  timeoutMs?: number;
}): Promise<ChildInstance> {
  const script = fileURLToPath(new URL("./instanceProcess.ts", import.meta.url));
  const child = fork(script, [], {
    execArgv: ["--conditions=source", "--import", tsxLoader()],
    env: {
      ...process.env,
      MESH_TEST_REDIS: typeof options.redis === "string" ? options.redis : JSON.stringify(options.redis),
      MESH_TEST_PREFIX: options.keyPrefix,
      MESH_TEST_HEARTBEAT: String(options.heartbeatInterval),
      MESH_TEST_TTL: String(options.instanceTtl),
      ...(options.presence
        ? { MESH_TEST_PRESENCE_ROOM: options.presence.room, MESH_TEST_PRESENCE_TTL: String(options.presence.ttl) }
        : {}),
      ...(options.expose ? { MESH_TEST_EXPOSE: JSON.stringify(options.expose) } : {}),
      ...(options.port === undefined ? {} : { MESH_TEST_PORT: String(options.port) }),
      ...(options.shutdownTimeout === undefined ? {} : { MESH_TEST_SHUTDOWN_TIMEOUT: String(options.shutdownTimeout) }),
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const ready = await new Promise<{ port: number; instanceId: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`child instance not ready within ${options.timeoutMs ?? 15_000} ms`)),
      options.timeoutMs ?? 15_000,
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n--- child output ---\n${output}`));
    }
    child.on("message", (message: { type?: string; port?: number; instanceId?: string }) => {
      if (message.type === "ready" && message.port && message.instanceId) {
        clearTimeout(timer);
        resolve({ port: message.port, instanceId: message.instanceId });
      }
    });
    child.once("error", fail);
    child.once("exit", (code, signal) =>
      fail(new Error(`child instance exited early (code ${code}, signal ${signal})`)),
    );
  });
  child.removeAllListeners("exit");

  const pid = child.pid;
  if (pid === undefined) throw new Error("child instance has no pid");
  return {
    process: child,
    pid,
    instanceId: ready.instanceId,
    url: `ws://127.0.0.1:${ready.port}`,
    output: () => output,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      process.kill(pid, signal);
      await exited;
      children.delete(child);
    },
  };
}
