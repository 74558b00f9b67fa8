import { useRoom } from "@meshwork/react";
import { type FormEvent, useState } from "react";
import { DEFAULT_ROOM, toRoomName } from "../demoShared";

interface RoomTabsProps {
  rooms: readonly string[];
  selected: string;
  onSelect: (room: string) => void;
  onJoin: (room: string) => void;
  onLeave: (room: string) => void;
}

/** The joined rooms as tabs, and a field to join another one. */
export function RoomTabs({ rooms, selected, onSelect, onJoin, onLeave }: RoomTabsProps) {
  const [draft, setDraft] = useState("");
  const room = toRoomName(draft);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (room === undefined) return;
    onJoin(room);
    setDraft("");
  };

  return (
    <section className="card rooms" aria-label="Rooms">
      <h2 className="card-title">Rooms</h2>
      <div className="room-tabs" role="tablist">
        {rooms.map((name) => (
          <RoomTab
            key={name}
            room={name}
            selected={name === selected}
            onSelect={() => onSelect(name)}
            onLeave={name === DEFAULT_ROOM ? undefined : () => onLeave(name)}
          />
        ))}
      </div>
      <form className="inline-form" onSubmit={submit}>
        <input
          data-testid="room-input"
          aria-label="Room to join"
          placeholder="Join a room…"
          value={draft}
          maxLength={32}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" data-testid="room-join" disabled={room === undefined}>
          Join
        </button>
      </form>
    </section>
  );
}

interface RoomTabProps {
  room: string;
  selected: boolean;
  onSelect: () => void;
  onLeave: (() => void) | undefined;
}

/** One joined room. It holds the membership: the tab joins the room while it is shown and leaves when removed. */
function RoomTab({ room, selected, onSelect, onLeave }: RoomTabProps) {
  const { joined, error } = useRoom(room);
  const state = error ? "refused" : joined ? "joined" : "joining";
  return (
    <div className={`room-tab${selected ? " selected" : ""}`}>
      <button
        type="button"
        role="tab"
        aria-selected={selected}
        data-testid={`room-tab-${room}`}
        data-state={state}
        title={error ? error.message : joined ? `Joined #${room}` : `Joining #${room}…`}
        onClick={onSelect}
      >
        <span className={`room-dot room-dot-${state}`} aria-hidden="true" />#{room}
      </button>
      {onLeave && (
        <button
          type="button"
          className="room-leave"
          aria-label={`Leave #${room}`}
          data-testid={`room-leave-${room}`}
          onClick={onLeave}
        >
          ×
        </button>
      )}
    </div>
  );
}
