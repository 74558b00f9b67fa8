import type { ClientStatus } from "@meshwork/client";
import { useConnectionStatus, useLatency } from "@meshwork/react";
import { Avatar } from "../Avatar";
import { useOwnMetadata } from "./useOwnMetadata";

/** The words the header shows for each client status ("online" reads as "connected" to people). */
const STATUS_TEXT: Record<ClientStatus, string> = {
  connecting: "connecting",
  online: "connected",
  reconnecting: "reconnecting",
  offline: "offline",
};

/** The top bar: which instance serves this tab, how the connection is doing, and who is signed in. */
export function Header({ name }: { name: string }) {
  const status = useConnectionStatus();
  const latency = useLatency();
  const instance = useOwnMetadata()?.instance;

  return (
    <header className="topbar">
      <p className="brand">
        <span className="brand-mark" aria-hidden="true" />
        meshwork <span className="brand-sub">demo chat</span>
      </p>
      <div className="topbar-status">
        <span className={`instance-badge instance-${instance ?? "unknown"}`} data-testid="instance-badge">
          {instance ? `Instance ${instance}` : "Instance …"}
        </span>
        <span className={`status status-${status}`} title="Connection status">
          <span className="status-dot" aria-hidden="true" />
          <span data-testid="connection-status">{STATUS_TEXT[status]}</span>
        </span>
        <span className="latency" title="Round trip measured by the server" data-testid="latency">
          {latency === undefined ? "–" : `${Math.round(latency)} ms`}
        </span>
      </div>
      <p className="topbar-user">
        <Avatar name={name} size="small" />
        <span className="topbar-name">{name}</span>
      </p>
    </header>
  );
}
