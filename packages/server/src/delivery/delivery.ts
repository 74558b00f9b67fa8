import { encodeServerMessage } from "@meshwork/protocol";
import type { MeshState } from "@meshwork/redis-state";
import type { ClusterBus } from "../cluster/clusterBus";
import { type ConnectionRef, connectionIdOf } from "../connections/connection";
import type { LocalConnections } from "../connections/localConnections";
import { assertPushName } from "../names";
import type { MetricsRecorder } from "../metrics/metricsRecorder";
import type { LocalRooms } from "../rooms/localRooms";
import { PreparedFrame } from "../transport/preparedFrame";
import { sendToAllLocal, sendToMembers } from "./localFanout";

/** A push encoded once: the text that goes on the bus, and the frame every local socket sends. */
interface EncodedPush {
  readonly text: string;
  readonly bytes: PreparedFrame;
}

function idsOf(refs: ConnectionRef | Iterable<ConnectionRef>): string[] {
  const list: Iterable<ConnectionRef> = typeof refs === "string" || !(Symbol.iterator in refs) ? [refs] : refs;
  return [...new Set([...list].map(connectionIdOf))];
}

/**
 * Pushes messages to connections wherever they are in the cluster. Each push is encoded once; local sockets
 * get it directly and every other instance through one publish on the bus, delivering to its own sockets.
 * No call does Redis work per member: a room or cluster-wide broadcast is one PUBLISH, a targeted one is one
 * lookup of the targets' instances plus one PUBLISH per instance reached.
 */
export class Delivery {
  constructor(
    private readonly local: LocalConnections,
    private readonly state: MeshState,
    private readonly bus: ClusterBus,
    private readonly localRooms: LocalRooms,
    private readonly metrics: MetricsRecorder,
  ) {}

  /**
   * Pushes to one connection by id. Resolves `true` when it was handed to the local socket or published to
   * the instance that serves it, `false` when no instance serves that id.
   */
  sendTo(connectionId: string, command: string, payload: unknown): Promise<boolean> {
    const push = this.encode(command, payload);
    this.metrics.broadcast("direct");
    return this.sendEncoded(connectionId, push);
  }

  /** Pushes to every connection in the cluster, or to the listed ones (each once, even when listed twice). */
  broadcast(command: string, payload: unknown, connections?: Iterable<ConnectionRef>): Promise<void> {
    const push = this.encode(command, payload);
    this.metrics.broadcast(connections === undefined ? "all" : "connections");
    return connections === undefined ? this.toEveryone(push, []) : this.toListed(push, connections);
  }

  /** Pushes to every connection in the cluster except the excluded ones. */
  broadcastExclude(command: string, payload: unknown, exclude: ConnectionRef | Iterable<ConnectionRef>): Promise<void> {
    const push = this.encode(command, payload);
    this.metrics.broadcast("all");
    return this.toEveryone(push, idsOf(exclude));
  }

  /** Pushes to every member of a room, on every instance, except the excluded ones. One publish. */
  broadcastRoom(
    room: string,
    command: string,
    payload: unknown,
    exclude: ConnectionRef | Iterable<ConnectionRef> = [],
  ): Promise<void> {
    const push = this.encode(command, payload);
    this.metrics.broadcast("room");
    return this.toRoom(room, push, idsOf(exclude));
  }

  // Encoding happens in the public methods, before any await, so a bad name or payload throws synchronously.

  private async sendEncoded(connectionId: string, push: EncodedPush): Promise<boolean> {
    const local = this.local.get(connectionId);
    if (local) return local.sendFrame(push.bytes);
    const instanceId = await this.state.connections.instanceOf(connectionId);
    if (instanceId === null) return false;
    await this.bus.publishPush({ kind: "instance", instanceId }, { to: [connectionId] }, push.text);
    return true;
  }

  private async toListed(push: EncodedPush, connections: Iterable<ConnectionRef>): Promise<void> {
    const remote: string[] = [];
    for (const id of new Set([...connections].map(connectionIdOf))) {
      const local = this.local.get(id);
      if (local) local.sendFrame(push.bytes);
      else remote.push(id);
    }
    if (remote.length === 0) return;
    const byInstance = new Map<string, string[]>();
    for (const [id, instanceId] of await this.state.connections.instancesOf(remote)) {
      const ids = byInstance.get(instanceId) ?? [];
      ids.push(id);
      byInstance.set(instanceId, ids);
    }
    await Promise.all(
      [...byInstance].map(([instanceId, to]) =>
        this.bus.publishPush({ kind: "instance", instanceId }, { to }, push.text),
      ),
    );
  }

  private async toEveryone(push: EncodedPush, excluded: string[]): Promise<void> {
    sendToAllLocal(this.local, push.bytes, new Set(excluded));
    await this.bus.publishPush({ kind: "all" }, excluded.length > 0 ? { x: excluded } : {}, push.text);
  }

  private async toRoom(room: string, push: EncodedPush, excluded: string[]): Promise<void> {
    sendToMembers(
      this.local,
      this.localRooms.membersOf(room),
      push.bytes,
      excluded.length === 0 ? null : new Set(excluded),
    );
    await this.bus.publishPush({ kind: "room", room }, excluded.length > 0 ? { x: excluded } : {}, push.text);
  }

  private encode(command: string, payload: unknown): EncodedPush {
    assertPushName(command);
    const text = encodeServerMessage({ type: "push", command, payload });
    return { text, bytes: new PreparedFrame(Buffer.from(text)) };
  }
}
