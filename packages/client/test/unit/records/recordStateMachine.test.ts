import type { RecordUpdateMessage } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { type RecordAttempt, RecordStateMachine } from "../../../src/records/recordStateMachine";
import type { RecordUpdate } from "../../../src/types";

type Fields = Omit<RecordUpdateMessage, "type" | "recordId">;

function frame(fields: Fields): RecordUpdateMessage {
  return { type: "record-update", recordId: "doc", ...fields };
}

const patchTo = (n: number): Fields["patch"] => [{ op: "replace", path: "/n", value: n }];

function store() {
  const log: RecordUpdate[] = [];
  const resyncs: RecordAttempt[] = [];
  const errors: unknown[] = [];
  const subscriptions = new RecordStateMachine({
    reportError: (error) => errors.push(error),
    resync: (attempt) => resyncs.push(attempt),
  });
  /** Subscribes `doc` in `mode` and makes it active at `version`, as an answered and activated subscribe does. */
  const activeAt = (version: number, mode: "full" | "patch" = "patch", held: Fields[] = []): RecordAttempt => {
    const attempt = subscriptions.begin("doc", (update) => log.push(update), mode);
    for (const fields of held) subscriptions.receive(frame(fields));
    subscriptions.complete(attempt, { record: { n: version }, version }, false);
    subscriptions.activate(attempt);
    return attempt;
  };
  return { subscriptions, log, resyncs, errors, activeAt };
}

describe("RecordStateMachine", () => {
  it("holds updates back until activated, not merely answered, then drops those the snapshot held", () => {
    const { subscriptions, log } = store();
    const attempt = subscriptions.begin("doc", (update) => log.push(update), "patch");
    subscriptions.receive(frame({ version: 2, patch: patchTo(2) }));
    subscriptions.complete(attempt, { record: { n: 2 }, version: 2 }, false);
    subscriptions.receive(frame({ version: 3, patch: patchTo(3) }));
    expect(log).toEqual([]);
    expect(subscriptions.stateOf("doc")).toBe("subscribing");

    subscriptions.activate(attempt);

    expect(log).toEqual([{ recordId: "doc", version: 3, patch: patchTo(3) }]);
    expect(subscriptions.stateOf("doc")).toBe("active");
  });

  it("a deletion and re-creation the snapshot already includes is not replayed", () => {
    const { log, activeAt } = store();
    // Deleted at 5, re-created and changed up to 7 before the value was read: every held frame is old news.
    activeAt(7, "patch", [
      { version: 5, deleted: true },
      { version: 1, full: { n: 1 } },
      { version: 7, patch: patchTo(7) },
    ]);
    expect(log).toEqual([]);
  });

  it("a deletion after the snapshot resets the version, so the re-created record's version 1 is delivered", () => {
    const { subscriptions, log, activeAt } = store();
    activeAt(3);
    subscriptions.receive(frame({ version: 3, deleted: true }));
    subscriptions.receive(frame({ version: 3, deleted: true }));
    subscriptions.receive(frame({ version: 1, full: { n: 1 } }));

    expect(log).toEqual([
      { recordId: "doc", version: 3, deleted: true },
      { recordId: "doc", version: 1, full: { n: 1 } },
    ]);
    expect(subscriptions.versionOf("doc")).toBe(1);
  });

  it("a gap starts exactly one resync; what arrives meanwhile waits and is filtered by the answer's version", () => {
    const { subscriptions, log, resyncs, activeAt } = store();
    activeAt(1);
    subscriptions.receive(frame({ version: 3, patch: patchTo(3) }));
    subscriptions.receive(frame({ version: 4, patch: patchTo(4) }));
    subscriptions.receive(frame({ version: 5, patch: patchTo(5) }));
    expect(resyncs).toHaveLength(1);
    expect(subscriptions.stateOf("doc")).toBe("resyncing");

    subscriptions.complete(resyncs[0] as RecordAttempt, { record: { n: 4 }, version: 4 }, true);

    expect(log).toEqual([
      { recordId: "doc", version: 4, full: { n: 4 } },
      { recordId: "doc", version: 5, patch: patchTo(5) },
    ]);
    expect(resyncs).toHaveLength(1);
  });

  it("a patch reaching a full-mode subscription resyncs; a full value after a gap is delivered as is", () => {
    const { subscriptions, log, resyncs, activeAt } = store();
    activeAt(1, "full");
    subscriptions.receive(frame({ version: 4, full: { n: 4 } }));
    subscriptions.receive(frame({ version: 5, patch: patchTo(5) }));

    expect(log).toEqual([{ recordId: "doc", version: 4, full: { n: 4 } }]);
    expect(resyncs.map((attempt) => attempt.mode)).toEqual(["full"]);
  });

  it("an aborted resync keeps the version and drops what it held, so a failure never loops", () => {
    const { subscriptions, log, resyncs, activeAt } = store();
    activeAt(1);
    subscriptions.receive(frame({ version: 3, patch: patchTo(3) }));
    subscriptions.receive(frame({ version: 4, patch: patchTo(4) }));
    subscriptions.abort(resyncs[0] as RecordAttempt);

    expect(subscriptions.stateOf("doc")).toBe("active");
    expect(subscriptions.versionOf("doc")).toBe(1);
    expect(resyncs).toHaveLength(1);
    subscriptions.receive(frame({ version: 2, patch: patchTo(2) }));
    expect(log).toEqual([{ recordId: "doc", version: 2, patch: patchTo(2) }]);
  });

  it("an answer to a superseded request changes nothing", () => {
    const { subscriptions, log, resyncs, activeAt } = store();
    activeAt(1);
    subscriptions.receive(frame({ version: 3, patch: patchTo(3) }));
    const resync = resyncs[0] as RecordAttempt;
    const again = subscriptions.begin("doc", (update) => log.push(update), "patch");

    expect(subscriptions.complete(resync, { record: { n: 9 }, version: 9 }, true)).toBe(false);
    expect(subscriptions.fail(resync)).toBe(false);
    expect(log).toEqual([]);
    expect(subscriptions.isActivating(again)).toBe(true);
  });
});
