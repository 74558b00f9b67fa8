import { describe, expect, it } from "vitest";
import {
  CONNECTION_TRANSITIONS,
  type ConnectionContext,
  type ConnectionEvent,
  type ConnectionState,
  dropOutcome,
  statusOf,
} from "../../src/connectionMachine";
import { StateMachine } from "../../src/fsm";

const hello = {
  type: "hello",
  connectionId: "c1",
  protocol: 1,
  pingInterval: 30_000,
  latencyInterval: 5_000,
  maxPayload: 1_000,
} as const;

const closed = (code: number): ConnectionEvent => ({ type: "SOCKET_CLOSED", code, reason: "", local: false });

function machine(context: Partial<ConnectionContext> = {}, initial: ConnectionState = "idle") {
  return new StateMachine<ConnectionState, ConnectionEvent, ConnectionContext>({
    initial,
    context: {
      shouldReconnect: true,
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
      attempts: 0,
      urlCount: 1,
      untriedUrls: 0,
      ...context,
    },
    transitions: CONNECTION_TRANSITIONS,
  });
}

function walk(m: ReturnType<typeof machine>, events: ConnectionEvent[]): ConnectionState[] {
  return events.map((event) => {
    m.send(event);
    return m.state;
  });
}

describe("connection transition table", () => {
  it("connects, drops, waits, reconnects, restores and comes back online", () => {
    expect(
      walk(machine(), [
        { type: "CONNECT" },
        { type: "HELLO", hello },
        closed(1006),
        { type: "RETRY" },
        { type: "HELLO", hello },
        { type: "RESTORED" },
      ]),
    ).toEqual(["connecting", "online", "backoff", "reconnecting", "restoring", "online"]);
  });

  it("fails a first attempt to idle instead of retrying", () => {
    expect(walk(machine(), [{ type: "CONNECT" }, closed(1006)])).toEqual(["connecting", "idle"]);
  });

  it("tries the next URL at once while a connect() has URLs left, then goes idle", () => {
    expect(walk(machine({ urlCount: 2, untriedUrls: 1 }, "connecting"), [closed(1006)])).toEqual(["connecting"]);
    expect(walk(machine({ urlCount: 2, untriedUrls: 0 }, "connecting"), [closed(1006)])).toEqual(["idle"]);
  });

  it("goes idle on close codes that stop or need re-authentication", () => {
    expect(walk(machine({}, "online"), [closed(4002)])).toEqual(["idle"]);
    expect(walk(machine({}, "online"), [closed(4001)])).toEqual(["idle"]);
    expect(walk(machine({}, "reconnecting"), [closed(4003)])).toEqual(["idle"]);
  });

  it("goes idle when reconnecting is off or attempts are used up", () => {
    expect(walk(machine({ shouldReconnect: false }, "online"), [closed(1006)])).toEqual(["idle"]);
    expect(walk(machine({ maxReconnectAttempts: 2, attempts: 2 }, "reconnecting"), [closed(1006)])).toEqual(["idle"]);
    expect(walk(machine({ maxReconnectAttempts: 2, attempts: 1 }, "reconnecting"), [closed(1006)])).toEqual([
      "backoff",
    ]);
  });

  it("skips the backoff wait on an explicit connect", () => {
    expect(walk(machine({}, "backoff"), [{ type: "CONNECT" }])).toEqual(["reconnecting"]);
  });

  it("closes from every state and ignores events a state does not accept", () => {
    for (const state of ["connecting", "online", "backoff", "reconnecting", "restoring"] as const) {
      expect(walk(machine({}, state), [{ type: "CLOSE" }])).toEqual(["idle"]);
    }
    expect(walk(machine(), [{ type: "HELLO", hello }, { type: "RETRY" }, closed(1006)])).toEqual([
      "idle",
      "idle",
      "idle",
    ]);
    expect(walk(machine({}, "online"), [{ type: "CONNECT" }, { type: "HELLO", hello }])).toEqual(["online", "online"]);
  });
});

describe("dropOutcome", () => {
  const context = { shouldReconnect: true, maxReconnectAttempts: 3, attempts: 0, urlCount: 1, untriedUrls: 0 };

  it("retries transient codes while attempts remain", () => {
    expect(dropOutcome(1006, context)).toBe("retry");
    expect(dropOutcome(1001, { ...context, attempts: 2 })).toBe("retry");
    expect(dropOutcome(1006, { ...context, attempts: 3 })).toBe("exhausted");
  });

  it("stops for stop and reauthenticate codes and when reconnecting is off", () => {
    expect(dropOutcome(1000, context)).toBe("stop");
    expect(dropOutcome(4001, context)).toBe("stop");
    expect(dropOutcome(1006, { ...context, shouldReconnect: false })).toBe("stop");
  });
});

describe("statusOf", () => {
  it("maps the internal states onto the public status union", () => {
    const states: ConnectionState[] = ["idle", "connecting", "online", "backoff", "reconnecting", "restoring"];
    expect(states.map(statusOf)).toEqual([
      "offline",
      "connecting",
      "online",
      "reconnecting",
      "reconnecting",
      "reconnecting",
    ]);
  });
});
