// The servers under test of the rpc and idle-memory scenarios. Each module exports `startServer({ host, port })`
// resolving to `{ port, connections?(), close() }`; it runs in its own process (lib/serverProcess.mjs). The
// fan-out scenarios name their server modules in their own descriptions (scenarios/*.mjs).
import { fileURLToPath } from "node:url";

/** The absolute path of a module in this folder. */
export const serverModule = (file) => fileURLToPath(new URL(file, import.meta.url));

/**
 * @typedef {object} ServerDef
 * @property {string} id used in BENCH_SERVERS
 * @property {string} label shown in tables
 * @property {string} module absolute path of the server module
 * @property {boolean} hello the server greets each connection with `hello`; a connection is ready after it
 */

/** @type {ServerDef[]} */
export const SERVERS = [
  { id: "meshwork", label: "meshwork", module: serverModule("./meshwork.mjs"), hello: true },
  { id: "ws-echo", label: "raw ws echo", module: serverModule("./ws-echo.mjs"), hello: false },
  { id: "ws-jsonrpc", label: "raw ws JSON-RPC", module: serverModule("./ws-jsonrpc.mjs"), hello: false },
];

/** The baseline every ratio is taken against. */
export const BASELINE_ID = "ws-echo";
