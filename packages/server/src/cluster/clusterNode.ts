import {
  type BusHeader,
  type BusMessage,
  InstanceMonitor,
  type MeshState,
  type ReapedConnection,
  decodeBusMessage,
} from "@meshwork/redis-state";
import { CLOSE_CODES } from "@meshwork/protocol";
import type { LocalConnections } from "../connections/localConnections";
import { deliverBusPush } from "../delivery/localFanout";
import type { ClusterBus } from "./clusterBus";

/** Timings of the cluster, from the server options. */
export interface ClusterTimings {
  readonly heartbeatInterval: number;
  readonly instanceTtl: number;
}

/** What the node needs to know of this instance's local room memberships. */
export interface LocalRoomMemberships {
  /**
   * Another instance changed the membership of one of this instance's connections in a room: make the local
   * membership agree with the shared state.
   */
  reconcile(room: string, connectionId: string): Promise<void>;
  /** Every local membership, as [room, connectionId] pairs. */
  memberships(): Iterable<[string, string]>;
}

/** What the node needs from the server that owns it. */
export interface ClusterNodeDeps {
  readonly state: MeshState;
  readonly bus: ClusterBus;
  readonly local: LocalConnections;
  readonly rooms: LocalRoomMemberships;
  readonly timings: ClusterTimings;
  readonly onInstanceDown: (instanceId: string, connections: ReapedConnection[]) => void;
  /** Runs after every heartbeat that reached the store. */
  readonly afterHeartbeat: () => Promise<void>;
  readonly reportError: (error: unknown) => void;
}

/**
 * This instance's place in the cluster: its heartbeat, and the two topics it always listens to, `all` and its own
 * `instance` topic, with what arrives on them. Rooms, channels and records listen to their own topics while they
 * have a local member (see `TopicSubscriptions`).
 *
 * A push is published once and each receiving instance delivers it to its own sockets; the publisher delivers to
 * its own sockets directly and drops the echo of its own message.
 */
export class ClusterNode {
  private readonly monitor: InstanceMonitor;

  constructor(private readonly deps: ClusterNodeDeps) {
    this.monitor = new InstanceMonitor({
      state: deps.state,
      instanceId: deps.bus.instanceId,
      heartbeatInterval: deps.timings.heartbeatInterval,
      instanceTtl: deps.timings.instanceTtl,
      onInstanceReaped: deps.onInstanceDown,
      onStateReset: async () => this.closeForStateReset(),
      onExpired: () => this.registerAgain(),
      onHeartbeat: deps.afterHeartbeat,
      onError: deps.reportError,
    });
  }

  /** Joins the cluster: listens to its topics and starts heartbeating. */
  async start(): Promise<void> {
    const { bus } = this.deps;
    await bus.subscribe({ kind: "all" }, (message) => this.onMessage(message));
    await bus.subscribe({ kind: "instance", instanceId: bus.instanceId }, (message) => this.onMessage(message));
    await this.monitor.start();
  }

  /**
   * Leaves the cluster: stops heartbeating and removes whatever of this instance's state is left (normally
   * nothing: its connections were closed and unregistered first), then drops its subscriptions.
   */
  async stop(): Promise<void> {
    const { bus, state } = this.deps;
    await this.monitor.stop();
    bus.cancelRequests();
    try {
      await state.instances.reap(bus.instanceId, { force: true });
    } finally {
      await bus.close();
    }
  }

  /** Milliseconds since this instance's last heartbeat reached the store; `undefined` before the first. */
  heartbeatAge(): number | undefined {
    return this.monitor.heartbeatAge();
  }

  /** Runs one heartbeat and sweep now (tests, diagnostics). */
  tick(): Promise<void> {
    return this.monitor.tick();
  }

  private onMessage(text: string): void {
    const message = decodeBusMessage(text);
    if (!message || message.header.o === this.deps.bus.instanceId) return;
    try {
      this.dispatch(message);
    } catch (error) {
      this.deps.reportError(error);
    }
  }

  private dispatch({ header, frame }: BusMessage): void {
    const { bus, local, rooms, reportError } = this.deps;
    switch (header.t) {
      case "push":
        deliverBusPush(local, frame, header, null);
        return;
      case "room-add":
      case "room-remove": {
        const ack: BusHeader = { t: "ack", o: bus.instanceId, ack: header.ack };
        void rooms
          .reconcile(header.room, header.conn)
          .then(() => bus.publishControl({ kind: "instance", instanceId: header.o }, ack))
          .catch(reportError);
        return;
      }
      case "ack":
        bus.acknowledge(header.ack);
        return;
      case "close":
        local.get(header.conn)?.close(header.code, header.reason);
        return;
      case "room-clear":
      case "channel":
        // Sent on room and channel topics, whose holders handle them.
        return;
    }
  }

  /**
   * This instance's heartbeat had expired (Redis was away longer than the TTL, or the process stalled), so a
   * survivor may have removed its state. Registers every open local connection and membership again. What is
   * gone for good is the metadata of those connections; docs/architecture.md says so.
   */
  /**
   * The shared state lost its data: clients still compare what they receive with what they held before (record
   * versions that start again from 1 would be dropped as already seen, patches applied to a value that is gone).
   * Closing them with `STATE_RESET` makes them reconnect and subscribe afresh, taking the new values and versions.
   */
  private closeForStateReset(): void {
    const { code, reason } = CLOSE_CODES.STATE_RESET;
    const open = [...this.deps.local.values()].filter((connection) => connection.isOpen);
    if (open.length > 0) {
      this.deps.reportError(
        new Error(`meshwork: the shared state lost its data; closing ${open.length} connection(s) so they resubscribe`),
      );
    }
    for (const connection of open) connection.close(code, reason);
  }

  private async registerAgain(): Promise<void> {
    const { state, bus, local, rooms } = this.deps;
    for (const connection of local.values()) {
      if (connection.isOpen) await state.connections.register(connection.id, bus.instanceId);
    }
    for (const [room, connectionId] of rooms.memberships()) {
      if (local.get(connectionId)?.isOpen) await state.rooms.addMember(room, connectionId);
    }
  }
}
