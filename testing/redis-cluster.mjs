// A real Redis Cluster of the caller's own, for the tests and benchmarks that run meshwork on a cluster: one
// redis-server process per node on loopback ports (no Docker), each in a temporary directory of its own (its
// nodes.conf survives a restart, so a restarted node rejoins), joined with `redis-cli --cluster create`, killed by
// pid. Nothing is persisted but the cluster configuration.
// Plain JavaScript with a type file beside it (redis-cluster.d.mts), like redis-server.mjs, whose launcher it uses.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isHealthy, readView, readinessProblems } from "./redis-cluster-view.mjs";
import { redisCommand } from "./redis-command.mjs";
import { RedisProcess, isFree } from "./redis-server.mjs";

const HOST = "127.0.0.1";
/** Redis listens for the cluster bus on its port + 10 000. */
const BUS_PORT_OFFSET = 10_000;
// Both a node's port and its bus port stay below Linux's ephemeral range (32768–60999), for the reason given in
// redis-server.mjs: a port there can be taken by any outgoing connection between the check and the bind.
const PORT_RANGE = { from: 20_000, to: 22_700 };
const POLL_INTERVAL_MS = 100;

/** A random port whose bus port is free too, both below the ephemeral range. */
async function freeClusterPort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if ((await isFree(port)) && (await isFree(port + BUS_PORT_OFFSET))) return port;
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A running Redis Cluster of this process's own. Made by {@link startRedisCluster}; `stop()` kills every node.
 */
