import type { UsePresenceResult } from "@meshwork/react";
import { useCommand } from "@meshwork/react";
import { type FormEvent, useRef, useState } from "react";
import type { DemoClient } from "../connection";
import { MAX_MESSAGE_LENGTH, TYPING_EXPIRES_MS, type TypingState } from "../demoShared";

/** How often a typing member renews its state: well inside its expiry, so it does not flicker while typing. */
const TYPING_RENEW_MS = TYPING_EXPIRES_MS / 2;

interface ComposerProps {
  room: string;
  setPresenceState: UsePresenceResult["setState"];
}

/**
 * Writes to the room through the `chat/send` command (the server stamps author and time and checks the length),
 * and tells the room while this tab is typing with an expiring presence state, so it clears on its own.
 */
export function Composer({ room, setPresenceState }: ComposerProps) {
  const [text, setText] = useState("");
  const send = useCommand<DemoClient, "chat/send">("chat/send");
  const typingSince = useRef(0);

  const announceTyping = (next: string) => {
    const now = Date.now();
    if (next.trim() === "") return stopTyping();
    if (now - typingSince.current < TYPING_RENEW_MS) return;
    typingSince.current = now;
    const state: TypingState = { typing: true };
    void setPresenceState(state, { expireAfter: TYPING_EXPIRES_MS });
  };
  const stopTyping = () => {
    if (typingSince.current === 0) return;
    typingSince.current = 0;
    void setPresenceState(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (message === "") return;
    stopTyping();
    // Cleared at once so the next message can be typed while this one travels; a refused one comes back.
    setText("");
    send.call({ room, text: message }).catch(() => {
      setText((current) => (current === "" ? message : current));
    });
  };

  const remaining = MAX_MESSAGE_LENGTH - text.length;
  return (
    <form className="composer" onSubmit={submit}>
      <div className="composer-row">
        <input
          data-testid="message-input"
          aria-label={`Message #${room}`}
          placeholder={`Message #${room}`}
          value={text}
          maxLength={MAX_MESSAGE_LENGTH}
          autoComplete="off"
          onChange={(event) => {
            setText(event.target.value);
            announceTyping(event.target.value);
          }}
          onBlur={stopTyping}
        />
        <button type="submit" className="primary" data-testid="message-send" disabled={text.trim() === ""}>
          Send
        </button>
      </div>
      {send.error && <p className="error-text">Not sent: {send.error.message}</p>}
      {remaining < 50 && <p className="muted small">{remaining} characters left</p>}
    </form>
  );
}
