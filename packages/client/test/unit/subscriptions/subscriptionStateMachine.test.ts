import { describe, expect, it } from "vitest";
import {
  type SubscriptionAttempt,
  type SubscriptionEntry,
  type SubscriptionState,
  SubscriptionStateMachine,
} from "../../../src/subscriptions/subscriptionStateMachine";

interface Message {
  readonly key: string;
  readonly text: string;
}
interface Entry extends SubscriptionEntry<Message> {
  readonly log: string[];
}
type Attempt = SubscriptionAttempt<Entry>;

/** The smallest kind: no deduplication, answers activate at once. */
class Plain extends SubscriptionStateMachine<Message, Entry, Attempt> {
  begin(key: string, onState?: (state: SubscriptionState) => void): Attempt {
    const id = this.nextAttemptId();
    const entry: Entry = {
      key,
      state: "subscribing",
      established: false,
      activatingAttempt: id,
      buffer: [],
      onState,
      log: [],
    };
    this.add(entry);
    return { key, id, subscription: entry };
  }
  complete(attempt: Attempt): void {
    if (!this.isActivating(attempt)) return;
    attempt.subscription.established = true;
    this.setState(attempt.subscription, "active");
    this.flush(attempt.subscription);
  }
  protected keyOf(message: Message): string {
    return message.key;
  }
  protected apply(entry: Entry, message: Message): void {
    entry.log.push(message.text);
    if (message.text === "stop") this.remove(entry.key);
  }
  protected restoreAttempt(entry: Entry, id: number): Attempt {
    return { key: entry.key, id, subscription: entry };
  }
}

describe("SubscriptionStateMachine", () => {
  it("holds messages back until the activating answer, then flushes them in order and delivers live", () => {
    const machine = new Plain();
    const attempt = machine.begin("a");
    machine.receive({ key: "a", text: "1" });
    machine.receive({ key: "b", text: "ignored" });
    expect(attempt.subscription.log).toEqual([]);

    machine.complete(attempt);
    machine.receive({ key: "a", text: "2" });

    expect(attempt.subscription.log).toEqual(["1", "2"]);
    expect(machine.stateOf("a")).toBe("active");
  });

  it("tells its state listener about real changes only", () => {
    const machine = new Plain();
    const states: SubscriptionState[] = [];
    const attempt = machine.begin("a", (state) => states.push(state));
    machine.complete(attempt);
    machine.complete(attempt);
    const [restore] = machine.beginRestore();
    machine.complete(restore as Attempt);

    expect(states).toEqual(["active", "subscribing", "active"]);
  });

  it("restores only established subscriptions, and a superseded attempt neither activates nor fails", () => {
    const machine = new Plain();
    machine.begin("pending");
    const first = machine.begin("a");
    machine.complete(first);

    const restores = machine.beginRestore();

    expect(restores.map((attempt) => attempt.key)).toEqual(["a"]);
    expect(machine.isActivating(first)).toBe(false);
    expect(machine.fail(first)).toBe(false);
    expect(machine.fail(restores[0] as Attempt)).toBe(true);
    expect(machine.size).toBe(1);
  });

  it("stops a flush when a message unsubscribes, dropping the rest", () => {
    const machine = new Plain();
    const attempt = machine.begin("a");
    for (const text of ["1", "stop", "2"]) machine.receive({ key: "a", text });

    machine.complete(attempt);

    expect(attempt.subscription.log).toEqual(["1", "stop"]);
    expect(attempt.subscription.buffer).toEqual([]);
    expect(machine.stateOf("a")).toBeUndefined();
  });
});
