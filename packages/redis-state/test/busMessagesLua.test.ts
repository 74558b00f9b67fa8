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
  presenceBusMessage,
  readPresenceBusMessage,
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

  it("every presence script publishes what presenceBusMessage builds for the same event", async () => {
    const room = 'room:{a}\n"b" é/✓';
    const { state, got } = await listen({ kind: "presence", room });
    const member = 'user:{1}/"ü"';
    const metadata = { name: "Ada\nLovelace", tags: [], nested: { precise: 1.2345678901234567, f: 0.1 } };
    const origin = "origin-1";
    const { presence } = state;
    await presence.join(room, { memberId: member, connectionId: "c/1", metadata, ttlMs: 60_000, origin });
    await presence.publishState(room, { memberId: member, state: { typing: "x\ny" }, expireAfterMs: 1, origin });
    await presence.sweepExpired(room, "sweeper", Date.now() + 10_000);
    await presence.publishState(room, { memberId: member, state: [], origin });
    await presence.clearState(room, member, origin);
    await presence.leave(room, "c/1", origin);
    await expect.poll(() => got.length).toBe(6);
    const { epoch } = await presence.snapshot(room);
    const at = (seq: number) => ({ epoch, seq, room, memberId: member });
    const expected = [
      presenceBusMessage(origin, { ...at(1), type: "join", connectionIds: ["c/1"], metadata }),
      presenceBusMessage(origin, { ...at(2), type: "state", state: { typing: "x\ny" } }),
      presenceBusMessage("sweeper", { ...at(3), type: "state", state: null }),
      presenceBusMessage(origin, { ...at(4), type: "state", state: [] }),
      presenceBusMessage(origin, { ...at(5), type: "state", state: null }),
      presenceBusMessage(origin, { ...at(6), type: "leave", connectionIds: ["c/1"] }),
    ];
    expect(got.map(decodeBusMessage)).toEqual(expected.map(decodeBusMessage));
    expect(got.map(readPresenceBusMessage)).toEqual(expected.map(readPresenceBusMessage));
  });
});
