import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { type MeshState, type PresenceEvent, readPresenceBusMessage } from "../../src/index";
import { waitUntil } from "./implementations";

/** What a presence watcher received on a room's presence topic, in arrival order. */
export interface PresenceWatcher {
  readonly events: PresenceEvent[];
  /** Waits until exactly `count` events arrived (failing after a deadline), then returns them. */
  received(count: number): Promise<PresenceEvent[]>;
  close(): Promise<void>;
}

/** Subscribes a bus of `state` to a room's presence topic, collecting the events that arrive. */
export async function watchPresence(state: MeshState, room: string): Promise<PresenceWatcher> {
  const bus = state.createBus();
  const events: PresenceEvent[] = [];
  await bus.subscribe({ kind: "presence", room }, (message) => {
    const event = readPresenceBusMessage(message);
    if (!event) throw new Error(`not a presence event: ${message}`);
    events.push(event);
  });
  return {
    events,
    async received(count) {
      await waitUntil(async () => events.length >= count);
      expect(events).toHaveLength(count);
      return events;
    },
    close: () => bus.close(),
  };
}

/** A key prefix for opening two states on one store. */
export function sharedPrefix(): string {
  return `test:${randomUUID()}:`;
}

/**
 * The time `ms` from now: a sweep given it acts as if `ms` had passed. Redis's clock stands in for the test's here
 * (same host, or synchronised), so tests keep margins of many seconds around every TTL.
 */
export const LATER = (ms: number): number => Date.now() + ms;

/** A TTL no test outlives, so only sweeps with a later `nowMs` expire it. */
export const HOUR = 3_600_000;
