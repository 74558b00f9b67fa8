import { Cluster } from "ioredis";
import type { MeshKeys } from "../keys";
import { RedisAvailability } from "../redis/redisAvailability";
import type { RedisClient } from "../redis/redisCommands";
import type { StateObservers } from "../stateObservers";
import { type BusHandler, type BusTopic, type MeshBus, channelOf } from "./bus";

/**
 * A bus endpoint on Redis sharded pub/sub (`SPUBLISH` / `SSUBSCRIBE`, Redis ≥ 7): publishes through the store's
 * command connection and listens on a connection of its own (a subscribed Redis connection can run no other
 * commands). On a Redis Cluster each topic's channel lives on the shard that owns its slot (its hash tag, keys.ts),
 * so a topic's traffic loads that shard only; on one Redis the same commands behave as plain pub/sub.
 *
 * After the subscriber connection drops and comes back, every channel this endpoint listens to is
 * subscribed again from its own list, so no subscription is lost to a Redis restart; on a cluster, ioredis does it
 * for each shard's subscriber, on the master that owns the slot after a failover or a slot move. Messages published
 * while a connection was down are lost: Redis pub/sub keeps nothing.
 *
 * While a connection is down, what needs it is refused at once with `STATE_UNAVAILABLE` (a publish, a subscribe
 * to a new channel); an unsubscribe only forgets the channel, which the new connection will not subscribe again.
 */
export class RedisBus implements MeshBus {
  private readonly handlers = new Map<string, BusHandler>();
  private readonly subscriberAvailability: RedisAvailability;
  private closed = false;
  private connectedOnce = false;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly publisherAvailability: RedisAvailability,
    private readonly keys: MeshKeys,
    private readonly onError: (error: Error) => void,
    observers: StateObservers,
  ) {
    this.subscriber.on("error", (error: Error) => this.onError(error));
    observers.follow(this.subscriber);
    this.subscriberAvailability = new RedisAvailability(this.subscriber);
    this.subscriber.on("smessage", (channel: string, message: string) => this.handlers.get(channel)?.(message));
    // On one Redis our own resubscription replaces ioredis's (openSubscriberClient), so it works from our list.
    const resubscribesItself = subscriber instanceof Cluster;
    this.subscriber.on("ready", () => {
      if (this.connectedOnce && !resubscribesItself) this.resubscribeAll();
      this.connectedOnce = true;
    });
  }

  async publish(topic: BusTopic, message: string): Promise<void> {
    const channel = channelOf(this.keys, topic);
    await this.publisherAvailability.run(() => this.publisher.spublish(channel, message));
  }

  async subscribe(topic: BusTopic, handler: BusHandler): Promise<void> {
    if (this.closed) return;
    const channel = channelOf(this.keys, topic);
    const known = this.handlers.has(channel);
    if (!known && !this.subscriberAvailability.open) throw this.subscriberAvailability.unavailableError();
    this.handlers.set(channel, handler);
    if (known) return;
    try {
      await this.subscriberAvailability.run(() => this.subscriber.ssubscribe(channel));
    } catch (error) {
      // Not listed, so a reconnect does not subscribe a channel its caller was told it did not get.
      if (this.handlers.get(channel) === handler) this.handlers.delete(channel);
      throw error;
    }
  }

  async unsubscribe(topic: BusTopic): Promise<void> {
    const channel = channelOf(this.keys, topic);
    if (!this.handlers.delete(channel) || this.closed) return;
    // A connection that is down holds no subscriptions, and the next one subscribes only what is listed.
    if (this.subscriber.status !== "ready") return;
    await this.subscriberAvailability.run(() => this.subscriber.sunsubscribe(channel));
  }

  subscribedChannels(): string[] {
    return [...this.handlers.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.subscriber.disconnect();
  }

  private resubscribeAll(): void {
    const channels = [...this.handlers.keys()];
    if (channels.length === 0) return;
    this.subscriber.ssubscribe(...channels).catch((error: Error) => this.onError(error));
  }
}
