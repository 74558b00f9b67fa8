// The seed README's "Record Subscriptions" samples (Server Configuration, Updating Records, Client Usage — Full
// Mode, Client Usage — Patch Mode, Unsubscribing, Versioning and Resync), run on TWO instances sharing one Redis,
// with the import paths changed to @meshwork/server and @meshwork/client: the server publishes on instance A, the
// client is connected to instance B.
//
// Changes to the samples, all of them test plumbing around the sample lines, which are kept verbatim:
// - the servers listen on port 0 (a free port) instead of 8080, on a test-private key prefix and the shared test
//   Redis (both via the harness); `client` is a MeshClient connected to instance B;
// - each block of sample lines runs with `server` / `client` bound to what it is meant to run on (a block-scoped
//   `const server = …`), so the sample text itself needs no renaming; the configuration block runs on both
//   instances, as an application configures every instance alike;
// - the private-record guard reads `meta.userId`: `signIn` below is the application's own sign-in that sets it;
// - the samples' `console.log` calls are captured with a spy so the test can assert what they printed;
// - "Versioning and Resync" has no code: its test runs the Patch Mode sample and opens a version gap on purpose.
import { type MeshClient, applyPatch } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster } from "../cluster/support/cluster";
import { captureConsole } from "../support/console";

/** The application's sign-in, which the private-record guard relies on: it stores the user id as metadata. */
async function signIn(server: MeshServer, client: MeshClient, userId: string): Promise<void> {
  await server.connectionManager.setMetadata(client.connectionId as string, { userId });
}

async function configuredCluster(): Promise<{ instanceA: Instance; instanceB: Instance }> {
  const { nodes } = await startCluster(2);
  const [instanceA, instanceB] = nodes as [Instance, Instance];
  for (const instance of [instanceA, instanceB]) {
    const server: MeshServer = instance.server;
    // --- Server Configuration (verbatim) ---
    server.exposeRecord("user:123");
    server.exposeRecord(/^product:\d+$/);
    server.exposeRecord(/^private:.+$/, async (conn, recordId) => {
      const meta = await server.connectionManager.getMetadata(conn);
      return !!meta?.userId;
    });
    // --- end ---
  }
  return { instanceA, instanceB };
}

/**
 * Resolves once every record update `sender` published before this call and that was going to reach `client`
 * has reached it: `sender` then updates a marker record the client subscribes to, and since one instance
 * publishes everything on one Redis connection and the client's instance receives everything on one, in order,
 * the marker arriving proves that nothing published before it is still on its way.
 */
async function flushRecords(sender: MeshServer, client: MeshClient): Promise<void> {
  const seen: number[] = [];
  const { success, version } = await client.subscribeRecord("product:999999", (update) => seen.push(update.version));
  expect(success).toBe(true);
  const next = await sender.publishRecordUpdate("product:999999", { marker: version + 1 });
  await eventually(() => expect(seen).toContain(next));
  await client.unsubscribeRecord("product:999999");
}

