import type { MeshState } from "@meshwork/redis-state";
import type { ClusterNode } from "./cluster/clusterNode";
import type { ConnectionLifecycle } from "./connections/connectionLifecycle";
import type { Liveness } from "./connections/liveness";
import { withDeadline } from "./deadline";
import type { ServerFeature } from "./serverFeature";
import type { WsTransport } from "./transport/wsTransport";

/** What a server is shut down with. */
export interface ShutdownParts {
  readonly transport: WsTransport;
  readonly liveness: Liveness;
  readonly lifecycle: ConnectionLifecycle;
  readonly features: readonly ServerFeature[];
  readonly node: ClusterNode;
  readonly state: MeshState;
  /** Whether the server made its state store, and so closes it. */
  readonly ownsState: boolean;
  readonly closeTimeout: number;
  readonly reportError: (error: unknown) => void;
}

/**
 * Shuts a server down: no new upgrades, every connection closed and unregistered, timers stopped, the features
 * closed in order, the cluster left (bounded by `closeTimeout`), the owned listener and state store closed.
 */
export async function shutdownServer(parts: ShutdownParts): Promise<void> {
  const { transport, liveness, lifecycle, features, node, closeTimeout, reportError } = parts;
  transport.stopAccepting();
  liveness.stop();
  await lifecycle.closeAll();
  for (const feature of features) await feature.close?.().catch(reportError);
  // Leaving the cluster needs Redis; when it is unreachable, shutting down must not wait for its retries.
  // What is left behind is reaped by a survivor once this instance's heartbeat expires.
  const left = await withDeadline(node.stop(), closeTimeout).catch((error: unknown) => {
    reportError(error);
    return true;
  });
  if (!left) reportError(new Error("meshwork: could not leave the cluster in time; survivors will reap this instance"));
  await transport.close();
  if (parts.ownsState) await parts.state.close();
}
