import { act, render, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { type UseCommandResult, useCommand } from "../src/useCommand";
import { connectClient, startServer, withClient } from "./dataHooksSupport";

type Greet = UseCommandResult<{ name: string }, string>;

/** Calls `greet`, and hands its result to the test. */
function Greeter({ into }: { into: { greet?: Greet } }) {
  const greet: Greet = useCommand("greet");
  into.greet = greet;
  return <p>{`${greet.loading ? "loading" : "idle"}|${greet.data ?? "-"}|${greet.error?.message ?? "-"}`}</p>;
}

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

  it("shows the newest call's answer when an older one answers later, and leaves an unmounted component alone", async () => {
    const server = await startServer();
    const held = new Map<string, () => void>();
    server.exposeCommand("greet", async (ctx: { payload: { name: string } }) => {
      await new Promise<void>((resolve) => held.set(ctx.payload.name, resolve));
      return `Hello, ${ctx.payload.name}!`;
    });
    const client = await connectClient(server);
    const into: { greet?: Greet } = {};
    const { container, unmount } = render(withClient(client, <Greeter into={into} />));
    const greet = () => into.greet as Greet;

    let older: Promise<string> | undefined;
    let newer: Promise<string> | undefined;
    act(() => {
      older = greet().call({ name: "older" });
      newer = greet().call({ name: "newer" });
    });
    await waitFor(() => expect([...held.keys()].sort()).toEqual(["newer", "older"]));
    await act(async () => {
      held.get("newer")?.();
      await newer;
    });
    expect(container.textContent).toBe("idle|Hello, newer!|-");
    await act(async () => {
      held.get("older")?.();
      // The caller still gets its own answer.
      await expect(older).resolves.toBe("Hello, older!");
    });
    expect(container.textContent).toBe("idle|Hello, newer!|-");

    held.clear();
    let late: Promise<string> | undefined;
    act(() => {
      late = greet().call({ name: "late" });
    });
    await waitFor(() => expect(held.has("late")).toBe(true));
    const errors = vi.spyOn(console, "error");
    unmount();
    held.get("late")?.();
    await expect(late).resolves.toBe("Hello, late!");
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});
