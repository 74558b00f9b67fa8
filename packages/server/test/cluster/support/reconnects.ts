// Helpers for tests that drop a MeshClient and watch it come back.
import type { MeshClient } from "@meshwork/client";

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
