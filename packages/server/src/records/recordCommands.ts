import {
  RECORD_COMMANDS,
  type PublishRecordUpdateResult,
  type SubscribeRecordResult,
  publishRecordUpdatePayloadSchema,
  subscribeRecordPayloadSchema,
  unsubscribeRecordPayloadSchema,
} from "@meshwork/protocol";
import { MeshError } from "@meshwork/protocol";
import type { Access, AccessRules } from "../access/accessRules";
import type { Connection } from "../connection";
import type { CommandRouter } from "../commandRouter";
import type { RecordSubscriptions } from "./recordSubscriptions";
import type { RecordWriter } from "./recordWriter";

/**
 * Who may read and who may write records. A record exposed only as writable is readable under its writable rule;
 * where a read rule matches, it decides reading, and writing needs both the read rule and the writable rule:
 * exposing a record as writable never bypasses a read guard.
 */
export class RecordAccess {
  constructor(
    readonly readable: AccessRules,
    readonly writable: AccessRules,
  ) {}

  /** Whether `connection` may read (subscribe to) a record. */
  canRead(connection: Connection, recordId: string): Promise<Access> {
    return (this.readable.covers(recordId) ? this.readable : this.writable).check(connection, recordId);
  }

  /** Whether `connection` may write a record: read access and a writable rule that allows it. */
  async canWrite(connection: Connection, recordId: string): Promise<Access> {
    const read = await this.canRead(connection, recordId);
    if (!read.allowed) return read;
    if (!this.writable.covers(recordId)) return { allowed: false, reason: `Record "${recordId}" is not writable` };
    return this.writable.check(connection, recordId);
  }
}

/**
 * Registers the built-in record commands. Subscribing registers the subscriber first and reads the record after,
 * so no change can fall between the read and the live stream: a change that lands in between arrives live with
 * a version the client already has, and the client drops it.
 */
export function registerRecordCommands(
  router: CommandRouter,
  writer: RecordWriter,
  access: RecordAccess,
  subscriptions: RecordSubscriptions,
): void {
  router.registerBuiltin(
    RECORD_COMMANDS.subscribe,
    async (ctx): Promise<SubscribeRecordResult> => {
      const { recordId, mode = "full" } = ctx.payload;
      const allowed = await access.canRead(ctx.connection, recordId);
      if (!allowed.allowed) return { success: false, reason: allowed.reason, record: null, version: 0 };
      // The guard may have taken a while; a connection closed meanwhile was cleaned up already.
      if (!ctx.connection.isOpen) return { success: false, reason: "The connection closed", record: null, version: 0 };
      await subscriptions.add(recordId, ctx.connection.id, mode);
      const snapshot = await writer.get(recordId);
      return { success: true, record: snapshot.value, version: snapshot.version };
    },
    { schema: subscribeRecordPayloadSchema },
  );

  router.registerBuiltin(
    RECORD_COMMANDS.unsubscribe,
    (ctx) => subscriptions.remove(ctx.payload.recordId, ctx.connection.id),
    { schema: unsubscribeRecordPayloadSchema },
  );

  router.registerBuiltin(
    RECORD_COMMANDS.publish,
    async (ctx): Promise<PublishRecordUpdateResult> => {
      const { recordId, value, expectedVersion } = ctx.payload;
      const allowed = await access.canWrite(ctx.connection, recordId);
      if (!allowed.allowed) throw new MeshError("FORBIDDEN", allowed.reason);
      const version = await writer.update(recordId, value, expectedVersion === undefined ? {} : { expectedVersion });
      return { version };
    },
    { schema: publishRecordUpdatePayloadSchema },
  );
}
