import type { ChannelMessage, SubscribeChannelResult } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { ChannelStateMachine } from "../../../src/channels/channelStateMachine";

function frame(message: unknown, offset?: number, epoch = "e1"): ChannelMessage {
  return offset === undefined
    ? { type: "channel-message", channel: "chat", message }
    : { type: "channel-message", channel: "chat", message, offset, epoch };
}

function answer(fields: Partial<SubscribeChannelResult> = {}): SubscribeChannelResult {
  return { success: true, history: [], ...fields };
}

function store() {
  const errors: unknown[] = [];
  const subscriptions = new ChannelStateMachine((error, channel, hook) => errors.push([hook, channel, error]));
  return { subscriptions, errors };
}

describe("ChannelStateMachine", () => {
  it("holds messages back while subscribing; a new subscription starts at the answered position", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    const attempt = subscriptions.begin("chat", (message) => log.push(message), {});
    subscriptions.receive(frame("stored before the read", 4));
    subscriptions.receive(frame("plain"));
    subscriptions.receive(frame("stored after the read", 6));
    expect(log).toEqual([]);
    expect(subscriptions.stateOf("chat")).toBe("subscribing");

    subscriptions.complete(attempt, answer({ position: { epoch: "e1", offset: 5 } }));

    expect(log).toEqual(["plain", "stored after the read"]);
    expect(subscriptions.stateOf("chat")).toBe("active");
  });

  it("an established subscription asked again delivers everything held back, skipping only duplicates", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer({ position: { epoch: "e1", offset: 2 } }),
    );
    subscriptions.receive(frame("m3", 3));
    const again = subscriptions.begin("chat", (message) => log.push(`new:${String(message)}`), {});
    subscriptions.receive(frame("m3", 3));
    subscriptions.receive(frame("m4", 4));

    subscriptions.complete(again, answer({ position: { epoch: "e1", offset: 4 } }));
    subscriptions.receive(frame("m5", 5));

    expect(log).toEqual(["m3", "new:m4", "new:m5"]);
  });

  it("delivers missed before held-back messages and drops what both contain", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer({ position: { epoch: "e1", offset: 1 } }),
    );
    const [restore] = subscriptions.beginRestore();
    if (restore === undefined) throw new Error("nothing to restore");
    expect(restore.since).toEqual({ epoch: "e1", offset: 1 });
    subscriptions.receive(frame("m3", 3));
    subscriptions.receive(frame("m4", 4));

    subscriptions.complete(
      restore,
      answer({
        position: { epoch: "e1", offset: 3 },
        missed: [
          { offset: 2, message: "m2" },
          { offset: 3, message: "m3" },
        ],
        recovered: true,
      }),
    );

    expect(log).toEqual(["m2", "m3", "m4"]);
  });

  it("starts over from the answered position when the history was rolled back within its epoch", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer({ position: { epoch: "e1", offset: 10 } }),
    );
    const [restore] = subscriptions.beginRestore();
    subscriptions.complete(
      restore as NonNullable<typeof restore>,
      answer({ position: { epoch: "e1", offset: 5 }, missed: [], recovered: false }),
    );
    subscriptions.receive(frame("m6", 6));

    expect(log).toEqual(["m6"]);
    expect(subscriptions.beginRestore()[0]?.since).toEqual({ epoch: "e1", offset: 6 });
  });

  it("lets only the latest subscribe activate; a superseded answer or failure changes nothing", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    const first = subscriptions.begin("chat", () => log.push("first"), {});
    const second = subscriptions.begin("chat", () => log.push("second"), {});
    subscriptions.receive(frame("x"));

    expect(subscriptions.fail(first)).toBe(false);
    subscriptions.complete(first, answer());
    expect(subscriptions.stateOf("chat")).toBe("subscribing");
    subscriptions.complete(second, answer());

    expect(log).toEqual(["second"]);
    expect(subscriptions.size).toBe(1);
  });

  it("restores only established subscriptions and leaves activation to a pending application subscribe", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.begin("pending", () => {}, {});
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer(),
    );
    const replacing = subscriptions.begin("chat", (message) => log.push(message), {});

    const restores = subscriptions.beginRestore();
    expect(restores.map((attempt) => attempt.key)).toEqual(["chat"]);
    subscriptions.complete(restores[0] as (typeof restores)[number], answer({ missed: [{ offset: 1, message: "m" }] }));

    expect(log).toEqual(["m"]);
    expect(subscriptions.stateOf("chat")).toBe("subscribing");
    subscriptions.complete(replacing, answer());
    expect(subscriptions.stateOf("chat")).toBe("active");
  });

  it("keeps a subscription whose restore was cut short and delivers what it held back", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer(),
    );
    const [restore] = subscriptions.beginRestore();
    subscriptions.receive(frame("held"));

    subscriptions.abort(restore as NonNullable<typeof restore>);

    expect(subscriptions.stateOf("chat")).toBe("active");
    expect(log).toEqual(["held"]);
    expect(subscriptions.beginRestore()).toHaveLength(1);
  });

  it("stops a flush when a callback unsubscribes, and holds the rest back when it subscribes again", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    const attempt = subscriptions.begin(
      "chat",
      (message) => {
        log.push(message);
        if (message === "stop") subscriptions.remove("chat");
      },
      {},
    );
    for (const message of ["a", "stop", "b"]) subscriptions.receive(frame(message));
    subscriptions.complete(attempt, answer());
    expect(log).toEqual(["a", "stop"]);
    expect(subscriptions.size).toBe(0);

    const again: unknown[] = [];
    const first = subscriptions.begin(
      "chat",
      (message) => {
        again.push(message);
        if (message === "resubscribe") subscriptions.begin("chat", (next) => again.push(`later:${String(next)}`), {});
      },
      {},
    );
    for (const message of ["resubscribe", "c"]) subscriptions.receive(frame(message));
    subscriptions.complete(first, answer());
    expect(again).toEqual(["resubscribe"]);
    expect(subscriptions.stateOf("chat")).toBe("subscribing");
  });

  it("reports a throwing callback or onRecover and goes on", () => {
    const { subscriptions, errors } = store();
    const log: unknown[] = [];
    const boom = new Error("boom");
    const attempt = subscriptions.begin(
      "chat",
      (message) => {
        log.push(message);
        throw boom;
      },
      {
        onRecover: () => {
          throw boom;
        },
      },
    );
    subscriptions.complete(attempt, answer());
    subscriptions.receive(frame(1));
    subscriptions.receive(frame(2));
    subscriptions.notifyRecovery(attempt, { channel: "chat", recovered: true, missed: 0 });

    expect(log).toEqual([1, 2]);
    expect(errors).toEqual([
      ["callback", "chat", boom],
      ["callback", "chat", boom],
      ["onRecover", "chat", boom],
    ]);
  });

  it("ignores messages of channels it does not hold and forgets everything on clear", () => {
    const { subscriptions } = store();
    const log: unknown[] = [];
    subscriptions.complete(
      subscriptions.begin("chat", (message) => log.push(message), {}),
      answer(),
    );
    subscriptions.receive({ type: "channel-message", channel: "other", message: "x" });
    subscriptions.clear();
    subscriptions.receive(frame("y"));

    expect(log).toEqual([]);
    expect(subscriptions.size).toBe(0);
    expect(subscriptions.beginRestore()).toEqual([]);
  });
});
