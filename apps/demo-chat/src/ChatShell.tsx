import { useState } from "react";
import { ChatPanel } from "./chat/ChatPanel";
import { DiceCard } from "./DiceCard";
import { DEFAULT_ROOM } from "./demoShared";
import { Header } from "./header/Header";
import { RoomRecordCard } from "./record/RoomRecordCard";
import { MemberList } from "./rooms/MemberList";
import { RoomTabs } from "./rooms/RoomTabs";

/** The signed-in screen: the rooms this tab joined, and everything about the selected one. */
export function ChatShell({ name }: { name: string }) {
  const [rooms, setRooms] = useState<string[]>([DEFAULT_ROOM]);
  const [selected, setSelected] = useState(DEFAULT_ROOM);

  const join = (room: string) => {
    setRooms((current) => (current.includes(room) ? current : [...current, room]));
    setSelected(room);
  };
  const leave = (room: string) => {
    setRooms((current) => current.filter((other) => other !== room));
    if (selected === room) setSelected(DEFAULT_ROOM);
  };

  return (
    <div className="shell">
      <Header name={name} />
      <div className="workspace">
        <aside className="sidebar">
          <RoomTabs rooms={rooms} selected={selected} onSelect={setSelected} onJoin={join} onLeave={leave} />
          <MemberList room={selected} self={name} />
        </aside>
        <ChatPanel key={selected} room={selected} self={name} />
        <aside className="details">
          <RoomRecordCard key={selected} room={selected} self={name} />
          <DiceCard />
        </aside>
      </div>
    </div>
  );
}
