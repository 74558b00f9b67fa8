// `pnpm demo`: builds the web app when needed, then runs instances A and B, each one HTTP server with the web app
// and the WebSocket on one port. With a Redis answering at REDIS_URL each instance is a child process (a
// two-process cluster); without one both run in this process on one shared in-memory state. SIGINT, SIGTERM or
// "stop" end everything it started and exit 0. See the app's README.md for the settings and controls.
import { createInterface } from "node:readline";
import { MemoryState } from "@meshwork/redis-state";
import { INSTANCE_NAMES, readDemoConfig } from "../server/demoConfig";
import type { InstanceName } from "../server/demoServer";
import { formatReadyLine, type ReadyInfo } from "../server/readyLine";
import { buildWebAppIfStale } from "./buildWebApp";
import { ChildInstance } from "./childInstance";
import type { DemoInstance } from "./demoInstance";
import { EmbeddedInstance } from "./embeddedInstance";
import { REDIS_PROBE_TIMEOUT_MS, redisAnswers } from "./redisProbe";
import { CONTROLS_HELP, parseControl } from "./stdinControls";

const log = (line: string) => console.log(line);
const config = readDemoConfig();
const building = new AbortController();
const instances = new Map<InstanceName, DemoInstance>();
// Each instance's start, restart and stop run one after another, so a stop never races a restart.
const queues = new Map<InstanceName, Promise<unknown>>();
let sharedState: MemoryState | null = null;
let stopping: Promise<void> | null = null;

function enqueue<T>(name: InstanceName, step: () => Promise<T>): Promise<T> {
  const next = (queues.get(name) ?? Promise.resolve()).catch(() => {}).then(step);
  queues.set(name, next);
  return next;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function shutdown(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    log("demo: stopping…");
    building.abort();
    await Promise.all([...instances].map(([name, instance]) => enqueue(name, () => instance.stop()).catch(() => {})));
    await sharedState?.close();
    log("demo: stopped");
    process.exit(exitCode);
  })();
  return stopping;
}

async function startOne(name: InstanceName): Promise<ReadyInfo> {
  const instance = instances.get(name)!;
  const info = await enqueue(name, async () => {
    if (stopping) throw new Error("the demo is stopping");
    return instance.start();
  });
  log(formatReadyLine(info));
  return info;
}

async function restart(name: InstanceName): Promise<void> {
  log(`demo: restarting instance ${name}…`);
  await enqueue(name, () => instances.get(name)!.stop());
  try {
    await startOne(name);
  } catch (error) {
    log(`demo: instance ${name} did not come back: ${message(error)}; type "restart ${name}" to try again`);
  }
}

function createInstances(withRedis: boolean): void {
  if (!withRedis) sharedState = new MemoryState(config.keyPrefix);
  for (const name of INSTANCE_NAMES) {
    const instance = sharedState
      ? new EmbeddedInstance(name, {
          port: config.ports[name],
          host: config.host,
          keyPrefix: config.keyPrefix,
          state: sharedState,
        })
      : new ChildInstance(name, process.env, {
          onOutput: (from, line, stream) => (stream === "stderr" ? console.error : console.log)(`${from} | ${line}`),
          onUnexpectedExit: (from, code, signal) =>
            log(
              `demo: instance ${from} stopped unexpectedly (${code ?? signal}); type "restart ${from}" to start it again`,
            ),
        });
    instances.set(name, instance);
  }
}

function listenForControls(): void {
  // Not in terminal mode: the terminal keeps turning Ctrl-C into SIGINT for the whole process group.
  createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
    const control = parseControl(line);
    if (control.kind === "restart") void restart(control.instance);
    else if (control.kind === "stop") void shutdown(0);
    else if (control.kind === "help") log(CONTROLS_HELP);
    else if (control.kind === "unknown") log(`demo: unknown control "${control.line}"; type "help"`);
  });
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  await buildWebAppIfStale(log, building.signal);
  const withRedis = await redisAnswers(config.redisUrl);
  log(
    withRedis
      ? `demo: Redis answers at ${config.redisUrl}: instances A and B run as two processes (key prefix "${config.keyPrefix}")`
      : `demo: no Redis answered at ${config.redisUrl} within ${REDIS_PROBE_TIMEOUT_MS / 1000} s, so A and B run in this process on embedded in-memory state (start Redis for a two-process cluster)`,
  );
  createInstances(withRedis);
  const ready = await Promise.all(INSTANCE_NAMES.map(startOne));
  log(`demo: open ${ready.map((info) => `${info.url} (instance ${info.instance})`).join(" and ")} in two windows`);
  log(CONTROLS_HELP);
  listenForControls();
} catch (error) {
  if (!stopping) {
    console.error(`demo: ${message(error)}`);
    await shutdown(1);
  }
}
