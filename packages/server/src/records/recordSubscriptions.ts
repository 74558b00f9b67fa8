import { type RecordMode, encodeServerMessage } from "@meshwork/protocol";
import type { ClusterNode } from "../cluster/clusterNode";
import { LocalSubscribers } from "../cluster/localSubscribers";
import type { ConnectionRegistry } from "../connectionRegistry";
import { PreparedFrame } from "../preparedFrame";
import type { RecordChangeBody } from "./recordWriter";

interface RecordHeader {
  readonly v: number;
  readonly del?: true;
}

/**
 * Local subscribers of records, each in `full` or `patch` mode. The instance listens to a record's topic only
 * while it has a local subscriber. Each change is encoded at most once per mode, and each subscriber gets only
 * the form it asked for: patch-mode subscribers never receive the full value.
 */
export class RecordSubscriptions {
  private readonly subscribers: LocalSubscribers<RecordMode>;

  constructor(
    private readonly registry: ConnectionRegistry,
    node: ClusterNode,
    private readonly reportError: (error: unknown) => void,
  ) {
    this.subscribers = new LocalSubscribers(node, (recordId) => ({ kind: "record", recordId }), (recordId, message) =>
      this.deliver(recordId, message),
    );
  }

  /** Adds (or changes the mode of) a local subscriber; resolves once changes from now on reach it. */
  add(recordId: string, connectionId: string, mode: RecordMode): Promise<void> {
    return this.subscribers.add(recordId, connectionId, mode);
  }

  /** Removes a local subscriber; returns whether it was one. */
  remove(recordId: string, connectionId: string): Promise<boolean> {
    return this.subscribers.remove(recordId, connectionId);
  }

  /** Removes a connection from every record (it disconnected). */
  removeConnection(connectionId: string): Promise<void> {
    return this.subscribers.removeConnection(connectionId);
  }

  private deliver(recordId: string, text: string): void {
    const subscribers = this.subscribers.subscribersOf(recordId);
    if (!subscribers || subscribers.size === 0) return;
    const newline = text.indexOf("\n");
    let header: RecordHeader;
    let body: RecordChangeBody;
    try {
      header = JSON.parse(text.slice(0, newline)) as RecordHeader;
      body = JSON.parse(text.slice(newline + 1)) as RecordChangeBody;
    } catch (error) {
      this.reportError(new Error(`meshwork: unreadable change of record "${recordId}"`, { cause: error }));
      return;
    }
    const version = header.v;
    // A patch that replaces the whole document (the record was created, or changed type) cannot be applied in
    // place: patch-mode subscribers get the full value instead, as they do after a resync.
    const replacesRoot = !header.del && body.patch.some((operation) => operation.path === "");
    const frames: Partial<Record<RecordMode, PreparedFrame>> = {};
    const frameFor = (mode: RecordMode): PreparedFrame => {
      let frame = frames[mode];
      if (!frame) {
        const message = header.del
          ? ({ type: "record-update", recordId, version, deleted: true } as const)
          : mode === "patch" && !replacesRoot
            ? ({ type: "record-update", recordId, version, patch: body.patch } as const)
            : ({ type: "record-update", recordId, version, full: body.full } as const);
        frame = new PreparedFrame(Buffer.from(encodeServerMessage(message)));
        frames[mode] = frame;
      }
      return frame;
    };
    for (const [id, mode] of subscribers) this.registry.get(id)?.sendFrame(frameFor(mode));
  }
}
