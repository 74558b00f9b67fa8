/** A Redis Cluster node's address, as a cluster client takes it in its seed list. */
export interface ClusterSeed {
  readonly host: string;
  readonly port: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The Redis Cluster the project runs on (testing/cluster-global-setup.mjs); absent on the single Redis. */
    redisCluster?: { seeds: ClusterSeed[] };
  }
}

/** The addresses of the run's Redis Cluster nodes, or undefined when the project runs on the single Redis. */
export declare function clusterSeedsOfRun(): ClusterSeed[] | undefined;
