import { randomUUID } from "node:crypto";
import type { MeshServer } from "@meshwork/server";
import { render, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useChannel } from "../src/useChannel";
import { useConnectionStatus } from "../src/useConnectionStatus";
import { useRecord } from "../src/useRecord";
import { connectClient, startServer, withClient } from "./dataHooksSupport";

function Live() {
  const connection = useConnectionStatus();
  const record = useRecord<{ n: number }>("doc:live");
  const channel = useChannel<string>("chat:live", { historyLimit: 10 });
  return (
    <>
      <p data-testid="connection">{connection}</p>
      <p data-testid="record">{`${record.status}|v${record.version}|${record.data?.n}`}</p>
      <p data-testid="channel">{`${channel.status}|${channel.messages.join(",")}`}</p>
    </>
  );
}

// State lives in Redis so that records and channel history outlive the restart, as they would in production.
async function exposing(keyPrefix: string, port?: number): Promise<MeshServer> {
  const server = await startServer({ keyPrefix, port, redis: "redis://127.0.0.1:6379" });
  server.exposeRecord(/^doc:/);
  server.exposeChannel(/^chat:/);
  return server;
}

describe("data hooks across a server restart", () => {
  it("follow the connection down and up, and come back live on the restarted server", async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    const first = await exposing(keyPrefix);
    const port = first.port;
    await first.publishRecordUpdate("doc:live", { n: 1 });
    const client = await connectClient(first, { reconnectInterval: 20, maxReconnectInterval: 100 });
    const seen: string[] = [];
    client.on("status", () => seen.push(client.status));
    const view = render(withClient(client, <Live />));
    const text = (id: string) => view.getByTestId(id).textContent;
    await waitFor(() => expect(text("record")).toBe("active|v1|1"));
    await waitFor(() => expect(text("channel")).toBe("active|"));
    await first.publishToChannel("chat:live", "before", 10);
    await waitFor(() => expect(text("channel")).toBe("active|before"));

    await first.close();
    await waitFor(() => expect(text("connection")).toMatch(/^(reconnecting|offline)$/));

    const second = await exposing(keyPrefix, port);
    await waitFor(() => expect(text("connection")).toBe("online"));
    expect(seen[0]).toMatch(/^(reconnecting|offline)$/);
    expect(seen.at(-1)).toBe("online");
    await waitFor(() => expect(text("record")).toMatch(/^active\|/));
    await waitFor(() => expect(text("channel")).toMatch(/^active\|/));

    await second.publishRecordUpdate("doc:live", { n: 2 });
    await second.publishToChannel("chat:live", "after", 10);
    await waitFor(() => expect(text("record")).toBe("active|v2|2"));
    // The message from before the restart is shown once; the live one follows it.
    await waitFor(() => expect(text("channel")).toBe("active|before,after"));
  });
});
