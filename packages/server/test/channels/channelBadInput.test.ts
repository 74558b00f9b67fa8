// Bad input to the channel commands, from raw sockets: invalid channel names (empty, longer than 256, control
// characters, not a string), invalid historyLimit (negative, fractional, not a number) and `since`, wrong payload
// shapes. Each gets an INVALID_PAYLOAD error; a huge historyLimit is capped at 1000, not refused. The connection
// stays open, takes no subscription for a refused request, and the instance keeps serving it and everyone else.
import { describe, expect, it } from "vitest";
import { type Instance, startCluster } from "../cluster/support/cluster";
import type { RawClient } from "../support/rawClient";
import {
  busChannelOf,
  channelTopicsOf,
  flushChannel,
  isMarker,
  messagesOf,
  rawConnect,
  subscribeRaw,
} from "./support/channels";

async function twoInstances(): Promise<{ prefix: string; A: Instance; B: Instance }> {
  const { prefix, nodes } = await startCluster(2);
  const [A, B] = nodes as [Instance, Instance];
  for (const { server } of [A, B]) server.exposeChannel(/.*/s);
  return { prefix, A, B };
}

async function expectInvalid(raw: RawClient, command: string, payload: unknown): Promise<void> {
  const answer = await raw.request(command, payload);
  expect(answer, `${command} ${JSON.stringify(payload)}`).toMatchObject({
    type: "error",
    error: { code: "INVALID_PAYLOAD" },
  });
}

const BAD_CHANNELS: unknown[] = [
  "",
  "x".repeat(257),
  "a\u0000b",
  "line\nbreak",
  "tab\there",
  "\u001b[31mred",
  "del\u007f",
  42,
  null,
  true,
  ["chat"],
  { name: "chat" },
];

describe("bad channel input", () => {
  it("refuses invalid channel names with INVALID_PAYLOAD, takes no subscription, and keeps serving", async () => {
    const { prefix, A, B } = await twoInstances();
    const raw = await rawConnect(B.url);
    const bystander = await rawConnect(B.url);
    await subscribeRaw(bystander, "ok");

    for (const channel of BAD_CHANNELS) {
      await expectInvalid(raw, "mesh/subscribe-channel", { channel });
      await expectInvalid(raw, "mesh/unsubscribe-channel", { channel });
    }
    for (const payload of [
      undefined,
      null,
      "chat",
      7,
      [],
      {},
      { channel: "ok", historyLimit: 1, since: "yesterday" },
    ]) {
      await expectInvalid(raw, "mesh/subscribe-channel", payload);
    }
    await expectInvalid(raw, "mesh/unsubscribe-channel", "ok");
    expect(channelTopicsOf(B.server)).toEqual([busChannelOf(prefix, "ok")]);

    // The longest name allowed, and names with every other kind of character, work.
    const longest = "y".repeat(256);
    for (const channel of [longest, "ünïcødé ✓ 频道", "sp ace", "a:b{c}%d", "*?[glob]"]) {
      expect(await subscribeRaw(raw, channel), JSON.stringify(channel)).toMatchObject({ success: true });
      await A.server.publishToChannel(channel, `to ${channel}`);
      await flushChannel(A.server, channel, raw);
      expect(messagesOf(raw, channel)[0]).toBe(`to ${channel}`);
    }

    // Both sockets are still open and served.
    await A.server.publishToChannel("ok", "still served");
    // Wait until "still served" has reached B, so it cannot land on `raw`'s subscription made below.
    await flushChannel(A.server, "ok", bystander);
    await subscribeRaw(raw, "ok");
    await A.server.publishToChannel("ok", "after");
    await flushChannel(A.server, "ok", bystander, raw);
    expect(messagesOf(bystander, "ok").filter((message) => !isMarker(message))).toEqual(["still served", "after"]);
    expect(messagesOf(raw, "ok")[0]).toBe("after");
    expect(raw.socket.readyState).toBe(raw.socket.OPEN);
  });

  it("refuses a negative, fractional or non-numeric historyLimit and a malformed since; caps a huge historyLimit at 1000", async () => {
    const { A, B } = await twoInstances();
    // 1005 stored messages; the pipelined publishes keep their order on the instance's one Redis connection.
    await Promise.all(Array.from({ length: 1_005 }, (_, i) => A.server.publishToChannel("big", i, 2_000)));
    const raw = await rawConnect(B.url);

    for (const historyLimit of [-1, -1000, 1.5, 0.1, "3", true, null, [3], { n: 3 }]) {
      await expectInvalid(raw, "mesh/subscribe-channel", { channel: "big", historyLimit });
    }
    const badSince: unknown[] = [
      { epoch: "", offset: 1 },
      { epoch: "e".repeat(65), offset: 1 },
      { epoch: "e", offset: -1 },
      { epoch: "e", offset: 1.5 },
      { epoch: "e" },
      { offset: 1 },
      { epoch: 5, offset: 1 },
      5,
    ];
    for (const since of badSince) await expectInvalid(raw, "mesh/subscribe-channel", { channel: "big", since });

    for (const historyLimit of [1_001, 5_000, 1e9, Number.MAX_SAFE_INTEGER]) {
      const { history } = await subscribeRaw(raw, "big", { historyLimit });
      expect(history, `historyLimit ${historyLimit}`).toHaveLength(1_000);
      expect(history[0]).toBe(1_004);
      expect(history[999]).toBe(5);
    }
    expect((await subscribeRaw(raw, "big", { historyLimit: 1_000 })).history).toHaveLength(1_000);
    expect((await subscribeRaw(raw, "big", { historyLimit: 999 })).history).toHaveLength(999);

    // Still subscribed (the valid subscribes above) and served.
    await A.server.publishToChannel("big", "live");
    await flushChannel(A.server, "big", raw);
    expect(messagesOf(raw, "big")[0]).toBe("live");
  });

  it("a flood of invalid subscribes on one socket does not disturb subscribers on the same instance", async () => {
    const { A, B } = await twoInstances();
    const flooder = await rawConnect(B.url);
    const others = await Promise.all([rawConnect(B.url), rawConnect(A.url)]);
    await Promise.all(others.map((raw) => subscribeRaw(raw, "steady")));
    const answers = Array.from({ length: 200 }, (_, i) =>
      flooder.request("mesh/subscribe-channel", { channel: i % 2 === 0 ? "" : "x".repeat(300), historyLimit: -i }),
    );
    for (let i = 0; i < 20; i++) await A.server.publishToChannel("steady", i, 10);
    await flushChannel(A.server, "steady", ...others);
    for (const raw of others)
      expect(messagesOf(raw, "steady").slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const answer of await Promise.all(answers))
      expect(answer).toMatchObject({ type: "error", error: { code: "INVALID_PAYLOAD" } });
  });
});
