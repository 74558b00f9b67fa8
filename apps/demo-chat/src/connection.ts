import type { MeshClient, MeshClientOptions } from "@meshwork/client";
import type { DemoCommands } from "./demoShared";

/** The client type the components' commands are checked against. */
export type DemoClient = MeshClient<DemoCommands>;

/**
 * The WebSocket address of the instance that served this page (same origin), saying who this tab is: the server
 * reads the name at upgrade time and stamps it on everything the tab sends.
 */
export function socketUrl(name: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/?name=${encodeURIComponent(name)}`;
}

/** Quicker reconnects than the library's defaults: a demo is watched while instances are restarted. */
export const CLIENT_OPTIONS: MeshClientOptions = {
  reconnectInterval: 500,
  maxReconnectInterval: 4_000,
};
