import type { MeshState } from "@meshwork/redis-state";
import type { ClusterNode } from "./cluster/clusterNode";
import type { ConnectionLifecycle } from "./connections/connectionLifecycle";
import type { Liveness } from "./connections/liveness";
import { withDeadline } from "./deadline";
import type { ServerFeature } from "./serverFeature";
import type { CommandGate } from "./shutdown/commandGate";
import type { WsTransport } from "./transport/wsTransport";

/** What a server is shut down with. */
export interface ShutdownParts {
  readonly transport: WsTransport;
  readonly liveness: Liveness;
  readonly lifecycle: ConnectionLifecycle;
  /** The commands running; shutdown stops taking new ones and waits for these. */
  readonly gate: CommandGate;
  readonly features: readonly ServerFeature[];
  readonly node: ClusterNode;
  readonly state: MeshState;
  /** Whether the server made its state store, and so closes it. */
  readonly ownsState: boolean;
  readonly closeTimeout: number;
  readonly shutdownTimeout: number;
  readonly reportError: (error: unknown) => void;
}

/**
 * Shuts a server down, each step bounded:
 *
 * 1. no new upgrades (HTTP 503) and no new commands (answered `SHUTTING_DOWN`, not run);
 * 2. the commands already running finish and their answers are written (at most `shutdownTimeout`);
 * 3. every connection is closed with 1001 and unregistered with its rooms and presence (`closeTimeout` for the
 *    peers' acknowledgements, `closeTimeout` for the cleanup), timers stopped, the features closed in order;
 * 4. the cluster is left, removing whatever of the instance is left in shared state (`closeTimeout`);
 * 5. the owned listener and state store are closed.
 */
export async function shutdownServer(parts: ShutdownParts): Promise<void> {
  const { transport, liveness, lifecycle, gate, features, node, closeTimeout, reportError } = parts;
  transport.stopAccepting();
  const drained = await gate.drain(parts.shutdownTimeout);
  if (!drained) {
    reportError(
      new Error(
        `meshwork: ${gate.inFlight} command(s) still running after shutdownTimeout (${parts.shutdownTimeout} ms); their connections are closed anyway`,
      ),
    );
  }
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
