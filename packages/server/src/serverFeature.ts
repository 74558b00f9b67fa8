import type { z } from "zod";
import type { MeshState } from "@meshwork/redis-state";
import type { ClusterBus } from "./cluster/clusterBus";
import type { LocalConnections } from "./connections/localConnections";
import type { SubscriptionCap } from "./limits/subscriptionCap";
import type { MetricsRecorder } from "./metrics/metricsRecorder";
import type { CommandHandler, PayloadSchema } from "./serverApi";

/** One of meshwork's own `mesh/…` commands, served by a feature. */
export interface BuiltinCommand {
  /** The reserved name clients call it by. */
  readonly name: string;
  /** Validates (and types) the payload; an invalid one is answered with `INVALID_PAYLOAD`. */
  readonly schema: PayloadSchema;
  readonly handler: CommandHandler;
}

/** A built-in command whose handler sees the payload as its schema's output. */
export function builtinCommand<S extends PayloadSchema>(
  name: string,
  schema: S,
  handler: CommandHandler<z.output<S>>,
): BuiltinCommand {
  return { name, schema, handler };
}

/**
 * What a feature (rooms, channels, records, …) plugs into the server with. The server registers the commands of
 * every feature, tells every feature when a connection closed, and closes them in order on shutdown, so a new
 * feature is a new folder and one entry in the server's feature list, not edits across the server.
 */
export interface ServerFeature {
  /** Built-in commands, registered at construction. They run through the global middleware like any command. */
  readonly commands?: readonly BuiltinCommand[];
  /**
   * A connection of this instance closed: drop what the feature keeps for it locally. Runs once per connection,
   * after it was unregistered from the shared state; a rejection is reported, never thrown at the caller.
   */
  onConnectionClosed?(connectionId: string): Promise<void>;
  /**
   * Runs after each heartbeat of this instance that reached the store (renewing what the instance keeps alive,
   * sweeping what expired); a rejection is reported.
   */
  onHeartbeat?(): Promise<void>;
  /** The server shuts down: every connection is gone; release what the feature holds before the cluster is left. */
  close?(): Promise<void>;
}

/** What every feature is built with: the shared state, this instance's bus endpoint and connections, error reporting. */
export interface FeatureDeps {
  readonly state: MeshState;
  readonly bus: ClusterBus;
  readonly local: LocalConnections;
  readonly reportError: (error: unknown) => void;
  /** Counts every connection's channels, records, rooms and presence watches; checked before a client adds one. */
  readonly subscriptionCap: SubscriptionCap;
  /** Where publishes are counted (a recorder that does nothing when metrics are off). */
  readonly metrics: MetricsRecorder;
}
