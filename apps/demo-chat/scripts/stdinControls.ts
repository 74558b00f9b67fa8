// The launcher's line-based controls on standard input.
import type { InstanceName } from "../server/demoServer";

/** What a line typed into the launcher asks for. */
export type Control =
  | { readonly kind: "restart"; readonly instance: InstanceName }
  | { readonly kind: "stop" }
  | { readonly kind: "help" }
  | { readonly kind: "none" }
  | { readonly kind: "unknown"; readonly line: string };

/** The controls, as `help` prints them. */
export const CONTROLS_HELP =
  'demo: controls: "restart A" or "restart B" restarts that instance, "stop" (or Ctrl-C) stops the demo, "help" shows this';

/** Reads one line of input (case and surrounding spaces do not matter). */
export function parseControl(line: string): Control {
  const words = line.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: "none" };
  if (words.length === 2 && words[0] === "restart" && (words[1] === "a" || words[1] === "b")) {
    return { kind: "restart", instance: words[1].toUpperCase() as InstanceName };
  }
  if (words.length === 1 && (words[0] === "stop" || words[0] === "quit" || words[0] === "exit"))
    return { kind: "stop" };
  if (words.length === 1 && words[0] === "help") return { kind: "help" };
  return { kind: "unknown", line: line.trim() };
}
