// Benchmark settings: fixed defaults, each overridable by one BENCH_* environment variable.
// The defaults are the committed configuration; BENCHMARKS.md figures come from them.

/** Every server and load generator listens or connects here only: loopback, never another host. */
export const HOST = "127.0.0.1";

/** An integer setting from the environment, or `fallback`; throws when it is not an integer in range. */
export function envInt(name, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw} is not an integer in [${min}, ${max}]`);
  }
  return value;
}

/** A comma-separated list from the environment; undefined when unset or empty. */
export function envList(name) {
  const list = (process.env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/** The entries of `all` named in `ids` (all of them when `ids` is undefined); throws on an unknown id. */
export function selectById(all, ids, what) {
  if (!ids) return all;
  return ids.map((id) => {
    const found = all.find((x) => x.id === id);
    if (!found) throw new Error(`unknown ${what} "${id}" (known: ${all.map((x) => x.id).join(", ")})`);
    return found;
  });
}

function envJson(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`${name} must be JSON text, e.g. ${name}='"hello world"'`);
  }
}

/** Reads the configuration of the harness and of the rpc and idle-memory scenarios; throws on a bad value. */
export function loadConfig() {
  return {
    /** Scenario ids to run, in the order given; the defaults when unset. */
    scenarios: envList("BENCH_SCENARIOS"),
    /** Server ids of the rpc and idle-memory scenarios; all when unset. */
    servers: envList("BENCH_SERVERS"),
    /** Times each rpc measurement is repeated (servers interleaved); the median run is reported. */
    rounds: envInt("BENCH_ROUNDS", 3, { min: 1, max: 20 }),
    rpc: {
      connections: envInt("BENCH_CONNECTIONS", 64, { min: 1, max: 10_000 }),
      inFlight: envInt("BENCH_IN_FLIGHT", 8, { min: 1, max: 1_000 }),
      warmupMs: envInt("BENCH_WARMUP_MS", 2_000, { min: 0, max: 60_000 }),
      durationMs: envInt("BENCH_DURATION_MS", 6_000, { min: 100, max: 300_000 }),
      payload: envJson("BENCH_PAYLOAD", "hello world"),
      /** Hard cap on requests one load process sends in a run, so the loop is bounded in count as well as time. */
      maxRequests: envInt("BENCH_MAX_REQUESTS", 50_000_000, { min: 1 }),
    },
    idle: {
      connections: envInt("BENCH_IDLE_CONNECTIONS", 5_000, { min: 1, max: 15_000 }),
      /** Connections opened at once; the next batch starts when the previous one is open. */
      batchSize: envInt("BENCH_CONNECT_BATCH", 250, { min: 1, max: 5_000 }),
      /** Opened and closed before the baseline, so lazily built code and caches are not counted per connection. */
      primeConnections: envInt("BENCH_PRIME_CONNECTIONS", 100, { min: 0, max: 5_000 }),
      settleMs: envInt("BENCH_SETTLE_MS", 1_000, { min: 0, max: 60_000 }),
      gcRounds: envInt("BENCH_GC_ROUNDS", 4, { min: 1, max: 20 }),
    },
    startTimeoutMs: envInt("BENCH_START_TIMEOUT_MS", 20_000, { min: 1_000 }),
    /** Timeout of every other wait on a child (one IPC call, opening a batch, draining). */
    callTimeoutMs: envInt("BENCH_CALL_TIMEOUT_MS", 60_000, { min: 1_000 }),
    /** Extra node flags for server children only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean),
    verbose: process.env.BENCH_VERBOSE === "1",
  };
}

/** The BENCH_* variables set for this run, to print beside the command. */
export function benchEnvOverrides() {
  return Object.keys(process.env)
    .filter((k) => k.startsWith("BENCH_"))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
}
