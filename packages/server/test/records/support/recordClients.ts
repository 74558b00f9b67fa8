// Helpers of the record tests that go through the real MeshClient on a two-instance cluster.
//
// Negative checks ("no update arrived") publish a marker update on another record from the same instance after
// the change under test: an instance sends every record change through its one Redis command connection and
// receives through one subscriber connection, both in order, so the marker arriving proves that anything
// published before it has arrived too, or never will.
import type { MeshClient, RecordUpdate } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";
import { expect } from "vitest";
import { type Instance, eventually, startCluster } from "../../cluster/support/cluster";

/** A record subscription's updates, recorded as copies (a patch-mode application changes what it receives). */
export async function subscribeRecorded(
  client: MeshClient,
  recordId: string,
  mode: "full" | "patch" = "full",
  onUpdate: (update: RecordUpdate) => void = () => {},
): Promise<{ updates: RecordUpdate[]; record: unknown; version: number }> {
  const updates: RecordUpdate[] = [];
  const callback = (update: RecordUpdate): void => {
    updates.push(structuredClone(update));
    onUpdate(update);
  };
  const result = await client.subscribeRecord(recordId, callback, { mode });
  expect(result).toMatchObject({ success: true });
  return { updates, record: result.record, version: result.version };
}

/** Publishes a marker change on `marker:<n>` from `sender` and waits until `client` got it (see top of file). */
export async function flushRecords(sender: MeshServer, client: MeshClient): Promise<void> {
  const recordId = `marker:${Math.random().toString(36).slice(2)}`;
  const seen: number[] = [];
  await client.subscribeRecord(recordId, (update) => seen.push(update.version));
  await sender.publishRecordUpdate(recordId, { at: Date.now() });
  await eventually(() => expect(seen).toEqual([1]));
  await client.unsubscribeRecord(recordId);
}

/** Two instances exposing `doc:` and `marker:` records for reading and `shared:` records for writing. */
export async function recordCluster(options: { allowErrors?: boolean } = {}): Promise<{ A: Instance; B: Instance }> {
  const { nodes } = await startCluster(2, options);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) {
    server.exposeRecord(/^(doc|marker):/);
    server.exposeWritableRecord(/^shared:/);
  }
  return { A, B };
}
