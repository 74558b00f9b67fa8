import type { MeshClient } from "@meshwork/client";
import { afterEach } from "vitest";

const open = new Set<MeshClient>();

afterEach(async () => {
  const clients = [...open];
  open.clear();
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
});

/** Registers a MeshClient for closing after the test; returns it. */
export function trackClient<T extends MeshClient>(client: T): T {
  open.add(client);
  return client;
}
