import { describe, expect, it } from "vitest";
import { PingWatchdog, pingCheckInterval } from "../../src/pingWatchdog";

describe("PingWatchdog", () => {
  it("expires once more than maxMissed checks in a row saw no ping", () => {
    const watchdog = new PingWatchdog(1);
    expect(watchdog.check()).toBe(false);
    expect(watchdog.missed).toBe(1);
    expect(watchdog.check()).toBe(true);
  });

  it("counts a check after a ping as fine and resets the missed count", () => {
    const watchdog = new PingWatchdog(1);
    watchdog.check();
    watchdog.notePing();
    expect(watchdog.missed).toBe(0);
    expect(watchdog.check()).toBe(false);
    expect(watchdog.check()).toBe(false);
    expect(watchdog.check()).toBe(true);
  });

  it("expires on the first silent check with maxMissed 0", () => {
    const watchdog = new PingWatchdog(0);
    expect(watchdog.check()).toBe(true);
  });

  it("stays alive while every period has a ping", () => {
    const watchdog = new PingWatchdog(0);
    for (let period = 0; period < 10; period += 1) {
      watchdog.notePing();
      expect(watchdog.check()).toBe(false);
    }
  });
});

describe("pingCheckInterval", () => {
  it("uses the longer of pingTimeout and the server's ping interval", () => {
    expect(pingCheckInterval(30_000, 30_000)).toBe(30_000);
    expect(pingCheckInterval(10, 150)).toBe(150);
    expect(pingCheckInterval(500, 150)).toBe(500);
  });

  it("is off when the server sends no pings or the client disabled checks", () => {
    expect(pingCheckInterval(30_000, 0)).toBeUndefined();
    expect(pingCheckInterval(0, 30_000)).toBeUndefined();
    expect(pingCheckInterval(Number.POSITIVE_INFINITY, 30_000)).toBeUndefined();
  });
});
