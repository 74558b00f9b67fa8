import { render, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MeshProvider } from "../src/MeshProvider";
import { DEFAULT_CHANNEL_MAX, useChannel } from "../src/useChannel";
import { connectClient, startServer, withClient } from "./dataHooksSupport";

function Chat({ channel, max }: { channel: string; max?: number }) {
  const { messages, status } = useChannel<string>(channel, { historyLimit: 10, max });
  return <p>{`${status}|${messages.join(",")}`}</p>;
}

function Refused() {
  const { status, error } = useChannel("secret");
  return <p>{`${status}|${error?.code ?? "-"}`}</p>;
}

describe("useChannel", () => {
  it("shows history first, oldest first, then live messages, bounded by max", async () => {
    const server = await startServer();
    server.exposeChannel(/^chat:/);
    for (const text of ["h1", "h2", "h3"]) await server.publishToChannel("chat:lobby", text, 10);
    const client = await connectClient(server);
    const { container } = render(withClient(client, <Chat channel="chat:lobby" max={5} />));
    await waitFor(() => expect(container.textContent).toBe("active|h1,h2,h3"));

    await server.publishToChannel("chat:lobby", "l1", 10);
    await server.publishToChannel("chat:lobby", "l2", 10);
    await waitFor(() => expect(container.textContent).toBe("active|h1,h2,h3,l1,l2"));
    for (const text of ["l3", "l4", "l5"]) await server.publishToChannel("chat:lobby", text, 10);
    // Five kept: the oldest three went first.
    await waitFor(() => expect(container.textContent).toBe("active|l1,l2,l3,l4,l5"));
  });

  it(`keeps ${DEFAULT_CHANNEL_MAX} messages when max is not given, and starts afresh on another channel`, async () => {
    const server = await startServer();
    server.exposeChannel(/^chat:/);
    const client = await connectClient(server);
    const { container, rerender } = render(withClient(client, <Chat channel="chat:a" />));
    await waitFor(() => expect(container.textContent).toBe("active|"));
    const sent = Array.from({ length: DEFAULT_CHANNEL_MAX + 5 }, (_, i) => `m${i}`);
    for (const text of sent) await server.publishToChannel("chat:a", text);
    await waitFor(() => expect(container.textContent).toBe(`active|${sent.slice(5).join(",")}`));

    await server.publishToChannel("chat:b", "stored in b", 10);
    rerender(withClient(client, <Chat channel="chat:b" />));
    await waitFor(() => expect(container.textContent).toBe("active|stored in b"));
  });

  it("shows the server's refusal as error", async () => {
    const server = await startServer();
    const client = await connectClient(server);
    const { container } = render(withClient(client, <Refused />));
    await waitFor(() => expect(container.textContent).toBe("error|FORBIDDEN"));
  });

  it("shows each message once under StrictMode's double mount", async () => {
    const server = await startServer();
    server.exposeChannel(/^chat:/);
    await server.publishToChannel("chat:strict", "stored", 10);
    const client = await connectClient(server);
    const { container } = render(
      withClient(
        client,
        <StrictMode>
          <Chat channel="chat:strict" />
        </StrictMode>,
      ),
    );
    await waitFor(() => expect(container.textContent).toBe("active|stored"));
    await server.publishToChannel("chat:strict", "live", 10);
    await waitFor(() => expect(container.textContent).toBe("active|stored,live"));
  });

  it("receives live messages under a StrictMode provider that owns its client", async () => {
    // StrictMode unmounts and remounts the provider's effects: closing the owned client there dropped every
    // listener, so the channel kept its subscription but the component never saw a message.
    const server = await startServer();
    server.exposeChannel(/^chat:/);
    await server.publishToChannel("chat:owned", "stored", 10);
    const { container } = render(
      <StrictMode>
        <MeshProvider url={`ws://127.0.0.1:${server.port}`} options={{ WebSocket }}>
          <Chat channel="chat:owned" />
        </MeshProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(container.textContent).toBe("active|stored"));
    await server.publishToChannel("chat:owned", "live", 10);
    await waitFor(() => expect(container.textContent).toBe("active|stored,live"));
  });
});
