import { type RecordMode, encodeRecordUpdateFrame } from "@meshwork/protocol";
import { type RecordBusChange, readRecordBusMessage } from "@meshwork/redis-state";
import type { ClusterBus } from "../cluster/clusterBus";
import type { LocalConnections } from "../connections/localConnections";
import type { MembershipCounter } from "../topics/topicMembers";
import { RelayedPositions } from "../topics/relayedPositions";
import { TopicSubscriptions } from "../topics/topicSubscriptions";
import { PreparedFrame } from "../transport/preparedFrame";

/**
 * The `record-update` frame of a change for one delivery mode. The patch and value JSON texts written by the
 * instance that made the change are spliced in as they are, never parsed here: an instance relaying a 2 KB record
 * to patch-mode subscribers handles only the patch. Patch-mode subscribers get the value when the patch replaces
 * the whole document (`root`), as they do after a resync.
 */
function updateFrameText(
  recordId: string,
  { header, patchJson, valueJson }: RecordBusChange,
  mode: RecordMode,
): string {
  if (header.del) return encodeRecordUpdateFrame(recordId, header.v, "deleted");
  if (mode === "patch" && !header.root) return encodeRecordUpdateFrame(recordId, header.v, "patch", patchJson);
  return encodeRecordUpdateFrame(recordId, header.v, "full", valueJson);
}

/**
 * This instance's subscribers of records, each in `full` or `patch` mode. The instance listens to a record's topic
 * only while it has a local subscriber. Each change is encoded at most once per mode, and each subscriber gets only
 * the form it asked for: patch-mode subscribers never receive the full value.
 */
export class LocalRecordSubscribers {
  private readonly topics: TopicSubscriptions<RecordMode>;
  private readonly versions: RelayedPositions;

  constructor(
    private readonly local: LocalConnections,
    bus: ClusterBus,
    private readonly reportError: (error: unknown) => void,
    counter: MembershipCounter,
  ) {
    this.topics = new TopicSubscriptions<RecordMode>(
      bus,
      (recordId) => ({ kind: "record", recordId }),
      (recordId, message) => this.deliver(recordId, message),
      counter,
      (recordId) => this.versions.forget(recordId),
    );
    this.versions = new RelayedPositions(local, reportError);
  }

  /** Whether a connection subscribes to a record here. */
  has(recordId: string, connectionId: string): boolean {
    return this.topics.has(recordId, connectionId);
  }

  /** Adds (or changes the mode of) a local subscriber; resolves once changes from now on reach it. */
  add(recordId: string, connectionId: string, mode: RecordMode): Promise<void> {
    return this.topics.add(recordId, connectionId, mode);
  }

  /** Removes a local subscriber; returns whether it was one. */
  remove(recordId: string, connectionId: string): Promise<boolean> {
    return this.topics.remove(recordId, connectionId);
  }

  /** Removes a connection from every record (it closed). */
  removeConnection(connectionId: string): Promise<void> {
    return this.topics.removeConnection(connectionId);
  }

  private deliver(recordId: string, text: string): void {
    const subscribers = this.topics.membersOf(recordId);
    if (subscribers.size === 0) return;
    const change = readRecordBusMessage(text);
    if (!change) {
      this.reportError(new Error(`meshwork: unreadable change of record "${recordId}"`));
      return;
    }
    if (change.header.del) this.versions.forget(recordId);
    else if (this.versions.wentBack("record", recordId, change.header.v)) {
      this.versions.reset(subscribers.keys());
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
    for (const [id, mode] of subscribers) this.local.get(id)?.sendFrame(frameFor(mode));
  }
}
