import { usePresence } from "@meshwork/react";
import { Avatar } from "../Avatar";
import { isTyping, memberInstance, memberName } from "./presenceView";

/** Who is in the selected room right now, on either instance, and who is typing. */
export function MemberList({ room, self }: { room: string; self: string }) {
  const { members, states, error } = usePresence(room);
  const sorted = [...members].sort((a, b) => memberName(a).localeCompare(memberName(b)));

  return (
    <section className="card members" aria-label="Members">
      <h2 className="card-title">
        In #{room} <span className="count">{members.length}</span>
      </h2>
      {error && <p className="error-text">{error.message}</p>}
      <ul className="member-list" data-testid="member-list">
        {sorted.map((member) => {
          const name = memberName(member);
          const instance = memberInstance(member);
          const typing = isTyping(states[member.connectionId]);
          return (
            <li key={member.connectionId} className="member" data-testid="member" data-name={name}>
              <Avatar name={name} size="small" />
              <span className="member-name">
                {name}
                {name === self && <span className="muted"> (you)</span>}
              </span>
              {typing && <span className="member-typing">typing…</span>}
              {instance && (
                <span className={`instance-pill instance-${instance}`} title={`Connected to instance ${instance}`}>
                  {instance}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