describe("seed README: Record Subscriptions, on two instances", () => {
  it("Server Configuration: exact ids, patterns, and a guarded pattern that needs a signed-in user", async () => {
    const { instanceB } = await configuredCluster();
    const client = await connectClient(instanceB.url);

    expect(await client.subscribeRecord("user:123", () => {})).toMatchObject({ success: true });
    expect(await client.subscribeRecord("product:456", () => {})).toMatchObject({ success: true });
    expect(await client.subscribeRecord("product:abc", () => {})).toMatchObject({ success: false });
    expect(await client.subscribeRecord("user:999", () => {})).toMatchObject({ success: false });
    const anonymous = await client.subscribeRecord("private:notes", () => {});
    expect(anonymous).toEqual({ success: false, record: null, version: 0, reason: expect.stringContaining("denied") });

    await signIn(instanceB.server, client, "u1");
    expect(await client.subscribeRecord("private:notes", () => {})).toEqual({
      success: true,
      record: null,
      version: 0,
    });
  });

  it("Updating Records + Client Usage — Full Mode: the client gets each whole value, in order", async () => {
    const { instanceA, instanceB } = await configuredCluster();
    const printed = captureConsole();
    {
      const client = await connectClient(instanceB.url);
      // --- Client Usage — Full Mode (verbatim) ---
      let userProfile = {};
      const { success, record, version } = await client.subscribeRecord("user:123", (update) => {
        // update contains { recordId, full, version }
        userProfile = update.full;
        console.log(`Received full update for ${update.recordId} v${update.version}:`, update.full);
      });
      if (success) {
        userProfile = record;
      }
      // --- end ---
      expect({ success, record, version }).toEqual({ success: true, record: null, version: 0 });

      {
        const server = instanceA.server;
        // --- Updating Records (verbatim) ---
        await server.publishRecordUpdate("user:123", {
          name: "Alice",
          email: "alice@example.com",
        });
        // later...
        await server.publishRecordUpdate("user:123", {
          name: "Alice",
          email: "alice@updated.com",
          status: "active",
        });
        // --- end ---
      }

      await eventually(() => expect(printed).toHaveLength(2));
      expect(printed).toEqual([
        ["Received full update for user:123 v1:", { name: "Alice", email: "alice@example.com" }],
        ["Received full update for user:123 v2:", { name: "Alice", email: "alice@updated.com", status: "active" }],
      ]);
      expect(userProfile).toEqual({ name: "Alice", email: "alice@updated.com", status: "active" });
      expect(await instanceB.server.getRecordWithVersion("user:123")).toEqual({ value: userProfile, version: 2 });
    }
  });

  it("Client Usage — Patch Mode: `full` on creation, then patches applied with applyPatch", async () => {
    const { instanceA, instanceB } = await configuredCluster();
    await instanceA.server.publishRecordUpdate("product:456", { name: "Lamp", price: 10, stock: { warehouse: 3 } });
    const printed = captureConsole();
    const client = await connectClient(instanceB.url);
    // --- Client Usage — Patch Mode (verbatim, import at the top of this file) ---
    let productData = {};
    const { success, record, version } = await client.subscribeRecord(
      "product:456",
      (update) => {
        // update contains { recordId, patch?, full?, version }
        if (update.patch) {
          // normally you’ll receive `patch`, but if the client falls out of sync,
          // the server will send a full update instead to resynchronize.
          applyPatch(productData, update.patch);
          console.log(`Applied patch for ${update.recordId} v${update.version}`);
        } else {
          productData = update.full;
          console.log(`Received full (resync) for ${update.recordId} v${update.version}`);
        }
      },
      { mode: "patch" },
    );
    if (success) {
      productData = record;
    }
    // --- end ---
    expect({ success, version }).toEqual({ success: true, version: 1 });

    await instanceA.server.publishRecordUpdate("product:456", { name: "Lamp", price: 12, stock: { warehouse: 3 } });
    await instanceA.server.publishRecordUpdate("product:456", {
      name: "Lamp",
      price: 12,
      stock: { warehouse: 2, shop: 1 },
    });
    await instanceA.server.publishRecordUpdate("product:456", { name: "Desk lamp", stock: { shop: 1 } });

    await eventually(() => expect(printed).toHaveLength(3));
    expect(printed).toEqual([
      ["Applied patch for product:456 v2"],
      ["Applied patch for product:456 v3"],
      ["Applied patch for product:456 v4"],
    ]);
    expect(productData).toEqual({ name: "Desk lamp", stock: { shop: 1 } });
    expect(productData).toEqual(await instanceB.server.getRecord("product:456"));
  });

  it("Unsubscribing: after both calls neither callback is called again", async () => {
    const { instanceA, instanceB } = await configuredCluster();
    const client = await connectClient(instanceB.url);
    const received: string[] = [];
    await client.subscribeRecord("user:123", (update) => received.push(`user v${update.version}`));
    await client.subscribeRecord("product:456", (update) => received.push(`product v${update.version}`), {
      mode: "patch",
    });
    await instanceA.server.publishRecordUpdate("user:123", { name: "Alice" });
    await instanceA.server.publishRecordUpdate("product:456", { price: 1 });
    await eventually(() => expect(received.sort()).toEqual(["product v1", "user v1"]));

    // --- Unsubscribing (verbatim) ---
    await client.unsubscribeRecord("user:123");
    await client.unsubscribeRecord("product:456");
    // --- end ---

    await instanceA.server.publishRecordUpdate("user:123", { name: "Bob" });
    await instanceA.server.publishRecordUpdate("product:456", { price: 2 });
    await flushRecords(instanceA.server, client);
    expect(received.sort()).toEqual(["product v1", "user v1"]);
  });

  // Technique for a deliberate gap: the client's own connection sends the raw built-in `mesh/unsubscribe-record`
  // through `client.command`, which removes the server-side subscriber while the client's record subscription
  // still believes it is subscribed at version N. Version N+1 is published and cannot reach it. A raw
  // `mesh/subscribe-record` then registers the connection again; its answer goes to that raw command, not to the
  // record subscription, whose version stays at N. So version N+2 arrives as a patch with a gap.
  it("Versioning and Resync: a missed patch makes the client resubscribe by itself and deliver `full`", async () => {
    const { instanceA, instanceB } = await configuredCluster();
    const server = instanceA.server;
    await server.publishRecordUpdate("product:456", { name: "Lamp", price: 10 });
    const printed = captureConsole();
    const client = await connectClient(instanceB.url);
    const versions: Array<{ version: number; kind: string }> = [];
    let productData = {};
    const { success, record } = await client.subscribeRecord(
      "product:456",
      (update) => {
        versions.push({ version: update.version, kind: update.patch ? "patch" : "full" });
        // The Patch Mode sample's callback.
        if (update.patch) {
          applyPatch(productData, update.patch);
          console.log(`Applied patch for ${update.recordId} v${update.version}`);
        } else {
          productData = update.full;
          console.log(`Received full (resync) for ${update.recordId} v${update.version}`);
        }
      },
      { mode: "patch" },
    );
    if (success) productData = record;
    await server.publishRecordUpdate("product:456", { name: "Lamp", price: 11 });
    await eventually(() => expect(versions).toEqual([{ version: 2, kind: "patch" }]));

    await expect(client.command("mesh/unsubscribe-record", { recordId: "product:456" })).resolves.toBe(true);
    await server.publishRecordUpdate("product:456", { name: "Lamp", price: 12 });
    const raw = await client.command("mesh/subscribe-record", { recordId: "product:456", mode: "patch" });
    expect(raw).toMatchObject({ success: true, version: 3 });
    await server.publishRecordUpdate("product:456", { name: "Lamp", price: 13, sale: true });
    // Waiting for the resync keeps version 5 out of its answer, so it has to come as a patch.
    await eventually(() => expect(versions.at(-1)?.version).toBe(4));
    await server.publishRecordUpdate("product:456", { name: "Lamp", price: 14, sale: true });

    await eventually(() => expect(versions.at(-1)).toEqual({ version: 5, kind: "patch" }));
    // The gap (v3 missing before v4) never reached the application: it got v4 whole, then patches again.
    expect(versions).toEqual([
      { version: 2, kind: "patch" },
      { version: 4, kind: "full" },
      { version: 5, kind: "patch" },
    ]);
    expect(printed).toEqual([
      ["Applied patch for product:456 v2"],
      ["Received full (resync) for product:456 v4"],
      ["Applied patch for product:456 v5"],
    ]);
    expect(productData).toEqual({ name: "Lamp", price: 14, sale: true });
  });
});
