// CPU of other processes by pid, read from Linux /proc/<pid>/stat: the same reading for a redis-server, a server
// child and a load child, so their shares of the machine add up.
import { readFileSync } from "node:fs";

// USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture Node supports.
const TICKS_PER_S = 100;

/** User + system CPU seconds of `pid` (every thread of it) so far; NaN when it cannot be read. */
export function processCpuSeconds(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the command name, which may itself hold spaces and parentheses: state is field 3, utime 14,
    // stime 15.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts a window over `groups` (`{ name: [pid, …] }`); the function returned ends it with each pid's CPU as a
 * percentage of one core over the window (`{ name: [percent, …] }`) and the window's length in seconds.
 */
export function processCpuWindow(groups) {
  const start = performance.now();
  const before = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.map(processCpuSeconds)]));
  return () => {
    const seconds = (performance.now() - start) / 1000;
    const percent = Object.fromEntries(
      Object.entries(groups).map(([k, pids]) => [
        k,
        pids.map((pid, i) => (100 * (processCpuSeconds(pid) - before[k][i])) / seconds),
      ]),
    );
    return { seconds, percent };
  };
}
