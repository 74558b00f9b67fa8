// The demo as its users meet it: `pnpm demo`'s launcher runs instances A and B, and people on two browser pages,
// one per instance, chat, see each other, share a record, and keep going while instance B restarts. Run once
// against Redis (two processes) and once with no Redis answering (both instances in the launcher's process).
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadyInfo } from "../server/readyLine";
import { ChatPage, SHOW_TIMEOUT } from "./support/chatPage";
import { launchChromium } from "./support/chromium";
import { DemoLauncher } from "./support/demoLauncher";
import { freePort, isAlive, portIsFree, processesWithEnv } from "./support/processes";
import { deleteKeysWithPrefix } from "./support/redisKeys";
import { watchStatus } from "./support/statusHistory";

const OUTPUT_DIR = fileURLToPath(new URL("../test-output/", import.meta.url));
const REDIS_URL = "redis://127.0.0.1:6379";
const RECONNECT_TIMEOUT = 30_000;

const MODES = [
  { mode: "redis", redisUrl: async () => REDIS_URL, banner: "demo: Redis answers at" },
  // A loopback port where nothing listens: the launcher finds no Redis and embeds the state.
  {
    mode: "embedded",
    redisUrl: async () => `redis://127.0.0.1:${await freePort()}`,
    banner: "demo: no Redis answered",
  },
] as const;

let browser: Browser;
beforeAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(MODES)("pnpm demo ($mode)", ({ mode, redisUrl, banner }) => {
  const keyPrefix = `demo-e2e:${mode}:${randomUUID()}:`;
  const ports = { A: 0, B: 0 };
  let launcher: DemoLauncher;
  let a: ReadyInfo;
  let b: ReadyInfo;
  let alice: ChatPage;
  let bob: ChatPage;

  beforeAll(async () => {
    ports.A = await freePort();
    ports.B = await freePort();
    launcher = new DemoLauncher({
      DEMO_PORT_A: String(ports.A),
      DEMO_PORT_B: String(ports.B),
      REDIS_URL: await redisUrl(),
      DEMO_KEY_PREFIX: keyPrefix,
    });
    a = await launcher.waitForReady("A");
    b = await launcher.waitForReady("B");
    expect(
      launcher.lines.filter((line) => line.startsWith(banner)),
      launcher.output,
    ).toHaveLength(1);
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    if (launcher?.isRunning) launcher.kill();
    if (mode === "redis") await deleteKeysWithPrefix(REDIS_URL, keyPrefix);
  });

  it("carries chat, presence, typing, the shared record and commands between the two instances", async () => {
    expect(a.url).toBe(`http://127.0.0.1:${ports.A}`);
    expect(b.url).toBe(`http://127.0.0.1:${ports.B}`);
    alice = await ChatPage.open(browser, a.url, "Alice");
    bob = await ChatPage.open(browser, b.url, "Bob");
    await alice.expectText("instance-badge", /\bA\b/);
    await bob.expectText("instance-badge", /\bB\b/);

    await alice.send("Hello from A");
    await bob.expectMessage("Alice", "Hello from A");
    await bob.send("Hello from B");
    await alice.expectMessage("Bob", "Hello from B");

    await alice.expectMembers("Alice", "Bob");
    await bob.expectMembers("Alice", "Bob");

    await bob.byTestId("message-input").pressSequentially("I am typ", { delay: 30 });
    await alice.expectText("typing-indicator", /Bob is typing…/);
    await bob.byTestId("message-input").fill("");

    await expect
      .poll(async () => (await alice.recordVersion()) === (await bob.recordVersion()), { timeout: SHOW_TIMEOUT })
      .toBe(true);
    const before = await alice.recordVersion();
    await bob.saveTopic(`Topic set on B (${mode})`);
    await alice.expectRecord(`Topic set on B (${mode})`, before + 1);
    await bob.expectRecord(`Topic set on B (${mode})`, before + 1);

    const carol = await ChatPage.open(browser, a.url, "Carol");
    await carol.expectMessage("Alice", "Hello from A");
    await carol.expectMessage("Bob", "Hello from B");
    await carol.close();

    await bob.byTestId("command-button").click();
    await bob.expectText("command-answer", /\bB\b/);
    await alice.byTestId("command-button").click();
    await alice.expectText("command-answer", /\bA\b/);

    await alice.screenshot(`${OUTPUT_DIR}${mode}-page-1-instance-A.png`);
    await bob.screenshot(`${OUTPUT_DIR}${mode}-page-2-instance-B.png`);
  });

  it("brings page 2 back live, without a reload, after instance B restarts", async () => {
    const statuses = await watchStatus(bob.page);
    launcher.send("restart B");
    const restarted = await launcher.waitForReady("B", 2);
    if (mode === "redis") expect(restarted.pid).not.toBe(b.pid);

    // The page noticed the restart (it left "connected") and came back by itself.
    await expect
      .poll(async () => (await statuses.seen()).some((status) => status !== "connected"), { timeout: SHOW_TIMEOUT })
      .toBe(true);
    // The client's reconnect backoff may have grown while B was down: a few attempts' worth of time.
    await bob.expectStatus("connected", RECONNECT_TIMEOUT);
    expect(await statuses.samePage()).toBe(true);

    await bob.send("Back on B");
    await alice.expectMessage("Bob", "Back on B");
    await alice.send("Welcome back from A");
    await bob.expectMessage("Alice", "Welcome back from A");
    await alice.expectMembers("Alice", "Bob");
    await bob.expectMembers("Alice", "Bob");

    await expect
      .poll(async () => (await alice.recordVersion()) === (await bob.recordVersion()), { timeout: SHOW_TIMEOUT })
      .toBe(true);
    const before = await bob.recordVersion();
    await bob.saveTopic(`Topic after the restart (${mode})`);
    await alice.expectRecord(`Topic after the restart (${mode})`, before + 1);
    await bob.expectRecord(`Topic after the restart (${mode})`, before + 1);
    await bob.screenshot(`${OUTPUT_DIR}${mode}-page-2-after-restart.png`);
  });

  it("stops everything it started on SIGINT and exits 0", async () => {
    const pids = new Set(launcher.ready.map((info) => info.pid));
    expect(await launcher.interrupt(), launcher.output).toEqual({ code: 0, signal: null });
    expect(await portIsFree(ports.A)).toBe(true);
    expect(await portIsFree(ports.B)).toBe(true);
    expect([...pids].filter(isAlive)).toEqual([]);
    expect(processesWithEnv("DEMO_KEY_PREFIX", keyPrefix)).toEqual([]);
  });
});
