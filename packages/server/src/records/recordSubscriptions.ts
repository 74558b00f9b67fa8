import type { RecordMode } from "@meshwork/protocol";
import { type RecordBusChange, readRecordBusMessage } from "@meshwork/redis-state";
import type { ClusterNode } from "../cluster/clusterNode";
import { LocalSubscribers } from "../cluster/localSubscribers";
import type { ConnectionRegistry } from "../connectionRegistry";
import { PreparedFrame } from "../preparedFrame";

/**
 * The `record-update` frame of a change for one delivery mode. The patch and value JSON texts written by the
 * instance that made the change are spliced in as they are, never parsed here: an instance relaying a 2 KB record
 * to patch-mode subscribers handles only the patch. Patch-mode subscribers get the value when the patch replaces
 * the whole document (`root`), as they do after a resync.
 */
function updateFrameText(recordId: string, { header, patchJson, valueJson }: RecordBusChange, mode: RecordMode): string {
  const head = `{"type":"record-update","recordId":${JSON.stringify(recordId)},"version":${header.v}`;
  if (header.del) return `${head},"deleted":true}`;
  if (mode === "patch" && !header.root) return `${head},"patch":${patchJson}}`;
  return `${head},"full":${valueJson}}`;
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
    const change = readRecordBusMessage(text);
    if (!change) {
      this.reportError(new Error(`meshwork: unreadable change of record "${recordId}"`));
      return;
    }
    const frames: Partial<Record<RecordMode, PreparedFrame>> = {};
    const frameFor = (mode: RecordMode): PreparedFrame => {
      let frame = frames[mode];
      if (!frame) {
        frame = new PreparedFrame(Buffer.from(updateFrameText(recordId, change, mode)));
        frames[mode] = frame;
      }
      return frame;
    };
    for (const [id, mode] of subscribers) this.registry.get(id)?.sendFrame(frameFor(mode));
  }
}
