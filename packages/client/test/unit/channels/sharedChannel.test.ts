import { describe, expect, it } from "vitest";
import { SharedChannel } from "../../../src/channels/sharedChannel";

function store() {
  const errors: unknown[][] = [];
  const channel = new SharedChannel("chat", (error, what) => errors.push([what, error]));
  return { channel, errors };
}

const at = (offset: number, epoch = "e1") => ({ epoch, offset });

describe("SharedChannel", () => {
  it("hands each message to every listener once, in the order they joined; a callback added twice is one listener", () => {
    const { channel } = store();
    const log: string[] = [];
    const first = (message: unknown) => log.push(`first:${String(message)}`);
    channel.listen(first, {});
    channel.listen((message) => log.push(`second:${String(message)}`), {});
    channel.listen(first, {});

    channel.deliver("a", undefined);
    channel.deliver("b", at(1));

    expect(log).toEqual(["first:a", "second:a", "first:b", "second:b"]);
    expect(channel.holders).toBe(2);
  });

  it("does not call a listener removed during a delivery; one added during it starts with the next message", () => {
    const { channel } = store();
    const log: string[] = [];
    const late = (message: unknown) => log.push(`late:${String(message)}`);
    const leaving = (message: unknown) => log.push(`leaving:${String(message)}`);
    channel.listen((message) => {
      log.push(`first:${String(message)}`);
      channel.removeListener(leaving);
      channel.listen(late, {});
    }, {});
    channel.listen(leaving, {});

    channel.deliver("a", undefined);
    channel.deliver("b", undefined);

    expect(log).toEqual(["first:a", "first:b", "late:b"]);
  });

  it("holds a joining listener's messages until its history arrives, then skips what that history holds", () => {
    const { channel } = store();
    const first: unknown[] = [];
    const joining: unknown[] = [];
    const join = (message: unknown) => joining.push(message);
    channel.listen((message) => first.push(message), {});
    channel.listen(join, {});
    channel.hold(join);

    channel.deliver("m4", at(4));
    channel.deliver("plain", undefined);
    channel.deliver("m5", at(5));
    expect(joining).toEqual([]);
    channel.release(join, at(4));
    channel.deliver("m6", at(6));

    expect(joining).toEqual(["plain", "m5", "m6"]);
    expect(first).toEqual(["m4", "plain", "m5", "m6"]);
  });

  it("after a release, still skips a stored message its history held that arrives late, but not one of a new epoch", () => {
    const { channel } = store();
    const joining: unknown[] = [];
    const join = (message: unknown) => joining.push(message);
    channel.listen(join, {});
    channel.hold(join);
    channel.release(join, at(7));

    channel.deliver("m7", at(7));
    channel.deliver("fresh", at(1, "e2"));

    expect(joining).toEqual(["fresh"]);
  });

  it("keeps its snapshot until status or recovery changes, and tells observers and every onRecover", () => {
    const { channel } = store();
    const recovered: string[] = [];
    let changes = 0;
    channel.addObserver(() => changes++);
    channel.listen(() => {}, { onRecover: (info) => recovered.push(`a:${info.missed}`) });
    channel.listen(() => {}, { onRecover: (info) => recovered.push(`b:${info.missed}`) });
    const subscribing = channel.getSnapshot();

    channel.stateChanged("subscribing");
    expect(channel.getSnapshot()).toBe(subscribing);
    channel.stateChanged("active");
    const active = channel.getSnapshot();
    channel.recovered({ channel: "chat", recovered: true, missed: 2 });

    expect(subscribing.status).toBe("subscribing");
    expect(active).not.toBe(subscribing);
    expect(active.status).toBe("active");
    expect(channel.getSnapshot().recovery).toEqual({ channel: "chat", recovered: true, missed: 2 });
    expect(recovered).toEqual(["a:2", "b:2"]);
    expect(changes).toBe(2);
  });

  it("reports a throwing callback, observer or onRecover and goes on with the others", () => {
    const { channel, errors } = store();
    const boom = new Error("boom");
    const log: unknown[] = [];
    channel.addObserver(() => {
      throw boom;
    });
    channel.listen(
      () => {
        throw boom;
      },
      {
        onRecover: () => {
          throw boom;
        },
      },
    );
    channel.listen((message) => log.push(message), {});

    channel.deliver("x", undefined);
    channel.stateChanged("active");
    channel.recovered({ channel: "chat", recovered: false, missed: 0 });

    expect(log).toEqual(["x"]);
    expect(errors.map(([what]) => what)).toEqual(["callback", "observer", "onRecover", "observer"]);
  });

  it("on end, calls no listener again and shows observers the final status once", () => {
    const { channel } = store();
    const log: unknown[] = [];
    const seen: string[] = [];
    channel.listen((message) => log.push(message), {});
    channel.addObserver(() => seen.push(channel.getSnapshot().status));

    channel.end();
    channel.deliver("late", undefined);
    channel.end();

    expect(log).toEqual([]);
    expect(seen).toEqual(["idle"]);
    expect(channel.ended).toBe(true);
    expect(channel.holders).toBe(0);
  });
});
