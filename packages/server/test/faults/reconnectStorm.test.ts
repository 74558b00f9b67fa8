// A reconnect storm: 2,000 clients, each subscribed to a channel, lose their instance at once (a child process
// SIGKILLed) and come back to a new instance started on the same port. Every client must be back with its
// subscription within a bound, and the backoff jitter must spread their attempts over time instead of landing
// them in one instant. The new instance timestamps every upgrade that reaches it; the histogram is printed.
//
// File descriptors: 2,000 client sockets plus 2,000 server-side sockets live in this process after the restart;
// the limit here is `ulimit -n` 20000 (the test checks it has room only by connecting; nothing raises it).
import type { MeshClient } from "@meshwork/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startInstance, testPrefix } from "../cluster/support/cluster";
import { killChildren, startChildInstance } from "../cluster/support/childInstance";
import { nextReconnect } from "../cluster/support/reconnects";
import { TEST_REDIS_URL } from "../cluster/support/redis";

const CLIENTS = 2_000;
const CHANNELS = 20;
const BACKOFF = { reconnectInterval: 500, maxReconnectInterval: 4_000 };
// All back within this many ms of the kill (printed with the measurement).
const BOUND_MS = 20_000;
const BUCKET_MS = 250;
const timings = { heartbeatInterval: 500, instanceTtl: 2_000 };

afterEach(killChildren);

type Client = MeshClient & { connectionId: string };

async function inBatches(count: number, width: number, task: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => task(start + i)));
  }
}

/** Counts per bucket of `width` ms, from 0 to the last value, as printable lines with a bar each. */
function histogram(values: number[], width: number): string {
  const counts = new Array<number>(Math.floor(Math.max(0, ...values) / width) + 1).fill(0);
  for (const value of values) counts[Math.floor(value / width)]!++;
  const most = Math.max(1, ...counts);
  return counts
    .map((count, bucket) => {
      const from = String(bucket * width).padStart(5);
      return `${from}–${String((bucket + 1) * width).padEnd(5)} ms ${String(count).padStart(4)} ${"#".repeat(Math.ceil((count / most) * 40))}`;
    })
    .join("\n");
}

describe("a reconnect storm of 2,000 clients", () => {
  it("brings every client back with its subscription within the bound, spread by the backoff jitter", async () => {
    const prefix = testPrefix();
    const channels = Array.from({ length: CHANNELS }, (_, i) => `storm-${i}`);
    const A = await startChildInstance({ redis: TEST_REDIS_URL, keyPrefix: prefix, ...timings, expose: { channels } });
    const port = Number(new URL(A.url).port);

    const setupStarted = performance.now();
    const clients: Client[] = [];
    const received: unknown[][] = [];
    await inBatches(CLIENTS, 100, async (i) => {
      const client = await connectClient(A.url, BACKOFF);
      received[i] = [];
      const answer = await client.subscribe(channels[i % CHANNELS]!, (message) => received[i]!.push(message));
      expect(answer.success).toBe(true);
      clients[i] = client;
    });
    const setupMs = performance.now() - setupStarted;

    const back: number[] = [];
    const arrivals: number[] = [];
    const killedAt = performance.now();
    const allBack = Promise.all(
      clients.map((client) => nextReconnect(client).then(() => void back.push(performance.now() - killedAt))),
    );
    await A.kill("SIGKILL");
    const B: Instance = await startInstance(prefix, {
      ...timings,
      port,
      authenticateConnection: () => {
        arrivals.push(performance.now() - killedAt);
        return {};
      },
    });
    const listeningMs = performance.now() - killedAt;
    for (const channel of channels) B.server.exposeChannel(channel);
    await eventually(() => expect(back).toHaveLength(CLIENTS), BOUND_MS);
    await allBack;
    const allBackMs = performance.now() - killedAt;

    // Every subscription is back: one message per channel reaches all 2,000.
    for (const channel of channels) await B.server.publishToChannel(channel, `after:${channel}`);
    await eventually(() => {
      const got = received.filter((messages, i) => messages.at(-1) === `after:${channels[i % CHANNELS]}`);
      expect(got).toHaveLength(CLIENTS);
    }, 5_000);
    expect(B.server.connectionManager.getLocalConnections()).toHaveLength(CLIENTS);

    back.sort((x, y) => x - y);
    arrivals.sort((x, y) => x - y);
    const at = (values: number[], q: number): number =>
      Math.round(values[Math.min(values.length - 1, Math.floor(q * values.length))]!);
    console.info(
      `[reconnect storm] ${CLIENTS} clients on ${CHANNELS} channels set up in ${Math.round(setupMs)} ms; new ` +
        `instance listening ${Math.round(listeningMs)} ms after the kill; ${arrivals.length} upgrades reached it; ` +
        `all back with their subscriptions ${Math.round(allBackMs)} ms after the kill (bound ${BOUND_MS} ms); ` +
        `reconnect event p10 ${at(back, 0.1)} p50 ${at(back, 0.5)} p90 ${at(back, 0.9)} max ${at(back, 1)} ms; ` +
        `backoff ${JSON.stringify(BACKOFF)}, equal jitter.\nUpgrades reaching the new instance, by time since the kill:\n` +
        histogram(arrivals, BUCKET_MS),
    );
    expect(allBackMs).toBeLessThan(BOUND_MS);
    // The jitter spreads the first attempts over [interval / 2, interval]: no bucket holds most of them.
    const busiest = Math.max(
      ...Array.from(
        { length: Math.ceil(at(arrivals, 1) / BUCKET_MS) + 1 },
        (_, bucket) => arrivals.filter((t) => Math.floor(t / BUCKET_MS) === bucket).length,
      ),
    );
    expect(busiest).toBeLessThan(CLIENTS / 2);
  }, 90_000);
});
