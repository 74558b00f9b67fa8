import { useLayoutEffect, useRef } from "react";
import { Avatar } from "../Avatar";
import type { ChatMessage } from "../demoShared";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

interface MessageListProps {
  messages: readonly ChatMessage[];
  self: string;
  loading: boolean;
}

/** The conversation, oldest first, kept scrolled to the newest message while the reader is at the bottom. */
export function MessageList({ messages, self, loading }: MessageListProps) {
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when the messages change, reads only the ref
  useLayoutEffect(() => {
    const element = list.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

  const onScroll = () => {
    const element = list.current;
    if (element) pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  };

  return (
    <ol className="message-list" data-testid="message-list" ref={list} onScroll={onScroll}>
      {messages.length === 0 && (
        <li className="empty">{loading ? "Loading recent messages…" : "No messages yet. Say hello!"}</li>
      )}
      {messages.map((message) => (
        <li
          key={message.id}
          className={`message${message.author === self ? " own" : ""}`}
          data-testid="message"
          data-author={message.author}
        >
          <Avatar name={message.author} />
          <div className="message-body">
            <p className="message-meta">
              <strong>{message.author}</strong>
              <time dateTime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time>
              <span className={`instance-pill instance-${message.instance}`} title="Instance that accepted it">
                via {message.instance}
              </span>
            </p>
            <p className="message-text">{message.text}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}
