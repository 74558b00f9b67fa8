import { afterEach, beforeEach } from "vitest";

/**
 * The process's unhandled rejections during each test of the calling file, emptied before each test: tests of
 * outages assert it stays empty, since a promise nobody awaited is how a lost Redis used to surface.
 */
export function collectUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => void process.off("unhandledRejection", onUnhandled));
  return unhandled;
}
