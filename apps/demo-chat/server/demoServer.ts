// Stand-in for the demo's server configuration, to develop the runner against; the real one replaces it.
import type { Server as HttpServer } from "node:http";
import type { MeshState } from "@meshwork/redis-state";
import { MeshServer } from "@meshwork/server";

export type InstanceName = "A" | "B";

export interface DemoServerOptions {
  instance: InstanceName;
  server: HttpServer;
  redis?: string;
  state?: MeshState;
  keyPrefix: string;
}

export function createDemoServer(options: DemoServerOptions): MeshServer {
  const mesh = new MeshServer({
    server: options.server,
    keyPrefix: options.keyPrefix,
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.state ? { state: options.state } : {}),
    authenticateConnection: (request) => {
      const name = new URL(request.url ?? "/", "http://localhost").searchParams.get("name");
      return { name: name || "anonymous" };
    },
  });
  mesh.exposeRoom(/^[\w-]+$/);
  mesh.trackPresence(/^[\w-]+$/, { groupBy: "name" });
  mesh.exposeChannel(/^chat:[\w-]+$/);
  mesh.exposeWritableRecord(/^room:[\w-]+$/);
  mesh.registerCommand("chat/send", async (ctx) => {
    const { room, text } = ctx.payload as { room: string; text: string };
    const meta = await mesh.connectionManager.getMetadata(ctx.connection);
    await mesh.publishToChannel(`chat:${room}`, { author: meta?.name, text, at: Date.now() }, 50);
    return true;
  });
  mesh.registerCommand("demo/roll", () => `${options.instance} rolled ${1 + Math.floor(Math.random() * 6)}`);
  mesh.registerCommand("demo/instance", () => options.instance);
  return mesh;
}
