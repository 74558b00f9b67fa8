import { type FormEvent, useState } from "react";
import { MAX_NAME_LENGTH, toDisplayName } from "./demoShared";

/** The name `?name=` in the page address suggests, so a shared link opens with the field filled in. */
function suggestedName(): string {
  return new URLSearchParams(location.search).get("name")?.slice(0, MAX_NAME_LENGTH) ?? "";
}

/** Asks for a display name; the chat starts once one is given. */
export function JoinScreen({ onJoin }: { onJoin: (name: string) => void }) {
  const [draft, setDraft] = useState(suggestedName);
  const name = toDisplayName(draft);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name !== undefined) onJoin(name);
  };

  return (
    <main className="join">
      <form className="join-card" onSubmit={submit}>
        <p className="brand">
          <span className="brand-mark" aria-hidden="true" />
          meshwork
        </p>
        <h1>Demo chat</h1>
        <p className="muted">
          Two server instances, A and B, share one Redis. Open this page on both and watch messages, presence, a shared
          record and commands cross between them.
        </p>
        <label htmlFor="name-input">Your name</label>
        <input
          id="name-input"
          data-testid="name-input"
          value={draft}
          maxLength={MAX_NAME_LENGTH}
          placeholder="e.g. Ada"
          autoComplete="nickname"
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="primary" data-testid="name-submit" disabled={name === undefined}>
          Join #general
        </button>
      </form>
    </main>
  );
}
