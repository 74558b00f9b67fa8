import type { Access, AccessRules } from "../access/accessRules";
import type { Connection } from "../connections/connection";

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
