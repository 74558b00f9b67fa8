import { useChannel, usePresence, useRecord } from "@meshwork/react";
import { CHAT_HISTORY_SHOWN, type ChatMessage, type RoomRecord, chatChannel, roomRecordId } from "../demoShared";
import { othersTyping } from "../rooms/presenceView";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";

/** The selected room's conversation: its topic, the recent history and live messages, who types, and a composer. */
export function ChatPanel({ room, self }: { room: string; self: string }) {
  const { messages, status, error, recovered } = useChannel<ChatMessage>(chatChannel(room), {
    historyLimit: CHAT_HISTORY_SHOWN,
    max: 200,
  });
  const topic = useRecord<RoomRecord>(roomRecordId(room)).data?.topic;
  const { members, states, setState } = usePresence(room);
  const typing = othersTyping(members, states, self);

  return (
    <main className="card chat" aria-label={`Chat in #${room}`}>
      <header className="chat-header">
        <h2>#{room}</h2>
        <code className="hint" title="The channel carrying this room's messages, with history">
          {chatChannel(room)}
        </code>
        {topic && <p className="chat-topic">{topic}</p>}
      </header>
      {error && <p className="banner banner-error">{error.message}</p>}
      {recovered === false && <p className="banner">Some messages were missed while offline.</p>}
      <MessageList messages={messages} self={self} loading={status === "subscribing"} />
      <p className="typing-indicator" data-testid="typing-indicator" aria-live="polite">
        {typing.map((name) => `${name} is typing…`).join(" ")}
      </p>
      <Composer room={room} setPresenceState={setState} />
    </main>
  );
}
