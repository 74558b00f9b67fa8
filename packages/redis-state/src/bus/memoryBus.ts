import type { MeshKeys } from "../keys";
import { type BusHandler, type BusTopic, type MeshBus, channelOf } from "./bus";

/** The in-process switchboard that every {@link MemoryBus} of one store publishes through. */
export class MemoryHub {
  private readonly subscribers = new Map<string, Set<MemoryBus>>();

  constructor(readonly keys: MeshKeys) {}

  add(channel: string, bus: MemoryBus): void {
    let set = this.subscribers.get(channel);
    if (!set) {
      set = new Set();
      this.subscribers.set(channel, set);
    }
    set.add(bus);
  }

  remove(channel: string, bus: MemoryBus): void {
    const set = this.subscribers.get(channel);
    set?.delete(bus);
    if (set?.size === 0) this.subscribers.delete(channel);
  }

  publish(channel: string, message: string): void {
    const set = this.subscribers.get(channel);
    if (!set) return;
    // Delivered on a later tick, as over Redis: a publisher never runs subscriber code inside its own call.
    for (const bus of set) queueMicrotask(() => bus.deliver(channel, message));
  }
}

/** A bus endpoint in process memory. */
export class MemoryBus implements MeshBus {
  private readonly handlers = new Map<string, BusHandler>();
  private closed = false;

  constructor(private readonly hub: MemoryHub) {}

  async publish(topic: BusTopic, message: string): Promise<void> {
    this.hub.publish(channelOf(this.hub.keys, topic), message);
  }

  async subscribe(topic: BusTopic, handler: BusHandler): Promise<void> {
    if (this.closed) return;
    const channel = channelOf(this.hub.keys, topic);
    this.handlers.set(channel, handler);
    this.hub.add(channel, this);
  }

  async unsubscribe(topic: BusTopic): Promise<void> {
    const channel = channelOf(this.hub.keys, topic);
    this.handlers.delete(channel);
    this.hub.remove(channel, this);
  }

  subscribedChannels(): string[] {
    return [...this.handlers.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const channel of this.handlers.keys()) this.hub.remove(channel, this);
    this.handlers.clear();
  }

  /** Called by the hub. */
  deliver(channel: string, message: string): void {
    this.handlers.get(channel)?.(message);
  }
}
