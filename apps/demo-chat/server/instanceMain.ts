// Entry of one instance in a process of its own: a child of the launcher (the Redis cluster mode) or a container.
// Reads DEMO_INSTANCE and the settings of demoConfig.ts, prints the ready line, and closes cleanly on SIGINT or
// SIGTERM, or when the launcher that started it goes away (its IPC channel closes).
import { parseInstanceName, readDemoConfig } from "./demoConfig";
import { startInstance } from "./instance";
import { formatReadyLine } from "./readyLine";

const config = readDemoConfig();
const instance = parseInstanceName(process.env.DEMO_INSTANCE);

let running: Awaited<ReturnType<typeof startInstance>> | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await running?.close();
  process.exit(0);
}

process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
if (process.send) process.on("disconnect", () => void stop());

try {
  running = await startInstance({
    instance,
    port: config.ports[instance],
    host: config.host,
    keyPrefix: config.keyPrefix,
    redis: config.redisUrl,
  });
  if (stopping) await running.close();
  else console.log(formatReadyLine({ instance, url: running.url, pid: process.pid }));
} catch (error) {
  console.error(`demo: instance ${instance} could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
