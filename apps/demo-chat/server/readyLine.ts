// The line an instance prints once it serves: people click its URL; the launcher and the tests parse it.
import type { InstanceName } from "./demoServer";

/** What a ready line says. */
export interface ReadyInfo {
  readonly instance: InstanceName;
  readonly url: string;
  readonly pid: number;
}

const READY_PATTERN = /^demo: instance ([AB]) ready at (\S+) \(pid (\d+)\)$/;

/** `demo: instance A ready at http://127.0.0.1:8701 (pid 1234)` */
export function formatReadyLine({ instance, url, pid }: ReadyInfo): string {
  return `demo: instance ${instance} ready at ${url} (pid ${pid})`;
}

/** The ready line's content, or `null` for any other line. */
export function parseReadyLine(line: string): ReadyInfo | null {
  const match = READY_PATTERN.exec(line.trim());
  if (!match) return null;
  return { instance: match[1] as InstanceName, url: match[2]!, pid: Number(match[3]) };
}

/** The URL people open for an instance listening on `host:port`: a wildcard host is reached through loopback. */
export function publicUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}
