import { act, render, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useRecord } from "../src/useRecord";
import { type UseWritableRecordResult, useWritableRecord } from "../src/useWritableRecord";
import { connectClient, startServer, withClient } from "./dataHooksSupport";

interface Doc {
  n: number;
  items: string[];
}

function RecordView({ id }: { id: string }) {
  const { data, version, status } = useRecord<Doc>(id);
  return <p>{JSON.stringify({ data, version, status })}</p>;
}

function shown(container: HTMLElement): { data: Doc | null; version: number; status: string } {
  return JSON.parse(container.textContent ?? "null");
}

type Editors = Record<string, UseWritableRecordResult<Doc>>;

/** Shows a writable record, and hands its result to the test under `name`. */
function Editor({ name, into }: { name: string; into: Editors }) {
  const result = useWritableRecord<Doc>("doc:shared");
  into[name] = result;
  return <p>{`${name}:v${result.version}:${result.data?.n}:${result.error?.code ?? "-"}`}</p>;
}

describe("useRecord", () => {
  it("shows the whole value after several patches, and after a version gap the client resynchronised", async () => {
    const server = await startServer();
    server.exposeRecord(/^doc:/);
    await server.publishRecordUpdate("doc:1", { n: 1, items: ["a"] });
    const client = await connectClient(server);
    const { container } = render(withClient(client, <RecordView id="doc:1" />));
    await waitFor(() =>
      expect(shown(container)).toEqual({ data: { n: 1, items: ["a"] }, version: 1, status: "active" }),
    );

    await server.publishRecordUpdate("doc:1", { n: 2, items: ["a"] });
    await server.publishRecordUpdate("doc:1", { n: 3, items: ["a", "b"] });
    await server.publishRecordUpdate("doc:1", { n: 4, items: ["b"] });
    await waitFor(() => expect(shown(container)).toMatchObject({ data: { n: 4, items: ["b"] }, version: 4 }));

    // A gap on purpose: the connection stops receiving the record while the store still holds version 4, misses
    // version 5, and is registered again behind the store's back, so version 6 arrives two versions ahead.
    await expect(client.command("mesh/unsubscribe-record", { recordId: "doc:1" })).resolves.toBe(true);
    await server.publishRecordUpdate("doc:1", { n: 5, items: ["b"] });
    await client.command("mesh/subscribe-record", { recordId: "doc:1", mode: "patch" });
    await server.publishRecordUpdate("doc:1", { n: 6, items: ["b", "c"] });
    await waitFor(() => expect(shown(container)).toMatchObject({ version: 6, status: "active" }));
    expect(shown(container).data).toEqual(await server.getRecord("doc:1"));
    expect(shown(container).data).toEqual({ n: 6, items: ["b", "c"] });
  });

  it("shows null at version 0 for a record that does not exist yet, then its first value", async () => {
    const server = await startServer();
    server.exposeRecord(/^doc:/);
    const client = await connectClient(server);
    const { container } = render(withClient(client, <RecordView id="doc:new" />));
    await waitFor(() => expect(shown(container)).toEqual({ data: null, version: 0, status: "active" }));
    await server.publishRecordUpdate("doc:new", { n: 1, items: [] });
    await waitFor(() => expect(shown(container)).toMatchObject({ data: { n: 1, items: [] }, version: 1 }));
  });
});

describe("useWritableRecord", () => {
  it("resolves a conflict between two writers: the loser sees VERSION_CONFLICT with the winner's value, then writes again", async () => {
    const server = await startServer();
    server.exposeWritableRecord(/^doc:/);
    await server.publishRecordUpdate("doc:shared", { n: 1, items: [] });
    const editors: Editors = {};
    const first = render(withClient(await connectClient(server), <Editor name="first" into={editors} />));
    const second = render(withClient(await connectClient(server), <Editor name="second" into={editors} />));
    await waitFor(() => expect(first.container.textContent).toBe("first:v1:1:-"));
    await waitFor(() => expect(second.container.textContent).toBe("second:v1:1:-"));

    // Both write from version 1 in the same tick: the server takes one, and the other one's version is stale.
    const values: Record<string, Doc> = { first: { n: 11, items: ["first"] }, second: { n: 21, items: ["second"] } };
    const results = await act(() =>
      Promise.all([editors.first?.write(values.first as Doc), editors.second?.write(values.second as Doc)]),
    );
    expect([...results].sort()).toEqual([2, undefined]);
    const [winner, loser] = results[0] === 2 ? ["first", "second"] : ["second", "first"];
    const loserView = loser === "first" ? first.container : second.container;
    const winnerView = winner === "first" ? first.container : second.container;
    const won = values[winner as string] as Doc;
    // The conflict shows together with the value that won.
    expect(loserView.textContent).toBe(`${loser}:v2:${won.n}:VERSION_CONFLICT`);
    expect(editors[loser as string]?.data).toEqual(won);

    const retried = await act(() =>
      editors[loser as string]?.write((prev) => ({ n: (prev?.n ?? 0) + 1, items: [loser as string] })),
    );
    expect(retried).toBe(3);
    await waitFor(() => expect(loserView.textContent).toBe(`${loser}:v3:${won.n + 1}:-`));
    await waitFor(() => expect(winnerView.textContent).toBe(`${winner}:v3:${won.n + 1}:-`));
    expect(await server.getRecord("doc:shared")).toEqual({ n: won.n + 1, items: [loser] });
  });
});
