import { type AccessGuard, AccessRules } from "../access/accessRules";
import type { ChannelsDeps } from "../channels/channels";
import { RecordAccess, registerRecordCommands } from "./recordCommands";
import { RecordSubscriptions } from "./recordSubscriptions";
import { type RecordSnapshot, type RecordWriteOptions, RecordWriter } from "./recordWriter";

/** What the record feature needs from the server it belongs to: the same as channels. */
export type RecordsDeps = ChannelsDeps;

/** Versioned records on one instance: read and write rules, local subscribers, writes. */
export class Records {
  private readonly access: RecordAccess;
  private readonly subscriptions: RecordSubscriptions;
  private readonly writer: RecordWriter;

  constructor(deps: RecordsDeps) {
    this.access = new RecordAccess(new AccessRules("record", deps.reportError), new AccessRules("record", deps.reportError));
    this.subscriptions = new RecordSubscriptions(deps.registry, deps.node, deps.reportError);
    this.writer = new RecordWriter(deps.state, deps.instanceId);
    registerRecordCommands(deps.router, this.writer, this.access, this.subscriptions);
  }

  expose(recordId: string | RegExp, guard?: AccessGuard): void {
    this.access.readable.expose(recordId, guard);
  }

  exposeWritable(recordId: string | RegExp, guard?: AccessGuard): void {
    this.access.writable.expose(recordId, guard);
  }

  update(recordId: string, value: unknown, options?: RecordWriteOptions): Promise<number> {
    return this.writer.update(recordId, value, options);
  }

  get<T = unknown>(recordId: string): Promise<RecordSnapshot<T>> {
    return this.writer.get<T>(recordId);
  }

  delete(recordId: string): Promise<boolean> {
    return this.writer.delete(recordId);
  }

  /** Drops a connection's record subscriptions (it disconnected). */
  removeConnection(connectionId: string): Promise<void> {
    return this.subscriptions.removeConnection(connectionId);
  }
}
