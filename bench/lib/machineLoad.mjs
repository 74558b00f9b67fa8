// CPU time the whole machine spent busy, to tell how much of a window went to processes other than
// the benchmark's own (a build or test run next to the bench skews every figure).
import { readFileSync } from "node:fs";
import os from "node:os";

/** Busy and total CPU time of all cores so far, in seconds. */
export function machineCpu() {
  try {
    // /proc/stat counts softirq and steal too, which os.cpus() leaves out.
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const hz = 100; // USER_HZ: 100 on every Linux architecture Node supports.
    const busy = user + nice + system + irq + softirq + steal;
    // Interrupt time (mostly loopback TCP processing here) is not charged to any process.
    return { busyS: busy / hz, irqS: (irq + softirq) / hz, totalS: (busy + idle + iowait) / hz };
  } catch {
    let busy = 0;
    let total = 0;
    for (const { times } of os.cpus()) {
      busy += times.user + times.nice + times.sys + times.irq;
      total += times.user + times.nice + times.sys + times.irq + times.idle;
    }
    return { busyS: busy / 1000, irqS: 0, totalS: total / 1000 };
  }
}

/**
 * What the machine did between two `machineCpu()` readings: busy seconds, and those spent in
 * interrupts, which no process is charged for (the kernel's share of loopback traffic).
 */
export function busyBetween(before, after) {
  return { busyS: after.busyS - before.busyS, irqS: after.irqS - before.irqS };
}
