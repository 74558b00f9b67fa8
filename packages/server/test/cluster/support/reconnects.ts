// Helpers for tests that drop a MeshClient and watch it come back.
import type { MeshClient } from "@meshwork/client";
import type { MeshServer } from "@meshwork/server";

/** Fast reconnects for tests; the backoff starts at this interval. */
export const FAST_RECONNECTS = { reconnectInterval: 20, maxReconnectInterval: 100 };

/** Resolves once the client has reconnected (its next `reconnect` event). */
export function nextReconnect(client: MeshClient): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on("reconnect", () => {
      off();
      resolve();
    });
  });
}

/** A gate an instance's `authenticateConnection` waits on: while closed, upgrades (reconnects) hang; open lets them in. */
export class UpgradeGate {
  private opened: Promise<void> = Promise.resolve();
  private release: () => void = () => {};
  /** Upgrades that arrived while the gate was closed. */
  held = 0;

  close(): void {
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  readonly authenticate = async (): Promise<Record<string, never>> => {
    const opened = this.opened;
    let settled = false;
    void opened.then(() => (settled = true));
    await Promise.resolve();
    if (!settled) this.held++;
    await opened;
    return {};
  };
}

/** Terminates the client's socket on `server` (no close handshake) and waits until both sides know it is gone. */
export async function dropSocket(server: MeshServer, client: MeshClient): Promise<void> {
  const id = client.connectionId;
  const connection = id === undefined ? undefined : server.connectionManager.getLocalConnection(id);
  if (!connection) throw new Error(`connection ${String(id)} is not served by this instance`);
  const serverSide = new Promise<void>((resolve) => {
    const onDisconnected = (gone: { id: string }): void => {
      if (gone.id !== id) return;
      server.off("disconnected", onDisconnected);
      resolve();
    };
    server.on("disconnected", onDisconnected);
  });
  const clientSide = new Promise<void>((resolve) => {
    const off = client.on("disconnect", () => {
      off();
      resolve();
    });
  });
  connection.socket.terminate();
  await Promise.all([serverSide, clientSide]);
}
