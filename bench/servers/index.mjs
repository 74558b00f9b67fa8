// The servers under test. Each module exports `startServer({ host, port })` resolving to
// `{ port, connections?(), close() }`; it runs in its own process (lib/serverProcess.mjs).
// To add one (e.g. a Socket.IO baseline), add a module and an entry here; a server that speaks
// another wire protocol also needs a client pool for it in lib/.
import { fileURLToPath } from "node:url";

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/**
 * @typedef {object} ServerDef
 * @property {string} id used in BENCH_SERVERS
 * @property {string} label shown in tables
 * @property {string} module absolute path of the server module
 * @property {boolean} hello the server greets each connection with `hello`; a connection is ready after it
 * @property {boolean} [optIn] not run unless named in BENCH_SERVERS (keeps the default run short)
 */

/** @type {ServerDef[]} */
export const SERVERS = [
  { id: "meshwork", label: "meshwork", module: here("./meshwork.mjs"), hello: true },
  { id: "ws-echo", label: "raw ws echo", module: here("./ws-echo.mjs"), hello: false },
  { id: "ws-jsonrpc", label: "raw ws JSON-RPC", module: here("./ws-jsonrpc.mjs"), hello: false },
  { id: "ws-echo-corked", label: "raw ws echo, corked", module: here("./ws-echo-corked.mjs"), hello: false, optIn: true },
];

/** The baseline every ratio is taken against. */
export const BASELINE_ID = "ws-echo";

/** Servers selected by id (all but the opt-in ones when `ids` is undefined); throws on an unknown id. */
export function selectServers(ids) {
  if (!ids) return SERVERS.filter((s) => !s.optIn);
  return ids.map((id) => {
    const def = SERVERS.find((s) => s.id === id);
    if (!def) throw new Error(`unknown server "${id}" (known: ${SERVERS.map((s) => s.id).join(", ")})`);
    return def;
  });
}
