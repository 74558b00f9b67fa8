import {
  PRESENCE_COMMANDS,
  type PresenceEvent,
  type PresencePosition,
  ROOM_COMMANDS,
  presenceMessageSchema,
  subscribePresenceResultSchema,
} from "@meshwork/protocol";
import { isAfterPosition } from "@meshwork/redis-state";
import { expect } from "vitest";
import type { RawClient } from "../../support/rawClient";
import { rawConnect } from "../../support/rawClients";

/**
 * Presence driven by hand-made frames over raw sockets: what a client does (join a room, subscribe to its presence,
 * publish a state) and what a subscriber ends up seeing (the events after its snapshot's position, in order), the
 * way decision 2 of the presence design has the client do it.
 */

/** A raw socket with its connection id. */
export interface RawMember {
  readonly raw: RawClient;
  readonly id: string;
}

/** Opens a raw socket (closed after the test). */
export async function rawMember(url: string): Promise<RawMember> {
  const raw = await rawConnect(url);
  return { raw, id: raw.hello.connectionId };
}

/** Sends a request and returns its result; fails the test on an error frame. */
export async function call<T = Record<string, unknown>>(member: RawMember, command: string, payload: unknown) {
  const answer = await member.raw.request(command, payload);
  expect(answer.type, JSON.stringify(answer)).toBe("response");
  return answer.result as T;
}

/** `mesh/join-room`. */
export function joinRoom(member: RawMember, roomName: string) {
  return call<{ success: boolean; reason?: string }>(member, ROOM_COMMANDS.join, { roomName });
}

/** `mesh/leave-room`. */
export function leaveRoom(member: RawMember, roomName: string) {
  return call<{ success: boolean }>(member, ROOM_COMMANDS.leave, { roomName });
}

/** The answer of `mesh/subscribe-presence`. */
export interface Subscribed {
  readonly success: boolean;
  readonly reason?: string;
  readonly present: Array<{ connectionId: string; connectionIds: string[]; metadata: unknown }>;
  readonly states: Record<string, unknown>;
  readonly position: PresencePosition;
}

/** `mesh/subscribe-presence`; the answer must match the protocol's result schema. */
export async function subscribePresence(member: RawMember, roomName: string): Promise<Subscribed> {
  const result = await call<Subscribed>(member, PRESENCE_COMMANDS.subscribe, { roomName });
  subscribePresenceResultSchema.parse(result);
  return result;
}

/** `mesh/publish-presence-state`. */
export function publishState(member: RawMember, roomName: string, state: unknown, expireAfter?: number) {
  return call<{ success: boolean; reason?: string }>(member, PRESENCE_COMMANDS.publishState, {
    roomName,
    state,
    ...(expireAfter === undefined ? {} : { expireAfter }),
  });
}

/** Every presence frame of a room this socket received, in arrival order; each must match the protocol's schema. */
export function presenceFrames(
  member: RawMember,
  room: string,
): Array<{ event: PresenceEvent; position: PresencePosition }> {
  return member.raw
    .framesOf("presence")
    .map((frame) => presenceMessageSchema.parse(frame))
    .filter(({ event }) => event.roomName === room);
}

/**
 * What a subscriber delivers: the room's events after its snapshot's position, in order, each as
 * `"<type> <member>[ <state>]"` for short assertions (the full events are in {@link presenceFrames}).
 */
export function eventsAfter(member: RawMember, room: string, since: PresencePosition): string[] {
  return presenceFrames(member, room)
    .filter(({ position }) => isAfterPosition(position, since))
    .map(({ event }) =>
      [event.type, event.connectionId, ...(event.type === "state" ? [JSON.stringify(event.state)] : [])].join(" "),
    );
}

/** Asserts that no two frames of a room this socket received carry the same position (no event twice). */
export function expectNoDuplicates(member: RawMember, room: string): void {
  const positions = presenceFrames(member, room).map(({ position }) => `${position.epoch}:${position.seq}`);
  expect(new Set(positions).size).toBe(positions.length);
}
