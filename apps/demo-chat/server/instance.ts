// One demo instance: an HTTP server that serves the web app and carries the instance's WebSocket on the same port.
import { once } from "node:events";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import type { MeshState } from "@meshwork/redis-state";
import { createDemoServer, type InstanceName } from "./demoServer";
import { publicUrl } from "./readyLine";
import { createStaticHandler } from "./staticFiles";

/** Where `vite build` puts the web app. */
export const DIST_DIR = fileURLToPath(new URL("../dist", import.meta.url));

/** Options of {@link startInstance}. Give `redis` or `state`. */
export interface InstanceOptions {
  readonly instance: InstanceName;
  readonly port: number;
  readonly host: string;
  readonly keyPrefix: string;
  /** A Redis URL: the instance joins the cluster on that Redis. */
  readonly redis?: string;
  /** The in-memory state both embedded instances share; it stays open when the instance closes. */
  readonly state?: MeshState;
  /** @default {@link DIST_DIR} */
  readonly distDir?: string;
}

/** A started instance. */
export interface RunningInstance {
  readonly instance: InstanceName;
  /** The URL people open, e.g. `http://127.0.0.1:8701`. */
  readonly url: string;
  /** Closes the WebSocket side (clients are told "going away" and reconnect), then the HTTP server. */
  close(): Promise<void>;
}

/** Starts an instance and resolves once it listens and its state is ready. Rejects on a listen error. */
export async function startInstance(options: InstanceOptions): Promise<RunningInstance> {
  const http = createServer(createStaticHandler(options.distDir ?? DIST_DIR));
  const mesh = createDemoServer({
    instance: options.instance,
    server: http,
    keyPrefix: options.keyPrefix,
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  const closeHttp = async () => {
    if (!http.listening) return;
    const closed = once(http, "close");
    http.close();
    http.closeAllConnections();
    await closed;
  };
  const close = async () => {
    await mesh.close();
    await closeHttp();
  };
  try {
    http.listen(options.port, options.host);
    await Promise.race([once(http, "listening"), once(http, "error").then(([error]) => Promise.reject(error))]);
    await mesh.ready();
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { instance: options.instance, url: publicUrl(options.host, options.port), close };
}
