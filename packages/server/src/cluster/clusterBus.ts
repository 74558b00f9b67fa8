import { type BusHeader, type BusTopic, type MeshBus, type MeshState, encodeBusMessage } from "@meshwork/redis-state";
import { AckTracker } from "./ackTracker";

/** A room change another instance is asked to carry out for one of its connections. */
export type RoomChange = "room-add" | "room-remove";

/**
 * This instance's endpoint on the bus: it publishes what instances say to each other, tagged with this instance's
 * id, subscribes topics for whoever holds them, and tracks the requests that wait for another instance's
 * acknowledgement. It decides nothing about what it receives: the cluster node and the topic holders do.
 */
export class ClusterBus {
  private readonly bus: MeshBus;
  private readonly acks: AckTracker;

  constructor(
    state: MeshState,
    /** This instance's id: the origin of everything it publishes. */
    readonly instanceId: string,
    requestTimeout: number,
  ) {
    this.bus = state.createBus();
    this.acks = new AckTracker(requestTimeout);
  }

  /** Publishes a push frame (already encoded) with its routing header. */
  publishPush(
    topic: BusTopic,
    header: Omit<Extract<BusHeader, { t: "push" }>, "t" | "o">,
    frame: string,
  ): Promise<void> {
    return this.bus.publish(topic, encodeBusMessage({ t: "push", o: this.instanceId, ...header }, frame));
  }

  /** Publishes a control message without a frame. */
  publishControl(topic: BusTopic, header: BusHeader): Promise<void> {
    return this.bus.publish(topic, encodeBusMessage(header));
  }

  /**
   * Asks the instance that serves a connection to add it to (or remove it from) a room locally, and waits for the
   * acknowledgement. Resolves false when the instance did not answer in time (it may be gone; its state is then
   * reaped).
   */
  async requestRoomChange(
    instanceId: string,
    change: RoomChange,
    room: string,
    connectionId: string,
  ): Promise<boolean> {
    const { id, acknowledged } = this.acks.expect();
    await this.bus.publish(
      { kind: "instance", instanceId },
      encodeBusMessage({ t: change, o: this.instanceId, room, conn: connectionId, ack: id }),
    );
    return acknowledged;
  }

  /** Settles a request of this instance as acknowledged. */
  acknowledge(ack: number): void {
    this.acks.acknowledge(ack);
  }

  /** Settles every pending request as not acknowledged (on shutdown). */
  cancelRequests(): void {
    this.acks.cancelAll();
  }

  /** Listens to a topic; resolves once the subscription is active. Subscribing again replaces the handler. */
  subscribe(topic: BusTopic, handler: (message: string) => void): Promise<void> {
    return this.bus.subscribe(topic, handler);
  }

  /** Stops listening to a topic. */
  unsubscribe(topic: BusTopic): Promise<void> {
    return this.bus.unsubscribe(topic);
  }

  /** Channels this instance listens to: for diagnostics and leak tests. */
  subscribedChannels(): string[] {
    return this.bus.subscribedChannels();
  }

  /** Drops every subscription and the connection behind them. */
  close(): Promise<void> {
    return this.bus.close();
  }
}
