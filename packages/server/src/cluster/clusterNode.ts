import { type BusTopic, InstanceMonitor, type MeshBus, type MeshState, type ReapedConnection } from "@meshwork/redis-state";
import type { ConnectionRegistry } from "../connectionRegistry";
import { AckTracker } from "./ackTracker";
import { type BusHeader, type BusMessage, decodeBusMessage, encodeBusMessage } from "@meshwork/redis-state";
import { PreparedFrame } from "../preparedFrame";
import { RoomIndex } from "./roomIndex";

/** Timings of the cluster, from the server options. */
export interface ClusterTimings {
  readonly heartbeatInterval: number;
  readonly instanceTtl: number;
  readonly clusterRequestTimeout: number;
}

/** What the node needs from the server that owns it. */
export interface ClusterNodeDeps {
  readonly state: MeshState;
  readonly instanceId: string;
  readonly registry: ConnectionRegistry;
  readonly timings: ClusterTimings;
  readonly onInstanceDown: (instanceId: string, connections: ReapedConnection[]) => void;
  /** Runs after every heartbeat that reached the store. */
  readonly afterHeartbeat: () => Promise<void>;
  readonly reportError: (error: unknown) => void;
}

type RoomChange = "room-add" | "room-remove";

/**
 * This instance's place in the cluster: its endpoint on the bus, its heartbeat, and the local room index
 * that decides which room topics it listens to.
 *
 * Topics: every instance listens to `all` and to its own `instance` topic, always; it listens to a room's
 * topic only while it has a local member of that room. A push is published once and each receiving
 * instance delivers it to its own sockets; the publisher delivers to its own sockets directly and drops
 * the echo of its own message.
 */
export class ClusterNode {
  readonly rooms = new RoomIndex();
  private readonly bus: MeshBus;
  private readonly acks: AckTracker;
  private readonly monitor: InstanceMonitor;
  private readonly roomHandlers = new Map<string, (message: string) => void>();
  // Room subscriptions under way, so a second local member joining meanwhile waits for the same one.
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(private readonly deps: ClusterNodeDeps) {
    this.bus = deps.state.createBus();
    this.acks = new AckTracker(deps.timings.clusterRequestTimeout);
    this.monitor = new InstanceMonitor({
      state: deps.state,
      instanceId: deps.instanceId,
      heartbeatInterval: deps.timings.heartbeatInterval,
      instanceTtl: deps.timings.instanceTtl,
      onInstanceReaped: deps.onInstanceDown,
      onExpired: () => this.registerAgain(),
      onHeartbeat: deps.afterHeartbeat,
      onError: deps.reportError,
    });
  }

  /** Joins the cluster: listens to its topics and starts heartbeating. */
  async start(): Promise<void> {
    const { instanceId } = this.deps;
    await this.bus.subscribe({ kind: "all" }, (message) => this.onMessage(message, null));
    await this.bus.subscribe({ kind: "instance", instanceId }, (message) => this.onMessage(message, null));
    await this.monitor.start();
  }

  /**
   * Leaves the cluster: stops heartbeating and removes whatever of this instance's state is left (normally
   * nothing: its connections were closed and unregistered first), then drops its subscriptions.
   */
  async stop(): Promise<void> {
    await this.monitor.stop();
    this.acks.cancelAll();
    try {
      await this.deps.state.instances.reap(this.deps.instanceId, { force: true });
    } finally {
      await this.bus.close();
    }
  }

  /** Publishes a push frame (already encoded) with its routing header. */
  publishPush(topic: Parameters<MeshBus["publish"]>[0], header: Omit<Extract<BusHeader, { t: "push" }>, "t" | "o">, frame: string): Promise<void> {
    return this.bus.publish(topic, encodeBusMessage({ t: "push", o: this.deps.instanceId, ...header }, frame));
  }

  /** Publishes a control message without a frame. */
  publishControl(topic: Parameters<MeshBus["publish"]>[0], header: BusHeader): Promise<void> {
    return this.bus.publish(topic, encodeBusMessage(header));
  }

  /** The header fields every message from this instance carries. */
  get origin(): string {
    return this.deps.instanceId;
  }

  /**
   * Asks the instance that serves a connection to add it to (or remove it from) a room in its local index,
   * and waits for the acknowledgement, so a room broadcast sent after this resolves reaches the connection.
   * Resolves false when the instance did not answer in time (it may be gone; its state is then reaped).
   */
  async requestRoomChange(instanceId: string, change: RoomChange, room: string, connectionId: string): Promise<boolean> {
    const { id, acknowledged } = this.acks.expect();
    await this.bus.publish(
      { kind: "instance", instanceId },
      encodeBusMessage({ t: change, o: this.origin, room, conn: connectionId, ack: id }),
    );
    return acknowledged;
  }

  /**
   * Adds a local connection to a room; listens to the room's topic when it is the room's first local member.
   * Resolves once the instance listens, also for a member that joins while the first one's subscription is
   * still under way.
   */
  async joinLocal(room: string, connectionId: string): Promise<void> {
    if (!this.rooms.add(room, connectionId)) {
      await this.subscribing.get(room);
      return;
    }
    const handler = (message: string): void => this.onMessage(message, room);
    this.roomHandlers.set(room, handler);
    const subscribed = this.bus.subscribe({ kind: "room", room }, handler);
    this.subscribing.set(room, subscribed);
    try {
      await subscribed;
    } finally {
      if (this.subscribing.get(room) === subscribed) this.subscribing.delete(room);
    }
  }

  /** Removes a local connection from a room; stops listening when no local member is left. */
  async leaveLocal(room: string, connectionId: string): Promise<void> {
    if (this.rooms.remove(room, connectionId)) await this.stopListening(room);
  }

