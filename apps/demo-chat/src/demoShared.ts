// What the web app and the demo server agree on: names, limits and the shapes that travel between them.
// Both sides import this file, so a renamed channel or a changed limit cannot drift apart.

/** Room names the server exposes: lowercase letters, digits and dashes, so they read well in tabs and URLs. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,23}$/;

/** The room every participant starts in. */
export const DEFAULT_ROOM = "general";

/** Longest display name, and longest chat message, in characters. */
export const MAX_NAME_LENGTH = 24;
export const MAX_MESSAGE_LENGTH = 500;

/** Longest topic and pinned note, and how many notes a room pins at most. */
export const MAX_TOPIC_LENGTH = 120;
export const MAX_NOTE_LENGTH = 200;
export const MAX_NOTES = 20;

/** Chat messages each room's channel keeps for newcomers, and how many a new tab asks for. */
export const CHAT_HISTORY = 100;
export const CHAT_HISTORY_SHOWN = 50;

/** How long a "typing" presence state lives unless renewed: it clears by itself when someone stops typing. */
export const TYPING_EXPIRES_MS = 4_000;

/** The channel carrying a room's chat. */
export function chatChannel(room: string): string {
  return `chat:${room}`;
}

/** The shared record holding a room's topic and pinned notes. */
export function roomRecordId(room: string): string {
  return `room:${room}`;
}

/** Turns what someone typed into a room name, or `undefined` when nothing usable is left. */
export function toRoomName(input: string): string | undefined {
  const name = input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 24);
  return ROOM_NAME_PATTERN.test(name) ? name : undefined;
}

/** Trims a display name; `undefined` when it is empty or too long. */
export function toDisplayName(input: string): string | undefined {
  const name = input.trim();
  return name.length > 0 && name.length <= MAX_NAME_LENGTH ? name : undefined;
}

/** The instance letters of the demo cluster. */
export type InstanceName = "A" | "B";

/**
 * Connection metadata the server sets at upgrade time: who the tab is and which instance serves it. A type alias,
 * not an interface, so it fits the server's `ConnectionMetadata` (a plain JSON object).
 */
export type DemoConnectionMetadata = {
  name: string;
  instance: InstanceName;
};

/** One chat message as the server publishes it: author and time are stamped by the server, never the client. */
export interface ChatMessage {
  id: string;
  author: string;
  text: string;
  /** Milliseconds since the epoch, on the server that accepted it. */
  at: number;
  /** The instance that accepted the message. */
  instance: InstanceName;
}

/** A pinned note of a room. */
export interface PinnedNote {
  id: string;
  text: string;
  author: string;
}

/** The shared record of a room. */
export interface RoomRecord {
  topic: string;
  notes: PinnedNote[];
}

/** The presence state a member publishes while typing. */
export interface TypingState {
  typing: true;
}

/** Commands of the demo, with their payloads and results, for a typed client. */
export interface DemoCommands {
  "chat/send": { payload: { room: string; text: string }; result: { id: string } };
  "demo/roll": { payload: undefined; result: { instance: InstanceName; value: number; text: string } };
}
