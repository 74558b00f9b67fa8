import { type MeshState, createInstanceId } from "@meshwork/redis-state";
import { Channels } from "./channels/channels";
import { ClusterNode } from "./cluster/clusterNode";
import { CommandRouter } from "./commandRouter";
import { ConnectionLifecycle } from "./connectionLifecycle";
import { ConnectionManager } from "./connectionManager";
import { ConnectionRegistry } from "./connectionRegistry";
import { withDeadline } from "./deadline";
import { Delivery } from "./delivery";
import { type MeshServerEventMap, TypedEvents } from "./events";
import { FrameHandler } from "./frameHandler";
import { Liveness } from "./liveness";
import type { MeshServer } from "./meshServer";
import { type MeshServerOptions, type ResolvedServerOptions, resolveServerOptions } from "./options";
import { Records } from "./records/records";
import { RoomManager } from "./roomManager";
import { Rooms } from "./rooms";
import { openStateStore } from "./stateStore";
import { WsTransport } from "./wsTransport";

/** Everything a `MeshServer` is made of, wired together. */
export interface ServerParts {
  readonly options: ResolvedServerOptions;
  readonly instanceId: string;
  readonly state: MeshState;
  /** Whether the server made its state store, and so closes it. */
  readonly ownsState: boolean;
  readonly events: TypedEvents<MeshServerEventMap>;
  readonly registry: ConnectionRegistry;
  readonly router: CommandRouter;
  readonly node: ClusterNode;
  readonly delivery: Delivery;
  readonly rooms: Rooms;
  readonly roomManager: RoomManager;
  readonly connectionManager: ConnectionManager;
  readonly channels: Channels;
  readonly records: Records;
  readonly liveness: Liveness;
  readonly lifecycle: ConnectionLifecycle;
  readonly transport: WsTransport;
  /** Settles once the listener listens (when owned) and the instance has joined the cluster. */
  readonly ready: Promise<void>;
  /** Emits `error`, or logs when nobody listens. */
  readonly reportError: (error: unknown) => void;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Builds and starts the parts of a server: the state store, the cluster node (heartbeat, bus), commands, rooms,
 * channels, records, liveness and the WebSocket transport, which starts listening (with `port`) at once.
 * @throws TypeError for contradictory or out-of-range options.
 */
export function assembleServer(server: MeshServer, given: MeshServerOptions): ServerParts {
  const options = resolveServerOptions(given);
  const { logger, keyPrefix } = options;
  const instanceId = createInstanceId();
  const events: TypedEvents<MeshServerEventMap> = new TypedEvents<MeshServerEventMap>((error, event) => {
    if (event === "error") logger.error("meshwork: an error listener threw", error);
    else reportError(error);
  });
  const reportError = (error: unknown): void => {
    if (events.listenerCount("error") > 0) events.emit("error", toError(error));
    else logger.error("meshwork:", error);
  };
  const { state, owned: ownsState } = openStateStore(given, keyPrefix, logger, reportError);
  const registry = new ConnectionRegistry();
  const router = new CommandRouter(server, logger);
  let lifecycle: ConnectionLifecycle | undefined;
  const node = new ClusterNode({
    state,
    instanceId,
    registry,
    timings: options,
    onInstanceDown: (downId, connections) => events.emit("instancedown", { instanceId: downId, connections }),
    afterHeartbeat: async () => lifecycle?.retryUnregisters(),
    reportError,
  });
  const joined = state.ready().then(() => node.start());
  const delivery = new Delivery(registry, state, node);
  const rooms = new Rooms(state, registry, node, reportError);
  const roomManager = new RoomManager(state);
  const features = { router, state, node, registry, instanceId, reportError };
  const channels = new Channels(features);
  const records = new Records(features);
  const liveness = new Liveness(registry, options);
  lifecycle = new ConnectionLifecycle({
    options,
    state,
    instanceId,
    registry,
    frames: new FrameHandler(router, liveness, options, logger),
    events,
    reportError,
    joined,
    forgetLocal: async (connectionId) => {
      await Promise.all([node.forgetLocal(connectionId), channels.removeConnection(connectionId), records.removeConnection(connectionId)]);
    },
  });
  const accepting = lifecycle;
  const transport = new WsTransport(options, {
    accept: (socket, request, metadata) => {
      accepting.accept(socket, request.socket.remoteAddress ?? "", metadata);
    },
    reportError,
  });
  liveness.start();
  const ready = Promise.all([transport.listen(), joined]).then(() => undefined);
  // Reported even when nobody awaits ready(), so a failed listen is never silent.
  ready.catch(reportError);
  return {
    options,
    instanceId,
    state,
    ownsState,
    events,
    registry,
    router,
    node,
    delivery,
    rooms,
    roomManager,
    connectionManager: new ConnectionManager(state, registry),
    channels,
    records,
    liveness,
    lifecycle,
    transport,
    ready,
    reportError,
  };
}

/**
 * Shuts a server down: no new upgrades, every connection closed and unregistered, timers stopped, the cluster
 * left (bounded by `closeTimeout`), the owned listener and state store closed.
 */
export async function shutdownServer(parts: ServerParts): Promise<void> {
  const { transport, liveness, lifecycle, node, options, reportError } = parts;
  transport.stopAccepting();
  liveness.stop();
  await lifecycle.closeAll();
  // Leaving the cluster needs Redis; when it is unreachable, shutting down must not wait for its retries.
  // What is left behind is reaped by a survivor once this instance's heartbeat expires.
  const left = await withDeadline(node.stop(), options.closeTimeout).catch((error: unknown) => {
    reportError(error);
    return true;
  });
  if (!left) reportError(new Error("meshwork: could not leave the cluster in time; survivors will reap this instance"));
  await transport.close();
  if (parts.ownsState) await parts.state.close();
}
