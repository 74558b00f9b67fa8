import type { MeshClient } from "@meshwork/client";
import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MeshProvider, type UsePresenceResult, usePresence, useRoom } from "../src/index";
import { connectedClient, startServer } from "./support/meshHarness";

/** Joins the room and shows who is there, as `member=state` pairs; hands its `setState` to the test. */
function Lobby({ label, onSetState }: { label: string; onSetState?: (set: UsePresenceResult["setState"]) => void }) {
  const { joined } = useRoom("lobby");
  const { members, states, setState } = usePresence("lobby");
  onSetState?.(setState);
  const shown = members.map(
    (member) => `${member.connectionId}=${JSON.stringify(states[member.connectionId] ?? null)}`,
  );
  return <p data-testid={label}>{joined ? shown.sort().join(" ") : "not joined"}</p>;
}

/** Shows the room's presence and records every result it renders with. */
function Watcher({ label, seen }: { label: string; seen: UsePresenceResult[] }) {
  const result = usePresence("lobby");
  seen.push(result);
  return <p data-testid="watcher">{`${label} ${result.status} ${result.members.length}`}</p>;
}

function within(client: MeshClient, element: React.ReactNode) {
  return <MeshProvider client={client}>{element}</MeshProvider>;
}

describe("usePresence", () => {
  it("follows joins, states and leaves of another client", async () => {
    const server = await startServer();
    server.exposeRoom("lobby");
    server.trackPresence("lobby");
    const alice = await connectedClient(server);
    const bob = await connectedClient(server);
    const a = alice.connectionId as string;
    const b = bob.connectionId as string;
    render(within(alice, <Lobby label="alice" />));
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toBe(`${a}=null`));

    let setBobState: UsePresenceResult["setState"] | undefined;
    const bobView = render(within(bob, <Lobby label="bob" onSetState={(set) => (setBobState = set)} />));
    const both = [`${a}=null`, `${b}=null`].sort().join(" ");
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toBe(both));
    await waitFor(() => expect(screen.getByTestId("bob").textContent).toBe(both));

    await act(async () => {
      expect(await setBobState?.({ typing: true })).toEqual({ success: true });
    });
    const typing = [`${a}=null`, `${b}={"typing":true}`].sort().join(" ");
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toBe(typing));

    await act(async () => {
      await setBobState?.("away", { expireAfter: 100 });
    });
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toContain(`${b}="away"`));
    // Expiry is swept on the server's heartbeat (every 2 s by default).
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toBe(both), { timeout: 5_000 });

    bobView.unmount();
    await waitFor(() => expect(screen.getByTestId("alice").textContent).toBe(`${a}=null`));
  });

  it("returns the same result until the room's presence changes", async () => {
    const server = await startServer();
    server.exposeRoom("lobby");
    server.trackPresence("lobby");
    const client = await connectedClient(server);
    const other = await connectedClient(server);
    const seen: UsePresenceResult[] = [];
    const view = render(within(client, <Watcher label="first" seen={seen} />));
    await waitFor(() => expect(screen.getByTestId("watcher").textContent).toBe("first active 0"));
    const active = seen.at(-1) as UsePresenceResult;

    // A re-render for another reason gives the same object, so memoised children and effects stay put.
    view.rerender(within(client, <Watcher label="second" seen={seen} />));
    expect(screen.getByTestId("watcher").textContent).toBe("second active 0");
    expect(seen.at(-1)).toBe(active);

    await other.joinRoom("lobby");
    await waitFor(() => expect(screen.getByTestId("watcher").textContent).toBe("second active 1"));
    expect(seen.at(-1)).not.toBe(active);
    expect(seen.at(-1)?.setState).toBe(active.setState);
  });
});
