import { describe, expect, it } from "vitest";
import { StateMachine, type Transition } from "../../src/fsm";

type State = "a" | "b" | "c";
type Event = { type: "NEXT" } | { type: "JUMP"; to: State } | { type: "NOPE" };

function create(log: string[]) {
  return new StateMachine<State, Event, { count: number }>({
    initial: "a",
    context: { count: 0 },
    transitions: {
      a: { NEXT: "b", JUMP: (event) => event.to },
      b: { NEXT: "c", JUMP: (event) => (event.to === "a" ? "a" : undefined) },
      c: { NEXT: "a" },
    },
    effects: [
      {
        states: ["b"],
        enter: (context) => {
          context.count += 1;
          log.push("enter b");
          return (event) => log.push(`leave b on ${event?.type}`);
        },
      },
      {
        states: ["b", "c"],
        enter: () => {
          log.push("enter b|c");
          return () => log.push("leave b|c");
        },
      },
    ],
  });
}

describe("StateMachine", () => {
  it("follows the table and ignores unlisted or undefined targets", () => {
    const machine = create([]);
    machine.send({ type: "NOPE" });
    expect(machine.state).toBe("a");
    machine.send({ type: "NEXT" });
    machine.send({ type: "JUMP", to: "c" });
    expect(machine.state).toBe("b");
    machine.send({ type: "JUMP", to: "a" });
    expect(machine.state).toBe("a");
  });

  it("keeps a group effect alive across its states and cleans it up when leaving the group", () => {
    const log: string[] = [];
    const machine = create(log);
    machine.send({ type: "NEXT" });
    machine.send({ type: "NEXT" });
    machine.send({ type: "NEXT" });
    expect(log).toEqual(["enter b", "enter b|c", "leave b on NEXT", "leave b|c"]);
    expect(machine.context.count).toBe(1);
  });

  it("restarts a state's effects, shared ones included, when it leads to itself", () => {
    const log: string[] = [];
    const machine = new StateMachine<State, Event, { count: number }>({
      initial: "a",
      context: { count: 0 },
      transitions: { a: { NEXT: "b" }, b: { NEXT: "b" }, c: {} },
      effects: [
        {
          states: ["b"],
          enter: () => {
            log.push("enter b");
            return (event) => log.push(`leave b on ${event?.type}`);
          },
        },
        {
          states: ["b", "c"],
          enter: () => {
            log.push("enter b|c");
            return () => log.push("leave b|c");
          },
        },
      ],
    });
    machine.onTransition(({ from, to }) => log.push(`${from}->${to}`));
    machine.send({ type: "NEXT" });
    log.length = 0;
    machine.send({ type: "NEXT" });
    expect(machine.state).toBe("b");
    expect(log).toEqual(["leave b on NEXT", "leave b|c", "b->b", "enter b", "enter b|c"]);
  });

  it("reports transitions after cleanups and before entering", () => {
    const log: string[] = [];
    const machine = create(log);
    machine.onTransition(({ from, to }) => log.push(`${from}->${to}`));
    machine.send({ type: "NEXT" });
    machine.send({ type: "NEXT" });
    expect(log).toEqual(["a->b", "enter b", "enter b|c", "leave b on NEXT", "b->c"]);
  });

  it("queues events sent during a transition until it completes", () => {
    const seen: Transition<State, Event>[] = [];
    const machine = create([]);
    const stop = machine.onTransition((transition) => {
      seen.push(transition);
      if (transition.to === "b") machine.send({ type: "NEXT" });
    });
    machine.send({ type: "NEXT" });
    expect(seen.map(({ from, to }) => `${from}->${to}`)).toEqual(["a->b", "b->c"]);
    stop();
    machine.send({ type: "NEXT" });
    expect(seen).toHaveLength(2);
  });
});
