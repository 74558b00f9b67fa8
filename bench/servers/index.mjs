// The servers under test of the rpc and idle-memory scenarios (the fan-out scenarios name their own modules). Each
// module's `startServer({ host, port })` resolves to `{ port, connections?(), close() }`; `hello`: the server greets
// every connection, which is ready once greeted.
import { fileURLToPath } from "node:url";

/** The absolute path of a module in this folder. */
export const serverModule = (file) => fileURLToPath(new URL(file, import.meta.url));

export const SERVERS = [
  { id: "meshwork", label: "meshwork", module: serverModule("./meshwork.mjs"), hello: true },
  { id: "ws-echo", label: "raw ws echo", module: serverModule("./ws-echo.mjs"), hello: false },
  { id: "ws-jsonrpc", label: "raw ws JSON-RPC", module: serverModule("./ws-jsonrpc.mjs"), hello: false },
];

/** The baseline every ratio is taken against. */
export const BASELINE_ID = "ws-echo";