  /** Removes a local connection from every room (it disconnected); stops listening to rooms left empty. */
  async forgetLocal(connectionId: string): Promise<void> {
    await Promise.all(this.rooms.removeConnection(connectionId).map((room) => this.stopListening(room)));
  }

  /** Removes every local member of a room. */
  async clearLocal(room: string): Promise<void> {
    if (this.rooms.clear(room).length > 0) await this.stopListening(room);
  }

  /** Listens to a topic outside the node's own routing (application channels), with a handler of its own. */
  listen(topic: BusTopic, handler: (message: string) => void): Promise<void> {
    return this.bus.subscribe(topic, handler);
  }

  /** Stops listening to a topic taken with {@link listen}. */
  unlisten(topic: BusTopic): Promise<void> {
    return this.bus.unsubscribe(topic);
  }

  /** Channels this instance listens to: for diagnostics and leak tests. */
  subscribedChannels(): string[] {
    return this.bus.subscribedChannels();
  }

  /** Runs one heartbeat and sweep now (tests, diagnostics). */
  tick(): Promise<void> {
    return this.monitor.tick();
  }

  private async stopListening(room: string): Promise<void> {
    // A member may have joined again while the unsubscribe was being decided.
    if (this.rooms.membersOf(room).size > 0) return;
    this.roomHandlers.delete(room);
    await this.bus.unsubscribe({ kind: "room", room });
  }

  private onMessage(text: string, room: string | null): void {
    const message = decodeBusMessage(text);
    if (!message || message.header.o === this.deps.instanceId) return;
    try {
      this.dispatch(message, room);
    } catch (error) {
      this.deps.reportError(error);
    }
  }

  private dispatch({ header, frame }: BusMessage, room: string | null): void {
    switch (header.t) {
      case "push":
        this.deliver(frame, header.to, header.x, room);
        return;
      case "room-add":
      case "room-remove":
        void this.reconcileMembership(header.room, header.conn).then(() =>
          this.publishControl({ kind: "instance", instanceId: header.o }, { t: "ack", o: this.origin, ack: header.ack }),
        ).catch(this.deps.reportError);
        return;
      case "room-clear":
        if (room !== null) void this.applyRoomClear(room).catch(this.deps.reportError);
        return;
      case "ack":
        this.acks.acknowledge(header.ack);
        return;
      case "close":
        this.deps.registry.get(header.conn)?.close(header.code, header.reason);
        return;
      case "channel":
        // Application channel messages travel on channel topics, each with its own handler.
        return;
    }
  }

  /**
   * Makes the local index agree with the shared state about one membership that another instance changed.
   * The message only says that the membership changed, not what it is now: two changes made concurrently on
   * two instances can arrive here in the opposite order to the one the store applied them in, and trusting
   * the message kind would leave a local member the store no longer has (a ghost that keeps receiving room
   * broadcasts). So the owner reads the membership. Reads are issued in arrival order on the store's one
   * command connection, answered in that order and applied synchronously on arrival, so the last one applied
   * saw every change published before it.
   */
  private async reconcileMembership(room: string, connectionId: string): Promise<void> {
    const member = await this.deps.state.rooms.isMember(room, connectionId);
    // The connection may have closed meanwhile: its cleanup removes it from the store and the local index.
    if (member && this.deps.registry.get(connectionId)?.isOpen) await this.joinLocal(room, connectionId);
    else await this.leaveLocal(room, connectionId);
  }

  /**
   * Another instance cleared a room. The local members go at once, so a room broadcast published after the
   * clear reaches none of them; then those that the store lists again (added concurrently, after the clear)
   * come back, for the same reason as in {@link reconcileMembership}.
   */
  private async applyRoomClear(room: string): Promise<void> {
    const cleared = [...this.rooms.membersOf(room)];
    if (cleared.length === 0) return;
    // Read first, so the read goes out in arrival order like every other reconciliation.
    const current = this.deps.state.rooms.members(room);
    const stopped = this.clearLocal(room);
    const rejoined = current.then((list) => {
      const members = new Set(list);
      const back = cleared.filter((id) => members.has(id) && this.deps.registry.get(id)?.isOpen);
      return Promise.all(back.map((id) => this.joinLocal(room, id)));
    });
    await Promise.all([stopped, rejoined]);
  }

  private deliver(frameText: string, to: readonly string[] | undefined, exclude: readonly string[] | undefined, room: string | null): void {
    const frame = new PreparedFrame(Buffer.from(frameText));
    const { registry } = this.deps;
    if (to) {
      for (const id of to) registry.get(id)?.sendFrame(frame);
      return;
    }
    const excluded = exclude && exclude.length > 0 ? new Set(exclude) : null;
    if (room !== null) {
      for (const id of this.rooms.membersOf(room)) if (!excluded?.has(id)) registry.get(id)?.sendFrame(frame);
      return;
    }
    for (const connection of registry.values()) if (!excluded?.has(connection.id)) connection.sendFrame(frame);
  }

  /**
   * This instance's heartbeat had expired (Redis was away longer than the TTL, or the process stalled), so a
   * survivor may have removed its state. Registers every open local connection and membership again. What is
   * gone for good is the metadata of those connections; docs/architecture.md says so.
   */
  private async registerAgain(): Promise<void> {
    const { state, instanceId, registry } = this.deps;
    for (const connection of registry.values()) {
      if (connection.isOpen) await state.connections.register(connection.id, instanceId);
    }
    for (const [room, connectionId] of this.rooms.memberships()) {
      if (registry.get(connectionId)?.isOpen) await state.rooms.addMember(room, connectionId);
    }
  }
}
