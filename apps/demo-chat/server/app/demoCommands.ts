import { randomInt, randomUUID } from "node:crypto";
import { MeshError, type MeshServer } from "@meshwork/server";
import { z } from "zod";
import {
  CHAT_HISTORY,
  type ChatMessage,
  type DemoCommands,
  type InstanceName,
  MAX_MESSAGE_LENGTH,
  ROOM_NAME_PATTERN,
  chatChannel,
} from "../../src/demoShared";

type Result<K extends keyof DemoCommands> = DemoCommands[K]["result"];

const sendSchema = z.object({
  room: z.string().regex(ROOM_NAME_PATTERN),
  text: z.string().trim().min(1, "Say something").max(MAX_MESSAGE_LENGTH, `At most ${MAX_MESSAGE_LENGTH} characters`),
});

/**
 * The demo's commands. Chat goes through a command rather than a client publish so the server decides who wrote
 * a message and when: clients cannot forge either.
 */
export function registerDemoCommands(mesh: MeshServer, instance: InstanceName): void {
  mesh.registerCommand(
    "chat/send",
    async (ctx): Promise<Result<"chat/send">> => {
      const { room, text } = ctx.payload;
      if (!(await mesh.isInRoom(room, ctx.connection))) {
        throw new MeshError("FORBIDDEN", `Join room "${room}" before writing in it`);
      }
      const metadata = await mesh.connectionManager.getMetadata(ctx.connection);
      const author = typeof metadata?.name === "string" ? metadata.name : "someone";
      const message: ChatMessage = { id: randomUUID(), author, text, at: Date.now(), instance };
      await mesh.publishToChannel(chatChannel(room), message, CHAT_HISTORY);
      return { id: message.id };
    },
    { schema: sendSchema },
  );

  mesh.registerCommand("demo/roll", (): Result<"demo/roll"> => {
    const value = randomInt(1, 7);
    return { instance, value, text: `${instance} rolled ${value}` };
  });
}
