import type { MeshBus } from "./bus/bus";
import { MemoryBus } from "./bus/memoryBus";
import type { ChannelStore } from "./channels/channelStore";
import { MemoryChannelStore } from "./channels/memoryChannelStore";
import type { ConnectionStore } from "./connections/connectionStore";
import { MemoryConnectionStore } from "./connections/memoryConnectionStore";
import type { InstanceStore } from "./instances/instanceStore";
import { MemoryInstanceStore } from "./instances/memoryInstanceStore";
import { MemoryData } from "./memory/memoryData";
import type { MeshState, StateProbe } from "./meshState";
import type { PresenceStore } from "./presence/presenceStore";
import { MemoryPresenceStore } from "./presence/memoryPresenceStore";
import type { RecordStore } from "./records/recordStore";
import { MemoryRecordStore } from "./records/memoryRecordStore";
import type { RoomStore } from "./rooms/roomStore";
import { MemoryRoomStore } from "./rooms/memoryRoomStore";

/** One in-process store: its key prefix, its data and the number of open `MemoryState`s that hold it. */
interface HeldData {
  readonly keyPrefix: string;
  readonly data: MemoryData;
  holders: number;
}

const sharedByPrefix = new Map<string, HeldData>();

// Set by `MemoryState.shared` for the one constructor call it makes, so the public constructor keeps its signature.
let joining: HeldData | undefined;

/**
 * A {@link MeshState} in process memory. Several server instances in one process that use the same key prefix
 * share one store through {@link MemoryState.shared}, the way instances share one Redis; the store is dropped,
 * data and all, when the last state holding it closes. A `MemoryState` made with `new` has a store of its own,
 * dropped when it closes.
 */
export class MemoryState implements MeshState {
  readonly kind = "memory";

  /**
   * A state on the store every in-process server with this key prefix shares. Each call returns a new holder of
   * that store, released by its {@link close}; the last release drops the store.
   */
  static shared(keyPrefix: string): MemoryState {
    let held = sharedByPrefix.get(keyPrefix);
    if (!held) {
      held = { keyPrefix, data: new MemoryData(keyPrefix), holders: 0 };
      sharedByPrefix.set(keyPrefix, held);
    }
    joining = held;
    try {
      return new MemoryState(keyPrefix);
    } finally {
      joining = undefined;
    }
  }

  readonly connections: ConnectionStore;
  readonly rooms: RoomStore;
  readonly channels: ChannelStore;
  readonly records: RecordStore;
  readonly instances: InstanceStore;
  readonly presence: PresenceStore;
  private readonly held: HeldData;
  private readonly buses = new Set<MemoryBus>();
  private closed = false;

  /** A state with a store of its own; `keyPrefix` names its bus channels as in Redis, so diagnostics read alike. */
  constructor(keyPrefix = "mesh:") {
    this.held = joining ?? { keyPrefix, data: new MemoryData(keyPrefix), holders: 0 };
    joining = undefined;
    this.held.holders += 1;
    const { data } = this.held;
    this.connections = new MemoryConnectionStore(data);
    this.rooms = new MemoryRoomStore(data);
    this.channels = new MemoryChannelStore(data);
    this.records = new MemoryRecordStore(data);
    this.instances = new MemoryInstanceStore(data);
    this.presence = new MemoryPresenceStore(data);
  }

  async ready(): Promise<void> {}

  /** Memory is always reachable. */
  async probe(): Promise<StateProbe> {
    return { reachable: true, latencyMs: 0 };
  }

  createBus(): MeshBus {
    const bus = new MemoryBus(this.held.data.hub);
    this.buses.add(bus);
    return bus;
  }

  /** Closes the buses this state made and releases its hold on the store (dropping it if this was the last). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.buses].map((bus) => bus.close()));
    this.buses.clear();
    const held = this.held;
    held.holders -= 1;
    if (held.holders > 0) return;
    if (sharedByPrefix.get(held.keyPrefix) === held) sharedByPrefix.delete(held.keyPrefix);
    held.data.clear();
  }
}
