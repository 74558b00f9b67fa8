// Seed samples print with console.log; tests capture what they print. The spies are removed after each test.
import { afterEach, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
});

/** What console.log printed from now until the end of the test, captured (and not shown). */
export function captureConsole(): unknown[][] {
  const printed: unknown[][] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(args);
  });
  return printed;
}
