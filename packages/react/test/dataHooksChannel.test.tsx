import { act, render, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { type UseCommandResult, useCommand } from "../src/useCommand";
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

type Greet = UseCommandResult<{ name: string }, string>;

/** Calls `greet`, and hands its result to the test. */
function Greeter({ into }: { into: { greet?: Greet } }) {
  const greet: Greet = useCommand("greet");
  into.greet = greet;
  return <p>{`${greet.loading ? "loading" : "idle"}|${greet.data ?? "-"}|${greet.error?.message ?? "-"}`}</p>;
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
});

describe("useCommand", () => {
  it("exposes loading, then data; an error; and reset", async () => {
    const server = await startServer();
    let release: (() => void) | undefined;
    server.exposeCommand("greet", async (ctx: { payload: { name: string } }) => {
      if (ctx.payload.name === "") throw new Error("A name is needed");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return `Hello, ${ctx.payload.name}!`;
    });
    const client = await connectClient(server);
    const held: { greet?: Greet } = {};
    const { container } = render(withClient(client, <Greeter into={held} />));
    const greet = () => held.greet as Greet;
    expect(container.textContent).toBe("idle|-|-");

    let answer: Promise<string> | undefined;
    act(() => {
      answer = greet().call({ name: "Ada" });
    });
    expect(container.textContent).toBe("loading|-|-");
    await waitFor(() => expect(release).toBeDefined());
    await act(async () => {
      release?.();
      await answer;
    });
    expect(container.textContent).toBe("idle|Hello, Ada!|-");

    await act(() =>
      greet()
        .call({ name: "" })
        .catch(() => undefined),
    );
    expect(container.textContent).toMatch(/^idle\|-\|.*A name is needed/);
    act(() => greet().reset());
    expect(container.textContent).toBe("idle|-|-");
  });
});
