import type { ChannelStoreSnapshot } from "@meshwork/client";
import { render, screen, waitFor } from "@testing-library/react";
import { StrictMode, useMemo } from "react";
import { describe, expect, it } from "vitest";
import { MeshProvider, useChannel, useMesh, usePresence, useRecord } from "../src/index";
import { useSharedStore } from "../src/useSharedStore";
import { connectedClient, countCommands, startServer } from "./support/meshHarness";

const TEN = Array.from({ length: 10 }, (_, index) => index);

function PresenceWatcher({ index }: { index: number }) {
  const { members, status } = usePresence("lobby");
  return <li data-testid={`watcher-${index}`}>{`${status}:${members.length}`}</li>;
}

const IDLE_CHANNEL: ChannelStoreSnapshot = { status: "idle", recovery: undefined, error: undefined };

/** Observes a channel's store the way the hooks do (`useChannel` adds the messages on top). */
function ChannelWatcher({ index }: { index: number }) {
  const client = useMesh();
  const store = useMemo(() => client.channelStore("news"), [client]);
  const { status } = useSharedStore(store, IDLE_CHANNEL);
  return <li data-testid={`watcher-${index}`}>{`${status}:0`}</li>;
}

/** One `useRecord` component: status, and 0 as the record does not exist. */
function RecordWatcher({ index }: { index: number }) {
  const { status, version } = useRecord("doc:1");
  return <li data-testid={`watcher-${index}`}>{`${status}:${version}`}</li>;
}

/** One `useChannel` component: status, and how many messages it holds. */
function ChannelHookWatcher({ index }: { index: number }) {
  const { status, messages } = useChannel("news");
  return <li data-testid={`watcher-${index}`}>{`${status}:${messages.length}`}</li>;
}

const cases = [
  {
    kind: "presence room",
    Watcher: PresenceWatcher,
    commands: ["mesh/subscribe-presence", "mesh/unsubscribe-presence"],
  },
  { kind: "channel", Watcher: ChannelWatcher, commands: ["mesh/subscribe-channel", "mesh/unsubscribe-channel"] },
  {
    kind: "channel through useChannel",
    Watcher: ChannelHookWatcher,
    commands: ["mesh/subscribe-channel", "mesh/unsubscribe-channel"],
  },
  {
    kind: "record through useRecord",
    Watcher: RecordWatcher,
    commands: ["mesh/subscribe-record", "mesh/unsubscribe-record"],
  },
] as const;

describe("components sharing a subscription", () => {
  for (const {
    kind,
    Watcher,
    commands: [subscribe, unsubscribe],
  } of cases) {
    it(`gives ten components on one ${kind} under StrictMode one server-side subscription, released with the last`, async () => {
      const server = await startServer();
      server.exposeRoom("lobby");
      server.trackPresence("lobby");
      server.exposeChannel("news");
      server.exposeRecord("doc:1");
      const commands = countCommands(server);
      const client = await connectedClient(server);
      const tree = (count: number) => (
        <StrictMode>
          <MeshProvider client={client}>
            <ul>
              {TEN.slice(0, count).map((index) => (
                <Watcher key={index} index={index} />
              ))}
            </ul>
          </MeshProvider>
        </StrictMode>
      );
      const view = render(tree(10));
      await waitFor(() => {
        for (const index of TEN) expect(screen.getByTestId(`watcher-${index}`).textContent).toBe("active:0");
      });
      expect(commands.get(subscribe)).toBe(1);

      view.rerender(tree(1));
      await waitFor(() => expect(screen.queryByTestId("watcher-1")).toBeNull());
      // Nine gone, one left: the subscription stays. A release goes out a microtask after the unmount, so it would
      // reach the server before this round trip's request.
      await client.getConnectionMetadata();
      expect(commands.get(unsubscribe)).toBeUndefined();

      view.unmount();
      await waitFor(() => expect(commands.get(unsubscribe)).toBe(1));
      expect(commands.get(subscribe)).toBe(1);
    });
  }
});
