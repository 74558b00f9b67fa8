import type { MeshKeys } from "../keys";

/**
 * Where a message on the cross-instance bus goes: to every instance, to one instance, or to the
 * instances that listen to a room, channel, record or room's presence because they have a local member or subscriber.
 */
export type BusTopic =
  | { readonly kind: "all" }
  | { readonly kind: "instance"; readonly instanceId: string }
  | { readonly kind: "room"; readonly room: string }
  | { readonly kind: "channel"; readonly channel: string }
  | { readonly kind: "record"; readonly recordId: string }
  | { readonly kind: "presence"; readonly room: string };

/** Receives the messages published to a topic this endpoint subscribed to. */
export type BusHandler = (message: string) => void;

/**
 * One instance's endpoint on the cross-instance bus. Delivery is at most once and in publish order
 * per topic and publisher; an instance also receives what it publishes itself to topics it listens to,
 * so publishers tag their messages when they must ignore their own echoes.
 */
export interface MeshBus {
  /** Publishes a message to a topic: one Redis PUBLISH. */
  publish(topic: BusTopic, message: string): Promise<void>;

  /**
   * Listens to a topic. Resolves once the subscription is active, so a message published after that
   * is received. Subscribing again replaces the handler without a second subscription.
   */
  subscribe(topic: BusTopic, handler: BusHandler): Promise<void>;

  /** Stops listening to a topic. Unknown topics are ignored. */
  unsubscribe(topic: BusTopic): Promise<void>;

  /** Topics currently subscribed, as their channel names: for diagnostics and leak tests. */
  subscribedChannels(): string[];

  /** Drops every subscription and the connection behind them. Idempotent. */
  close(): Promise<void>;
}

/** Channel name of a topic: the same names the Redis bus uses, so diagnostics read alike. */
export function channelOf(keys: MeshKeys, topic: BusTopic): string {
  switch (topic.kind) {
    case "all":
      return keys.busAll();
    case "instance":
      return keys.busInstance(topic.instanceId);
    case "room":
      return keys.busRoom(topic.room);
    case "channel":
      return keys.busChannel(topic.channel);
    case "record":
      return keys.busRecord(topic.recordId);
    case "presence":
      return keys.presence(topic.room).bus;
  }
}
