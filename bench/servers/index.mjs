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

/**
 * @typedef {object} ClusterSystemDef
 * @property {string} id used in BENCH_CB_SYSTEMS
 * @property {string} label shown in tables
 * @property {string} module server module: `startServer({ host, port, redisUrl, keyPrefix, room, command })` →
 *   `{ port, connections(), roomSize(), broadcast(payload), close() }`, run by lib/broadcastServerProcess.mjs
 * @property {"meshwork" | "socketio" | "relay"} client the client kind in lib/broadcastClients.mjs
 * @property {"cluster" | "local"} roomScope whether roomSize() counts the whole cluster's members or the instance's
 */

/** The systems of the cluster-broadcast scenario (two instances on one Redis each). @type {ClusterSystemDef[]} */
export const CLUSTER_SYSTEMS = [
  { id: "meshwork", label: "meshwork", module: here("./meshwork-cluster.mjs"), client: "meshwork", roomScope: "cluster" },
  { id: "socketio", label: "Socket.IO + redis-adapter", module: here("./socketio-cluster.mjs"), client: "socketio", roomScope: "local" },
  { id: "relay", label: "minimal ws relay", module: here("./ws-relay-cluster.mjs"), client: "relay", roomScope: "local" },
];

/** Cluster systems selected by id (all when `ids` is undefined); throws on an unknown id. */
export function selectClusterSystems(ids) {
  if (!ids) return CLUSTER_SYSTEMS;
  return ids.map((id) => {
    const def = CLUSTER_SYSTEMS.find((s) => s.id === id);
    if (!def) throw new Error(`unknown cluster system "${id}" (known: ${CLUSTER_SYSTEMS.map((s) => s.id).join(", ")})`);
    return def;
  });
}