export class RedisCluster {
  /** @type {RedisProcess[]} */
  #nodes = [];
  #dir = undefined;
  #nodeTimeoutMs;
  #deadlineMs;
  #stopping = undefined;
  /** The replicas each killed master had just before its kill, for `waitForPromotion`. */
  #replicasWhenKilled = new Map();
  // An aborted run (an uncaught error, process.exit) must not leave redis-server children behind: the 'exit' event
  // allows only synchronous work, which a SIGKILL by pid and a synchronous removal are.
  #killOnExit = () => {
    for (const node of this.#nodes) {
      if (node.pid !== undefined) {
        try {
          process.kill(node.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  };

  constructor({ nodeTimeoutMs, deadlineMs }) {
    this.#nodeTimeoutMs = nodeTimeoutMs;
    this.#deadlineMs = deadlineMs;
  }

  /** Starts the nodes, joins them into a cluster and waits until every node agrees it is ready. */
  static async start({ masters = 3, replicasPerMaster = 0, nodeTimeoutMs = 1_000, deadlineMs = 30_000 } = {}) {
    const cluster = new RedisCluster({ nodeTimeoutMs, deadlineMs });
    try {
      await cluster.#create(masters, replicasPerMaster, Date.now() + deadlineMs);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async #create(masters, replicasPerMaster, deadline) {
    if (masters < 3) throw new Error("a Redis Cluster needs at least 3 masters");
    process.on("exit", this.#killOnExit);
    this.#dir = await mkdtemp(join(tmpdir(), "meshwork-cluster-"));
    const count = masters * (1 + replicasPerMaster);
    // Settled, not raced: a node still starting when another failed must be listed before `stop()` runs.
    const launches = await Promise.allSettled(
      Array.from({ length: count }, async (_, index) => {
        const dir = join(this.#dir, `node-${index}`);
        await mkdir(dir);
        const args = [
          ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
          ...["--cluster-node-timeout", String(this.#nodeTimeoutMs)],
          // A replica takes over however long its link was down: a test kills masters on purpose.
          ...["--cluster-replica-validity-factor", "0", "--daemonize", "no"],
          // A replica's first sync starts at once, instead of 5 s later in case more replicas come.
          ...["--repl-diskless-sync-delay", "0"],
        ];
        this.#nodes.push(await RedisProcess.launch({ dir, args }, freeClusterPort));
      }),
    );
    const failed = launches.find((launch) => launch.status === "rejected");
    if (failed) throw failed.reason;
    const addresses = this.#nodes.map((node) => `${HOST}:${node.port}`);
    const command = ["--cluster", "create", ...addresses, "--cluster-replicas", String(replicasPerMaster)];
    try {
      await promisify(execFile)("redis-cli", [...command, "--cluster-yes"], {
        timeout: Math.max(deadline - Date.now(), 1),
      });
    } catch (error) {
      const reason = error.killed ? "did not finish before the startup deadline" : `failed: ${error.message}`;
      throw new Error(`redis-cli ${command.join(" ")} ${reason}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
    await this.waitForOk({ deadlineMs: deadline - Date.now() });
  }

  /** Every node started, running or killed: `pid` is undefined while a node is down. */
  get nodes() {
    return this.#nodes.map((node) => ({ host: HOST, port: node.port, pid: node.pid }));
  }

  /** Every node's address, for a cluster client's seed list. */
  seeds() {
    return this.#nodes.map((node) => ({ host: HOST, port: node.port }));
  }

  #running() {
    return this.#nodes.filter((node) => node.pid !== undefined);
  }

  /** The views of the running nodes that answer; each node's own entry gives its current role. */
  async #views() {
    const views = await Promise.all(this.#running().map((node) => readView(node.port).catch(() => undefined)));
    return views.filter((view) => view !== undefined);
  }

  /** The running masters, each as it describes itself: address and number of slots it owns. */
  async masters() {
    return (await this.#views())
      .filter((view) => view.myself?.flags.includes("master"))
      .map((view) => ({
        host: HOST,
        port: view.port,
        slots: view.myself.ranges.reduce((sum, range) => sum + range.to - range.from + 1, 0),
      }))
      .sort((a, b) => a.port - b.port);
  }

  /** The running replicas, each as it describes itself: address and the port of the master it replicates. */
  async replicas() {
    const views = await this.#views();
    return views
      .filter((view) => view.myself?.flags.includes("slave"))
      .map((view) => ({
        host: HOST,
        port: view.port,
        masterPort: view.nodes.find((node) => node.id === view.myself.masterId)?.port,
      }))
      .sort((a, b) => a.port - b.port);
  }

  /** The port of the running master that owns `key`'s slot, in that master's own view. */
  async masterOfKey(key) {
    const [anyNode] = this.#running();
    if (!anyNode) throw new Error("no Redis Cluster node is running");
    const slot = await redisCommand(anyNode.port, ["CLUSTER", "KEYSLOT", key]);
    if (typeof slot !== "number") throw new Error(`CLUSTER KEYSLOT answered ${String(slot)}`);
    const owner = (await this.#views()).find(
      (view) =>
        view.myself?.flags.includes("master") &&
        view.myself.ranges.some((range) => range.from <= slot && slot <= range.to),
    );
    if (!owner) throw new Error(`no running master owns slot ${slot} (key ${JSON.stringify(key)})`);
    return owner.port;
  }

  #node(port) {
    const node = this.#nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no Redis Cluster node of this cluster on port ${port}`);
    return node;
  }

  /** Kills the node on `port` by pid with `signal` (one that ends it: SIGKILL, SIGTERM) and waits for it to exit. */
  async kill(port, signal = "SIGKILL") {
    const node = this.#node(port);
    if (node.pid === undefined) throw new Error(`Redis Cluster node ${port} is not running`);
    const view = await readView(port).catch(() => undefined);
    const replicas = view?.nodes.filter((entry) => entry.masterId === view.myself?.id).map((entry) => entry.port);
    this.#replicasWhenKilled.set(port, replicas ?? []);
    await node.stop(signal);
  }

  /**
   * Starts the killed node on `port` again, same port and directory, and waits until it answers PING: it rejoins
   * with its nodes.conf (a master that was replaced comes back as a replica). `waitForOk()` waits for the rest.
   */
  async restart(port) {
    await this.#node(port).start(this.#deadlineMs);
  }

  /** Polls until `problemsOf(views)` finds none; rejects at the deadline with the last problems found. */
  async #waitFor(what, deadlineMs, problemsOf) {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const running = this.#running().map((node) => node.port);
      const problems = [];
      const views = await Promise.all(
        running.map((port) =>
          readView(port).catch((error) => {
            problems.push(`node ${port}: ${error.message}`);
            return undefined;
          }),
        ),
      );
      if (problems.length === 0) problems.push(...problemsOf(views, running));
      if (problems.length === 0) return views;
      if (Date.now() > deadline) {
        throw new Error(`Redis Cluster: ${what} not reached in ${deadlineMs} ms: ${problems.join("; ")}`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }

  /**
   * Resolves once every running node reports `cluster_state:ok`, all nodes agree on the owner of every slot, all
   * 16384 slots belong to running masters, no running node sees another as failing, and every replica's link to
   * its master is up.
   */
  async waitForOk({ deadlineMs = this.#deadlineMs } = {}) {
    await this.#waitFor("cluster_state:ok on every node", deadlineMs, readinessProblems);
  }

  /**
   * Resolves, with its port, once a node that was a replica of the killed master on `oldMasterPort` is a master
   * owning slots and the cluster is ok again (as `waitForOk`).
   */
  async waitForPromotion(oldMasterPort, { deadlineMs = this.#deadlineMs } = {}) {
    const replicas = this.#replicasWhenKilled.get(oldMasterPort);
    if (!replicas) throw new Error(`node ${oldMasterPort} was not killed through kill()`);
    if (replicas.length === 0) throw new Error(`node ${oldMasterPort} had no replicas when it was killed`);
    const isPromoted = (view) => view.myself?.flags.includes("master") && view.myself.ranges.length > 0;
    const views = await this.#waitFor(`promotion of a replica of ${oldMasterPort}`, deadlineMs, (views, running) => {
      const problems = readinessProblems(views, running);
      const promoted = views.find((view) => replicas.includes(view.port) && isPromoted(view) && isHealthy(view.myself));
      if (!promoted) problems.push(`no replica of ${oldMasterPort} (${replicas.join(", ")}) owns slots yet`);
      return problems;
    });
    return views.find((view) => replicas.includes(view.port) && isPromoted(view)).port;
  }

  /** Kills every node this cluster started by pid, waits for them to exit and removes their directories. */
  stop() {
    this.#stopping ??= (async () => {
      await Promise.all(this.#nodes.map((node) => node.stop("SIGKILL")));
      if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
      process.off("exit", this.#killOnExit);
    })();
    return this.#stopping;
  }
}

/**
 * Starts a Redis Cluster of `masters` masters with `replicasPerMaster` replicas each and resolves once every node
 * agrees it is ready (see {@link RedisCluster.waitForOk}); everything bounded by `deadlineMs`. When startup fails,
 * whatever was started is stopped before the promise rejects.
 */
export function startRedisCluster(options = {}) {
  return RedisCluster.start(options);
}
