import { type MeshError, isMeshError } from "@meshwork/client";
import { useMesh, useWritableRecord } from "@meshwork/react";
import { useState } from "react";
import { MAX_NOTES, type PinnedNote, type RoomRecord, roomRecordId } from "../demoShared";

/** What a room's record reads as before anyone wrote it. */
const EMPTY: RoomRecord = { topic: "", notes: [] };

/** A write that lost a version race: the version that won, and what this tab tried to write. */
export interface RecordConflict {
  readonly version: number;
  readonly attempted: string;
}

/** The topic as this tab edits it: the text, and the version it was read from (the base of the write). */
interface TopicEdit {
  readonly text: string;
  readonly base: number;
}

/** A note id unique enough for one room; `crypto.randomUUID` exists only on https and localhost pages. */
function noteId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The version that won a race, from a `VERSION_CONFLICT`; `undefined` for any other error. */
function winningVersion(error: unknown): number | undefined {
  if (!isMeshError(error) || error.code !== "VERSION_CONFLICT") return undefined;
  const version = (error.details as { version?: unknown } | undefined)?.version;
  return typeof version === "number" ? version : undefined;
}

/**
 * A room's shared record (topic and pinned notes), edited collaboratively in patch mode.
 *
 * The topic is written with the version the editor started from as the expected version, so two people editing it
 * at once cannot silently overwrite each other: the second save fails with `VERSION_CONFLICT`, the field shows the
 * value that won and the conflict says what was attempted. Notes go through `useWritableRecord`'s `write`, which
 * expects the version on screen and reports a lost race in `error` once the winning value arrived.
 */
export function useRoomRecord(room: string, self: string) {
  const client = useMesh();
  const recordId = roomRecordId(room);
  const record = useWritableRecord<RoomRecord>(recordId);
  const value = record.data ?? EMPTY;
  const [edit, setEdit] = useState<TopicEdit | undefined>(undefined);
  const [topicConflict, setTopicConflict] = useState<RecordConflict | undefined>(undefined);
  const [topicFailure, setTopicFailure] = useState<string | undefined>(undefined);
  const [noteAttempt, setNoteAttempt] = useState("");
  // The hook keeps a write's error until its next write succeeds; a successful topic save or a dismissal hides it.
  const [dismissed, setDismissed] = useState<MeshError | undefined>(undefined);
  const hookError = record.error === dismissed ? undefined : record.error;

  const clearTopicOutcome = () => {
    setTopicConflict(undefined);
    setTopicFailure(undefined);
  };

  const saveTopic = async () => {
    if (edit === undefined) return;
    const topic = edit.text.trim();
    try {
      await client.publishRecordUpdate(recordId, { ...value, topic }, { expectedVersion: edit.base });
      clearTopicOutcome();
      setDismissed(record.error);
    } catch (thrown) {
      const version = winningVersion(thrown);
      if (version === undefined) setTopicFailure(thrown instanceof Error ? thrown.message : String(thrown));
      else setTopicConflict({ version, attempted: `topic “${topic}”` });
    }
    // Either way the field goes back to the record: the value just saved, or the one that won.
    setEdit(undefined);
  };

  const changeNotes = (change: (notes: PinnedNote[]) => PinnedNote[], attempted: string) => {
    clearTopicOutcome();
    setNoteAttempt(attempted);
    void record.write((previous) => {
      const current = previous ?? EMPTY;
      return { ...current, notes: change(current.notes).slice(-MAX_NOTES) };
    });
  };

  const noteVersion = winningVersion(hookError);
  const noteConflict = noteVersion === undefined ? undefined : { version: noteVersion, attempted: noteAttempt };
  const conflict = topicConflict ?? noteConflict;
  return {
    topic: edit?.text ?? value.topic,
    topicChanged: edit !== undefined && edit.text.trim() !== value.topic,
    notes: value.notes,
    version: record.version,
    status: record.status,
    error: topicFailure ?? (noteVersion === undefined ? hookError?.message : undefined),
    // Shown once the winning value is on screen, so the message never describes a value still on its way.
    conflict: conflict && record.version >= conflict.version ? conflict : undefined,
    editTopic: (text: string) => setEdit((current) => ({ text, base: current?.base ?? record.version })),
    saveTopic,
    cancelEdit: () => setEdit(undefined),
    addNote: (text: string) =>
      changeNotes((notes) => [...notes, { id: noteId(), text, author: self }], `note “${text}”`),
    removeNote: (note: PinnedNote) =>
      changeNotes((notes) => notes.filter((other) => other.id !== note.id), `removing “${note.text}”`),
    dismissConflict: () => {
      setTopicConflict(undefined);
      setDismissed(record.error);
    },
  };
}
