import { type FormEvent, useState } from "react";
import { MAX_NOTE_LENGTH, MAX_NOTES, MAX_TOPIC_LENGTH, roomRecordId } from "../demoShared";
import { useRoomRecord } from "./useRoomRecord";

/** The room's shared record: a topic and pinned notes everyone edits, with its version and any lost race. */
export function RoomRecordCard({ room, self }: { room: string; self: string }) {
  const record = useRoomRecord(room, self);
  const [note, setNote] = useState("");

  const saveTopic = (event: FormEvent) => {
    event.preventDefault();
    void record.saveTopic();
  };
  const addNote = (event: FormEvent) => {
    event.preventDefault();
    const text = note.trim();
    if (text === "") return;
    record.addNote(text);
    setNote("");
  };

  return (
    <section className="card record" aria-label="Shared room record">
      <h2 className="card-title">
        Room record
        <span className="version" data-testid="record-version" title="Version of the shared record">
          v{record.version}
        </span>
      </h2>
      <p className="muted small record-about">
        Record <code>{roomRecordId(room)}</code>, synced as patches and saved with the version you started from.
      </p>
      {record.conflict && (
        <div className="banner banner-conflict" data-testid="record-conflict" role="status">
          <p>
            <strong>Someone else saved first</strong> (v{record.conflict.version}). The fresh value was loaded; your{" "}
            {record.conflict.attempted} was not applied.
          </p>
          <button type="button" className="link" onClick={record.dismissConflict}>
            Dismiss
          </button>
        </div>
      )}
      {record.error && <p className="error-text">{record.error}</p>}

      <form className="field" onSubmit={saveTopic}>
        <label htmlFor={`topic-${room}`}>Topic</label>
        <div className="inline-form">
          <input
            id={`topic-${room}`}
            data-testid="record-topic"
            value={record.topic}
            maxLength={MAX_TOPIC_LENGTH}
            placeholder="What is this room about?"
            onChange={(event) => record.editTopic(event.target.value)}
            onKeyDown={(event) => event.key === "Escape" && record.cancelEdit()}
          />
          <button type="submit" data-testid="record-topic-save" disabled={!record.topicChanged}>
            Save
          </button>
        </div>
      </form>

      <div className="field">
        <p className="label">Pinned notes</p>
        <ul className="notes" data-testid="record-notes">
          {record.notes.length === 0 && <li className="empty">Nothing pinned yet.</li>}
          {record.notes.map((pinned) => (
            <li key={pinned.id} className="note" data-testid="record-note">
              <span className="note-text">{pinned.text}</span>
              <span className="note-author">{pinned.author}</span>
              <button
                type="button"
                className="note-remove"
                aria-label={`Unpin “${pinned.text}”`}
                onClick={() => record.removeNote(pinned)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <form className="inline-form" onSubmit={addNote}>
          <input
            data-testid="record-note-input"
            aria-label="Note to pin"
            placeholder={record.notes.length >= MAX_NOTES ? "Oldest note makes room" : "Pin a note…"}
            value={note}
            maxLength={MAX_NOTE_LENGTH}
            onChange={(event) => setNote(event.target.value)}
          />
          <button type="submit" data-testid="record-note-add" disabled={note.trim() === ""}>
            Pin
          </button>
        </form>
      </div>
    </section>
  );
}
