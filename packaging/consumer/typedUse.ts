// A small application against the packed packages' types: compiled by the packaging test with `module: nodenext`,
// never run. `@ts-expect-error` lines prove the types still refuse what they should.
import { MeshClient, type ClientStatus, type RecordStoreSnapshot } from "@meshwork/client";
import { ERROR_CODES, type MeshErrorCode, parseClientMessage } from "@meshwork/protocol";
import { MemoryState, type MeshState } from "@meshwork/redis-state";
import { type Connection, type MeshContext, MeshServer } from "@meshwork/server";
import { z } from "zod";

type Commands = { echo: { payload: string; result: string } };
type IsAny<T> = 0 extends 1 & T ? true : false;

// The socket's type comes from `ws` through @types/ws, a dependency of the server package: not `any`.
export const socketIsTyped: IsAny<Connection["socket"]> = false;

export async function typedRoundTrip(url: string): Promise<string> {
  const state: MeshState = new MemoryState("typed:");
  const server = new MeshServer({ port: 0, state });
  server.registerCommand("echo", async (ctx: MeshContext<string>) => `echo: ${ctx.payload}`);
  server.registerCommand("rename", async (ctx) => ctx.payload.name.toUpperCase(), {
    schema: z.object({ name: z.string() }),
  });
  const client = new MeshClient<Commands>(url);
  const status: ClientStatus = client.status;
  const reply: string = await client.command("echo", `status ${status}`);
  // @ts-expect-error the payload of "echo" is a string
  await client.command("echo", 42);
  // @ts-expect-error "missing" is not a command of Commands
  await client.command("missing", "x");
  const snapshot: RecordStoreSnapshot<{ n: number }> = client.recordStore<{ n: number }>("counter").getSnapshot();
  const code: MeshErrorCode = "TIMEOUT";
  const meaning: string = ERROR_CODES[code];
  const parsed = parseClientMessage('{"type":"pong"}');
  await client.close();
  await server.close();
  await state.close();
  return `${reply} ${snapshot.version} ${code} ${meaning} ${parsed.ok}`;
}
