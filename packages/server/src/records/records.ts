import {
  MeshError,
  type PublishRecordUpdatePayload,
  type PublishRecordUpdateResult,
  RECORD_COMMANDS,
  type SubscribeRecordPayload,
  type SubscribeRecordResult,
  publishRecordUpdatePayloadSchema,
  subscribeRecordPayloadSchema,
  unsubscribeRecordPayloadSchema,
} from "@meshwork/protocol";
import { type AccessGuard, AccessRules } from "../access/accessRules";
import type { Connection } from "../connections/connection";
import { type BuiltinCommand, type FeatureDeps, type ServerFeature, builtinCommand } from "../serverFeature";
import { LocalRecordSubscribers } from "./localRecordSubscribers";
import { RecordAccess } from "./recordAccess";
import { type RecordWriteOptions, RecordWriter, type VersionedValue } from "./recordWriter";

/**
 * Versioned records: read and write rules, the `mesh/subscribe-record`, `mesh/unsubscribe-record` and
 * `mesh/publish-record-update` commands, this instance's subscribers, writes.
 */
export class Records implements ServerFeature {
  readonly commands: readonly BuiltinCommand[] = [
    builtinCommand(RECORD_COMMANDS.subscribe, subscribeRecordPayloadSchema, (ctx) =>
      this.subscribe(ctx.connection, ctx.payload),
    ),
    builtinCommand(RECORD_COMMANDS.unsubscribe, unsubscribeRecordPayloadSchema, (ctx) =>
      this.subscribers.remove(ctx.payload.recordId, ctx.connection.id),
    ),
    builtinCommand(RECORD_COMMANDS.publish, publishRecordUpdatePayloadSchema, (ctx) =>
      this.publishFromClient(ctx.connection, ctx.payload),
    ),
  ];
  private readonly access: RecordAccess;
  private readonly subscribers: LocalRecordSubscribers;
  private readonly writer: RecordWriter;
  /** Counts a write or delete that was carried out, and passes its result on. */
  private readonly counted = <T>(result: T): T => {
    this.deps.metrics.broadcast("record");
    return result;
  };

  constructor(private readonly deps: FeatureDeps) {
    this.access = new RecordAccess(
      new AccessRules("record", deps.reportError),
      new AccessRules("record", deps.reportError),
    );
    this.subscribers = new LocalRecordSubscribers(deps.local, deps.bus, deps.reportError, deps.subscriptionCap);
    this.writer = new RecordWriter(deps.state, deps.bus.instanceId);
  }

  /** Lets clients subscribe to a record, or to every record a pattern matches, optionally behind a guard. */
  expose(recordId: string | RegExp, guard?: AccessGuard): void {
    this.access.readable.expose(recordId, guard);
  }

  /** Lets clients also write a record, or every record a pattern matches, optionally behind a guard. */
  exposeWritable(recordId: string | RegExp, guard?: AccessGuard): void {
    this.access.writable.expose(recordId, guard);
  }

  /** Sets a record's value; resolves with its version. */
  update(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number> {
    return this.writer.update(recordId, value, options).then(this.counted);
  }

  /** A record's value; `null` when it does not exist (never written, or deleted). */
  async get<T = unknown>(recordId: string): Promise<T | null> {
    return (await this.writer.get<T>(recordId)).value;
  }

  /** A record's value and version; a record that does not exist is `null` at version 0. */
  getWithVersion<T = unknown>(recordId: string): Promise<VersionedValue<T>> {
    return this.writer.get<T>(recordId);
  }

  /** Deletes a record; resolves whether it existed. */
  delete(recordId: string): Promise<boolean> {
    return this.writer.delete(recordId).then(this.counted);
  }

  /** Drops a closed connection's record subscriptions. */
  onConnectionClosed(connectionId: string): Promise<void> {
    return this.subscribers.removeConnection(connectionId);
  }

  /**
   * `mesh/subscribe-record`. Registers the subscriber first and reads the record after, so no change can fall
   * between the read and the live stream: a change that lands in between arrives live with a version the client
   * already has, and the client drops it.
   */
  private async subscribe(connection: Connection, payload: SubscribeRecordPayload): Promise<SubscribeRecordResult> {
    const { recordId, mode = "full" } = payload;
    const allowed = await this.access.canRead(connection, recordId);
    if (!allowed.allowed) return { success: false, reason: allowed.reason, record: null, version: 0 };
    // The guard may have taken a while; a connection closed meanwhile was cleaned up already.
    if (!connection.isOpen) return { success: false, reason: "The connection closed", record: null, version: 0 };
    // The add below counts the subscription before it yields, so checking right before it cannot overshoot.
    this.deps.subscriptionCap.check(connection.id, this.subscribers.has(recordId, connection.id));
    await this.subscribers.add(recordId, connection.id, mode);
    const snapshot = await this.writer.get(recordId);
    return { success: true, record: snapshot.value, version: snapshot.version };
  }

  /** `mesh/publish-record-update`: a client's write, allowed by both the read and the writable rules. */
  private async publishFromClient(
    connection: Connection,
    { recordId, value, expectedVersion }: PublishRecordUpdatePayload,
  ): Promise<PublishRecordUpdateResult> {
    const allowed = await this.access.canWrite(connection, recordId);
    if (!allowed.allowed) throw new MeshError("FORBIDDEN", allowed.reason);
    const options = expectedVersion === undefined ? {} : { expectedVersion };
    const version = await this.writer.update(recordId, value, options).then(this.counted);
    return { version };
  }
}
