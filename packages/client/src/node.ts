/**
 * Node entry of @meshwork/client, chosen through the package's `node` export condition. Node 20 has no global
 * WebSocket, so this entry makes `ws` the default implementation; everything else is the browser-safe entry.
 */
import WebSocket from "ws";
import { setDefaultWebSocket } from "./webSocket";

setDefaultWebSocket(WebSocket);

export * from "./index";
