// The Lua scripts that publish as they store build some bus messages themselves (see src/bus/busMessages.ts). These
// tests run them against Redis and check that what they publish decodes to the same message as the TypeScript
// encoder's for the same content.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type BusTopic,
  type MeshBus,
  RedisState,
  channelBusMessage,
  decodeBusMessage,
  readRecordBusMessage,
  recordBusMessage,
  recordChangeHead,
  recordDeletionMessage,
} from "../src/index";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "./redisSupport";

const prefixes: string[] = [];
const states: RedisState[] = [];
afterEach(async () => {
  await Promise.all(states.splice(0).map((state) => state.close()));
});
afterAll(async () => {
  await Promise.all(prefixes.map(deletePrefix));
});

/** A Redis state and a bus listening to one topic, collecting what arrives. */
async function listen(topic: BusTopic): Promise<{ state: RedisState; bus: MeshBus; got: string[] }> {
  const keyPrefix = uniquePrefix();
  prefixes.push(keyPrefix);
  const state = new RedisState({ connection: TEST_REDIS_URL, keyPrefix });
  states.push(state);
  await state.ready();
  const bus = state.createBus();
  const got: string[] = [];
  await bus.subscribe(topic, (message) => got.push(message));
  return { state, bus, got };
}

describe("bus messages built in Lua", () => {
  it("a stored channel message from publishToChannelScript decodes as channelBusMessage's", async () => {
    const { state, got } = await listen({ kind: "channel", channel: "news" });
    const json = JSON.stringify({ text: "line\nbreak", n: 1 });
    const position = await state.channels.publish("news", json, 10, "origin-1");
    await expect.poll(() => got.length).toBe(1);
    expect(position).not.toBeNull();
    const fromLua = decodeBusMessage(got[0] ?? "");
    expect(fromLua).not.toBeNull();
    expect(fromLua).toEqual(decodeBusMessage(channelBusMessage("origin-1", json, position ?? undefined)));
  });

  it("a committed change from commitRecordScript is the writer's head and the value, as recordBusMessage builds it", async () => {
    const { state, got } = await listen({ kind: "record", recordId: "doc" });
    const head = recordChangeHead(
      { t: "record", o: "origin-1", v: 1, root: true },
      '[{"op":"replace","path":"","value":{"a":1}}]',
    );
    await state.records.commit({ recordId: "doc", expectedVersion: 0, json: '{"a":1}', changeHead: head, writer: "w" });
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toBe(recordBusMessage(head, '{"a":1}'));
    expect(readRecordBusMessage(got[0] ?? "")).toEqual(readRecordBusMessage(recordBusMessage(head, '{"a":1}')));
  });

  it("a deletion from deleteRecordScript decodes as recordDeletionMessage's", async () => {
    const { state, got } = await listen({ kind: "record", recordId: "doc" });
    const head = recordChangeHead({ t: "record", o: "origin-1", v: 1 }, "[]");
    await state.records.commit({ recordId: "doc", expectedVersion: 0, json: "1", changeHead: head, writer: "w" });
    await state.records.commit({ recordId: "doc", expectedVersion: 1, json: "2", changeHead: head, writer: "w" });
    expect(await state.records.delete("doc", "origin-2")).toBe(2);
    await expect.poll(() => got.length).toBe(3);
    const fromLua = readRecordBusMessage(got[2] ?? "");
    expect(fromLua).toEqual({
      header: { t: "record", o: "origin-2", v: 2, del: true },
      patchJson: "[]",
      valueJson: "null",
    });
    expect(fromLua).toEqual(readRecordBusMessage(recordDeletionMessage("origin-2", 2)));
  });
});
