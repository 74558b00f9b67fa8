import { describe, expect, it } from "vitest";
import { wireShutdownSignals } from "../../../src/shutdown/signals";

// SIGUSR2 stands in for SIGTERM: emitting a signal event only calls listeners, and this one has none of the
// test runner's own.
const SIGNAL = "SIGUSR2";

function target(close: () => Promise<void>) {
  const errors: unknown[] = [];
  return { errors, close, reportError: (error: unknown) => errors.push(error), closeBound: 1_000 };
}

describe("wireShutdownSignals", () => {
  it("closes once on the first signal, exits 0, and leaves later signals to Node", async () => {
    let closes = 0;
    const exits: number[] = [];
    const exited = new Promise<void>((resolve) => {
      wireShutdownSignals(
        target(async () => {
          closes++;
        }),
        {
          signals: [SIGNAL],
          exit: (code) => {
            exits.push(code);
            resolve();
          },
        },
      );
    });
    const before = process.listenerCount(SIGNAL);
    process.emit(SIGNAL);
    expect(process.listenerCount(SIGNAL)).toBe(before - 1);
    await exited;
    expect({ closes, exits }).toEqual({ closes: 1, exits: [0] });
  });

  it("exits 1 when close() fails or outlasts the timeout", async () => {
    const failing = target(() => Promise.reject(new Error("boom")));
    const failed = new Promise<number>((resolve) => wireShutdownSignals(failing, { signals: [SIGNAL], exit: resolve }));
    process.emit(SIGNAL);
    expect(await failed).toBe(1);
    expect(failing.errors).toEqual([new Error("boom")]);

    const hanging = target(() => new Promise(() => {}));
    const timedOut = new Promise<number>((resolve) =>
      wireShutdownSignals(hanging, { signals: [SIGNAL], timeout: 50, exit: resolve }),
    );
    process.emit(SIGNAL);
    expect(await timedOut).toBe(1);
  });

  it("returns a function that unwires the signals", () => {
    const before = process.listenerCount(SIGNAL);
    const unwire = wireShutdownSignals(
      target(async () => {}),
      { signals: [SIGNAL], exit: () => {} },
    );
    expect(process.listenerCount(SIGNAL)).toBe(before + 1);
    unwire();
    expect(process.listenerCount(SIGNAL)).toBe(before);
  });
});
