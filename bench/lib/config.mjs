// Benchmark settings: the committed defaults (BENCHMARKS.md figures come from them), each overridable by one BENCH_*
// environment variable (bench/README.md lists them).

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

/** The settings of the harness and of the rpc and idle-memory scenarios; throws on a bad value. */
export function loadConfig() {
  return {
    scenarios: envList("BENCH_SCENARIOS"),
    servers: envList("BENCH_SERVERS"),
    rounds: envInt("BENCH_ROUNDS", 3, { min: 1, max: 20 }),
    rpc: {
      connections: envInt("BENCH_CONNECTIONS", 64, { min: 1, max: 10_000 }),
      inFlight: envInt("BENCH_IN_FLIGHT", 8, { min: 1, max: 1_000 }),
      warmupMs: envInt("BENCH_WARMUP_MS", 2_000, { min: 0, max: 60_000 }),
      durationMs: envInt("BENCH_DURATION_MS", 6_000, { min: 100, max: 300_000 }),
      payload: JSON.parse(process.env.BENCH_PAYLOAD || '"hello world"'),
      maxRequests: envInt("BENCH_MAX_REQUESTS", 50_000_000, { min: 1 }),
    },
    idle: {
      connections: envInt("BENCH_IDLE_CONNECTIONS", 5_000, { min: 1, max: 15_000 }),
      batchSize: envInt("BENCH_CONNECT_BATCH", 250, { min: 1, max: 5_000 }),
      // Opened and closed before the baseline, so lazily built code and caches are not counted per connection.
      primeConnections: envInt("BENCH_PRIME_CONNECTIONS", 100, { min: 0, max: 5_000 }),
      settleMs: envInt("BENCH_SETTLE_MS", 1_000, { min: 0, max: 60_000 }),
      gcRounds: envInt("BENCH_GC_ROUNDS", 4, { min: 1, max: 20 }),
    },
    startTimeoutMs: envInt("BENCH_START_TIMEOUT_MS", 20_000, { min: 1_000 }),
    callTimeoutMs: envInt("BENCH_CALL_TIMEOUT_MS", 60_000, { min: 1_000 }),
    serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean),
  };
}

/**
 * The settings of the redis-shards scenario (BENCH_RS_*): which Redis shapes and measurements run, the cluster's
 * masters, the streams (rooms with members per instance, records with subscribers), the messages each stream keeps
 * in flight, and the phases' lengths; throws on a bad value.
 */
export function redisShardsConfig() {
  const env = (name, fallback, range) => envInt(`BENCH_RS_${name}`, fallback, range);
  const pick = (name, known, fallback) => {
    const list = envList(`BENCH_RS_${name}`) ?? fallback;
    const unknown = list.find((x) => !known.includes(x));
    if (unknown) throw new Error(`BENCH_RS_${name}: unknown "${unknown}" (known: ${known.join(", ")})`);
    return list;
  };
  return {
    topologies: pick("TOPOLOGIES", ["single", "cluster"], ["single", "cluster"]),
    measurements: pick("MEASUREMENTS", ["broadcasts", "records"], ["broadcasts", "records"]),
    masters: env("MASTERS", 3, { min: 3, max: 16 }),
    rooms: env("ROOMS", 128, { min: 2, max: 10_000 }),
    roomMembers: env("ROOM_MEMBERS", 2, { min: 1, max: 100 }),
    records: env("RECORDS", 256, { min: 2, max: 10_000 }),
    recordSubscribers: env("RECORD_SUBSCRIBERS", 2, { min: 1, max: 100 }),
    inFlight: env("IN_FLIGHT", 2, { min: 1, max: 100 }),
    paddingBytes: env("PADDING", 64, { max: 100_000 }),
    warmupMs: env("WARMUP_MS", 1_000, { max: 60_000 }),
    durationMs: env("DURATION_MS", 3_000, { min: 200, max: 120_000 }),
    rounds: env("ROUNDS", 3, { min: 1, max: 20 }),
    drainMs: env("DRAIN_MS", 5_000, { min: 100, max: 60_000 }),
  };
}
