import {
  type PatchOperation,
  RECORD_COMMANDS,
  type RecordMode,
  type RecordUpdateMessage,
  type SubscribeRecordPayload,
  type SubscribeRecordResult,
  publishRecordUpdatePayloadSchema,
  subscribeRecordPayloadSchema,
  unsubscribeRecordPayloadSchema,
} from "@meshwork/protocol";
import { createPatch } from "rfc6902";
import type { ScriptedConnection, ScriptedHandler } from "./scriptedServer";

interface StoredRecord {
  value: unknown;
  version: number;
}

function invalid(issues: unknown): Error {
  return Object.assign(new Error("Invalid payload"), { code: "INVALID_PAYLOAD", details: issues });
}

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Options of {@link ScriptedRecords.publish}. */
export interface ScriptedPublishOptions {
  /** Connections that do not get this update's frame, to open a gap on purpose. */
  skip?: readonly ScriptedConnection[];
}

/**
 * The record side of the scripted server, following the wire contract of `mesh/subscribe-record`,
 * `mesh/unsubscribe-record` and `mesh/publish-record-update`: the subscriber is registered before the value is
 * read, each change increments the version by one, patch-mode subscribers get RFC 6902 patches and `full` where
 * the whole value is replaced (creation), and a deletion resets the record to `null` at version 0. Stored
 * values outlive a restart of the scripted server, the way Redis outlives a server instance.
 */
export class ScriptedRecords {
  /** Who may subscribe: `true` allows, a string refuses with that reason. */
  access: (recordId: string, connection: ScriptedConnection) => true | string = () => true;
  /** Which records clients may write: `true` allows, a string refuses with `FORBIDDEN` and that message. */
  writable: (recordId: string, connection: ScriptedConnection) => true | string = () => true;
  /** Runs once the subscriber is registered and before the value is read: the window the real server has too. */
  afterRegister: ((recordId: string, connection: ScriptedConnection) => void | Promise<void>) | undefined;
  /** Runs after the value was read and before the answer is sent: updates published here race the answer. */
  afterRead: ((recordId: string, connection: ScriptedConnection) => void | Promise<void>) | undefined;
  /** Every valid subscribe payload received, in order, with the connection it came on. */
  readonly subscribePayloads: Array<SubscribeRecordPayload & { connection: string }> = [];
  readonly #stored = new Map<string, StoredRecord>();
  readonly #subscribers = new Map<string, Map<ScriptedConnection, RecordMode>>();

  constructor(handle: (command: string, handler: ScriptedHandler) => void) {
    handle(RECORD_COMMANDS.subscribe, (payload, connection) => this.#subscribe(payload, connection));
    handle(RECORD_COMMANDS.unsubscribe, (payload, connection) => {
      const parsed = unsubscribeRecordPayloadSchema.safeParse(payload);
      if (!parsed.success) throw invalid(parsed.error.issues);
      return this.#subscribers.get(parsed.data.recordId)?.delete(connection) ?? false;
    });
    handle(RECORD_COMMANDS.publish, (payload, connection) => {
      const parsed = publishRecordUpdatePayloadSchema.safeParse(payload);
      if (!parsed.success) throw invalid(parsed.error.issues);
      const { recordId, value, expectedVersion } = parsed.data;
      const allowed = this.writable(recordId, connection);
      if (allowed !== true) throw coded("FORBIDDEN", allowed);
      const current = this.get(recordId).version;
      if (expectedVersion !== undefined && expectedVersion !== current) {
        throw coded("VERSION_CONFLICT", `Record "${recordId}" is at version ${current}, not ${expectedVersion}`);
      }
      return { version: this.publish(recordId, value) };
    });
  }

  /** A record's value and version; `null` at version 0 when it does not exist. */
  get(recordId: string): StoredRecord {
    const stored = this.#stored.get(recordId);
    return stored === undefined ? { value: null, version: 0 } : { value: stored.value, version: stored.version };
  }

  /**
   * Sets a record's value and sends the change to its open subscribers (except `skip`), each in its mode.
   * A value equal to the current one changes nothing. Returns the version.
   */
  publish(recordId: string, value: unknown, options: ScriptedPublishOptions = {}): number {
    const previous = this.#stored.get(recordId);
    const next = structuredClone(value);
    if (previous !== undefined && JSON.stringify(previous.value) === JSON.stringify(next)) return previous.version;
    const version = (previous?.version ?? 0) + 1;
    const patch = createPatch(previous?.value ?? null, next) as PatchOperation[];
    this.#stored.set(recordId, { value: next, version });
    const replacesRoot = patch.some((operation) => operation.path === "");
    for (const [connection, mode] of this.subscribers(recordId)) {
      if (options.skip?.includes(connection)) continue;
      connection.send(
        mode === "patch" && !replacesRoot
          ? { type: "record-update", recordId, version, patch }
          : { type: "record-update", recordId, version, full: next },
      );
    }
    return version;
  }

  /** Deletes a record and tells its subscribers; returns whether it existed. */
  delete(recordId: string): boolean {
    const stored = this.#stored.get(recordId);
    if (stored === undefined) return false;
    this.#stored.delete(recordId);
    for (const [connection] of this.subscribers(recordId)) {
      connection.send({ type: "record-update", recordId, version: stored.version, deleted: true });
    }
    return true;
  }

  /** Sends a hand-made update to every open subscriber of its record, to script what a real server never sends. */
  sendRaw(message: Omit<RecordUpdateMessage, "type">): void {
    for (const [connection] of this.subscribers(message.recordId))
      connection.send({ type: "record-update", ...message });
  }

  /** Open connections subscribed to the record, with their modes. */
  subscribers(recordId: string): Array<[ScriptedConnection, RecordMode]> {
    const subscribers = this.#subscribers.get(recordId) ?? new Map<ScriptedConnection, RecordMode>();
    return [...subscribers].filter(([connection]) => connection.socket.readyState === connection.socket.OPEN);
  }

  async #subscribe(payload: unknown, connection: ScriptedConnection): Promise<SubscribeRecordResult> {
    const parsed = subscribeRecordPayloadSchema.safeParse(payload);
    if (!parsed.success) throw invalid(parsed.error.issues);
    this.subscribePayloads.push({ ...parsed.data, connection: connection.id });
    const { recordId, mode = "full" } = parsed.data;
    const access = this.access(recordId, connection);
    if (access !== true) return { success: false, reason: access, record: null, version: 0 };

    let subscribers = this.#subscribers.get(recordId);
    if (subscribers === undefined) {
      subscribers = new Map();
      this.#subscribers.set(recordId, subscribers);
    }
    subscribers.set(connection, mode);
    await this.afterRegister?.(recordId, connection);
    const { value, version } = this.get(recordId);
    const result: SubscribeRecordResult = { success: true, record: structuredClone(value), version };
    await this.afterRead?.(recordId, connection);
    return result;
  }
}
