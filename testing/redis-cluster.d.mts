/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Masters, each owning an equal share of the 16384 slots. At least 3. @default 3 */
  readonly masters?: number;
  /** Replicas of each master. @default 0 */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node may not answer before it counts as failing. @default 1000 */
  readonly nodeTimeoutMs?: number;
  /** The bound on startup, and the default bound of every wait. @default 30000 */
  readonly deadlineMs?: number;
}

/** A node's address, as a cluster client takes it in its seed list. */
export interface RedisClusterAddress {
  readonly host: "127.0.0.1";
  readonly port: number;
}

/** A node started by the cluster; `pid` is undefined while it is killed. */
export interface RedisClusterNode extends RedisClusterAddress {
  readonly pid: number | undefined;
}

/** A master as it describes itself (its own CLUSTER NODES entry). */
export interface RedisClusterMaster extends RedisClusterAddress {
  /** How many slots it owns. */
  readonly slots: number;
}

/** A replica as it describes itself (its own CLUSTER NODES entry). */
export interface RedisClusterReplica extends RedisClusterAddress {
  /** The port of the master it replicates. */
  readonly masterPort: number | undefined;
}

/** Options of the waits. */
export interface RedisClusterWaitOptions {
  /** @default the cluster's `deadlineMs` */
  readonly deadlineMs?: number;
}

/**
 * A running Redis Cluster of this process's own: one redis-server per node on a loopback port, each in a temporary
 * directory of its own, killed by pid.
 */
export declare class RedisCluster {
  /** Starts a cluster; {@link startRedisCluster} is the same. */
  static start(options?: RedisClusterOptions): Promise<RedisCluster>;
  /** Every node started, running or killed. */
  get nodes(): RedisClusterNode[];
  /** Every node's address, for a cluster client's seed list (ioredis `new Cluster(cluster.seeds())`). */
  seeds(): RedisClusterAddress[];
  /** The running masters, from their own CLUSTER NODES entries, in port order. */
  masters(): Promise<RedisClusterMaster[]>;
  /** The running replicas, from their own CLUSTER NODES entries, in port order. */
  replicas(): Promise<RedisClusterReplica[]>;
  /** The port of the running master that owns `key`'s slot (CLUSTER KEYSLOT, then that master's own view). */
  masterOfKey(key: string): Promise<number>;
  /**
   * Kills the node on `port` by pid with a signal that ends it (SIGKILL, SIGTERM) and waits for it to exit.
   * @default signal "SIGKILL"
   */
  kill(port: number, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts a killed node again on the same port and directory and waits until it answers PING; it rejoins with its
   * nodes.conf (a replaced master comes back as a replica). `waitForOk()` waits until the cluster agrees again.
   */
  restart(port: number): Promise<void>;
  /**
   * Resolves once every running node reports `cluster_state:ok`, all nodes agree on the owner of every slot, all
   * 16384 slots belong to running masters, no running node sees another as failing, and every replica's link is
   * up; rejects at the deadline naming what was not ready.
   */
  waitForOk(options?: RedisClusterWaitOptions): Promise<void>;
  /**
   * Resolves with the port of the former replica of the master killed on `oldMasterPort` that now owns its slots,
   * once the cluster is ok again (as {@link waitForOk}).
   */
  waitForPromotion(oldMasterPort: number, options?: RedisClusterWaitOptions): Promise<number>;
  /** Kills every node by pid, waits for them to exit and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster (`redis-cli --cluster create`) and resolves once every node agrees it is ready; bounded
 * by `deadlineMs`, naming what was not ready. When startup fails, whatever was started is stopped first.
 */
export declare function startRedisCluster(options?: RedisClusterOptions): Promise<RedisCluster>;
