import type { RecordUpdate } from "../../src/node";
import type { ScriptedServer } from "./scriptedServer";

/** A record callback that records every update it gets. */
export function collector(): { log: RecordUpdate[]; callback: (update: RecordUpdate) => void } {
  const log: RecordUpdate[] = [];
  return { log, callback: (update) => log.push(update) };
}

/** A promise the test resolves by hand, to hold a scripted handler at one point. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Subscribe requests the scripted server received for one record. */
export function subscribesTo(server: ScriptedServer, recordId: string): number {
  return server.records.subscribePayloads.filter((payload) => payload.recordId === recordId).length;
}
