import { createInstanceId } from "@meshwork/redis-state";
import { ConnectionMetadataAccess } from "./access/connectionMetadataAccess";
import { Channels } from "./channels/channels";
import { ClusterBus } from "./cluster/clusterBus";
import { ClusterNode } from "./cluster/clusterNode";
import { CommandRouter } from "./commands/commandRouter";
import { ConnectionLifecycle } from "./connections/connectionLifecycle";
import { ConnectionManager } from "./connections/connectionManager";
import { FrameHandler } from "./connections/frameHandler";
import { Liveness } from "./connections/liveness";
import { LocalConnections } from "./connections/localConnections";
import { StateRegistrations } from "./connections/stateRegistrations";
import { Delivery } from "./delivery/delivery";
import { type MeshServerEventMap, type TypedEvents, createServerEvents } from "./events";
import { RequestLimiter } from "./limits/requestLimiter";
import { SubscriptionCap } from "./limits/subscriptionCap";
import { metricsRoute } from "./metrics/metricsHandler";
import { ServerMetrics } from "./metrics/serverMetrics";
import { type MeshServerOptions, resolveServerOptions } from "./options";
import { checkHealth } from "./health/checkHealth";
import { healthRoute } from "./health/healthHandler";
import type { HealthReport } from "./health/healthReport";
import { Presence } from "./presence/presence";
import { Records } from "./records/records";
import { ClientRooms } from "./rooms/clientRooms";
import { LocalRooms } from "./rooms/localRooms";
import { RoomManager } from "./rooms/roomManager";
import { RoomMembership } from "./rooms/roomMembership";
import type { MeshServerApi } from "./serverApi";
import type { ServerFeature } from "./serverFeature";
import type { ShutdownParts } from "./shutdown";
import { CommandGate } from "./shutdown/commandGate";
import { openStateStore } from "./stateStore";
import { type TransportHandlers, WsTransport } from "./transport/wsTransport";

/** What the public methods delegate to, and what shutdown takes apart. */
export interface ServerParts extends ShutdownParts {
  readonly events: TypedEvents<MeshServerEventMap>;
  readonly router: CommandRouter;
  readonly bus: ClusterBus;
  readonly delivery: Delivery;
  readonly rooms: RoomMembership;
  readonly clientRooms: ClientRooms;
  readonly channels: Channels;
  readonly records: Records;
  readonly presence: Presence;
  readonly instanceId: string;
  readonly connectionManager: ConnectionManager;
  readonly roomManager: RoomManager;
  /** Prometheus metrics (`server.metrics()`); a recorder that does nothing when they are off. */
  readonly metrics: ServerMetrics;
  /** Checks the listener, the shared state and the heartbeat (`server.health()`). */
  readonly health: () => Promise<HealthReport>;
  /** Settles once the listener listens (when owned) and the instance has joined the cluster. */
  readonly ready: Promise<void>;
}

/**
 * Builds a server's parts in dependency order, each before its first use, and starts listening (with `port`).
 * Every feature plugs in through the feature list: its commands, its connection cleanup, its shutdown.
 * @throws TypeError for contradictory or out-of-range options.
 */
export function buildServerParts(server: MeshServerApi, given: MeshServerOptions): ServerParts {
  const options = resolveServerOptions(given);
  const { logger, closeTimeout, shutdownTimeout } = options;
  const instanceId = createInstanceId();
  const { events, reportError } = createServerEvents(logger);
  const { state, owned: ownsState } = openStateStore(given, options.keyPrefix, logger, reportError);
  const local = new LocalConnections();
  const bus = new ClusterBus(state, instanceId, options.clusterRequestTimeout);
  const subscriptionCap = new SubscriptionCap(options.maxSubscriptionsPerConnection);
  const metrics = new ServerMetrics(options.metrics, {
    events,
    state,
    sources: { connections: () => local.size, presenceMembers: (): number => presence.localMemberCount() },
  });
  const shared = { state, bus, local, reportError, subscriptionCap, metrics: metrics.recorder };
  const metadataAccess = new ConnectionMetadataAccess(reportError);
  const presence = new Presence(shared, metadataAccess, options.heartbeatInterval);
  const localRooms = new LocalRooms(shared, presence.roomListener);
  const channels = new Channels(shared);
  const records = new Records(shared);
  const rooms = new RoomMembership(state, local, localRooms, bus, reportError);
  const clientRooms = new ClientRooms(shared, rooms, metadataAccess);
  const delivery = new Delivery(local, state, bus, localRooms, metrics.recorder);
  // Every feature plugs in here: its commands, its connection cleanup, its heartbeat work, its shutdown.
  const features: readonly ServerFeature[] = [localRooms, clientRooms, channels, records, presence, metrics];
  const gate = new CommandGate();
  const router = new CommandRouter(server, logger, gate, metrics.recorder);
  for (const feature of features) for (const command of feature.commands ?? []) router.registerBuiltin(command);
  const registrations = new StateRegistrations(state, instanceId, reportError);
  const node = new ClusterNode({
    ...shared,
    rooms: localRooms,
    timings: options,
    onInstanceDown: (downId, connections) => {
      presence.onInstanceReaped(connections);
      events.emit("instancedown", { instanceId: downId, connections });
    },
    afterHeartbeat: async () => {
      await registrations.retryFailed();
      await Promise.all(features.map((feature) => feature.onHeartbeat?.().catch(reportError)));
    },
  });
  // No connection is taken before the metrics exist, so none of its work goes uncounted.
  const joined = Promise.all([state.ready(), metrics.loaded]).then(() => node.start());
  const liveness = new Liveness(local, options);
  const rateLimit = options.rateLimit ? new RequestLimiter(options.rateLimit, logger) : null;
  const frames = new FrameHandler(router, liveness, options, rateLimit, logger, metrics.recorder);
  const connectionDeps = { options, registrations, local, frames, events, reportError, joined, features };
  const lifecycle = new ConnectionLifecycle({ ...connectionDeps, metrics: metrics.recorder });
  const accept: TransportHandlers["accept"] = (socket, request, metadata) => {
    lifecycle.accept(socket, request.socket.remoteAddress ?? "", metadata);
  };
  const health = (): Promise<HealthReport> =>
    checkHealth({
      instanceId,
      state,
      instanceTtl: options.instanceTtl,
      listening: () => transport.takingUpgrades,
      closing: () => transport.stopped,
      connections: () => local.size,
      heartbeatAge: () => node.heartbeatAge(),
    });
  const routes = [
    options.healthPath === undefined ? null : healthRoute(options.healthPath, { health }),
    options.metricsPath === undefined ? null : metricsRoute(options.metricsPath, { metrics: () => metrics.text() }),
  ].filter((route) => route !== null);
  const httpRequest: TransportHandlers["httpRequest"] =
    routes.length === 0 ? undefined : (request, response) => routes.some((route) => route(request, response));
  const transport = new WsTransport(options, {
    accept,
    reportError,
    httpRequest,
    connectionCount: () => local.size,
  });
  liveness.start();
  const ready = Promise.all([transport.listen(), joined]).then(() => undefined);
  // Reported even when nobody awaits ready(), so a failed listen is never silent.
  ready.catch(reportError);
  return {
    instanceId,
    connectionManager: new ConnectionManager(state, local),
    roomManager: new RoomManager(state),
    transport,
    liveness,
    lifecycle,
    gate,
    features,
    node,
    state,
    ownsState,
    closeTimeout,
    shutdownTimeout,
    reportError,
    events,
    router,
    bus,
    delivery,
    rooms,
    clientRooms,
    channels,
    records,
    presence,
    metrics,
    health,
    ready,
  };
}
