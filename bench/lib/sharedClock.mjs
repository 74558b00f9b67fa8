// One clock every process on the machine shares: CLOCK_MONOTONIC (what process.hrtime reads on Linux), in
// milliseconds with fractions. A publisher stamps a message with it and a client in another process
// subtracts the stamp from its own reading: publish-to-deliver latency without clock skew (no NTP steps).

/** Milliseconds on the machine-wide monotonic clock. */
export function sharedNowMs() {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
