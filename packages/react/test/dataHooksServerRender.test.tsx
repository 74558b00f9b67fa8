import { MeshClient } from "@meshwork/client";
import { renderToString } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { MeshProvider } from "../src/MeshProvider";
import { useChannel } from "../src/useChannel";
import { useCommand } from "../src/useCommand";
import { useRecord } from "../src/useRecord";
import { useWritableRecord } from "../src/useWritableRecord";

function Page() {
  const record = useRecord<{ title: string }>("page:1");
  const writable = useWritableRecord<{ title: string }>("page:2");
  const channel = useChannel<string>("chat:lobby", { historyLimit: 5 });
  const command = useCommand("save");
  return (
    <p>
      {[record.status, record.data, writable.status, channel.status, channel.messages.length, command.loading]
        .map(String)
        .join("|")}
    </p>
  );
}

describe("data hooks in server rendering", () => {
  it("render the idle snapshot and never open a socket", () => {
    const WebSocket = vi.fn(() => {
      throw new Error("server rendering must not open a socket");
    });
    const client = new MeshClient("ws://127.0.0.1:9", { WebSocket: WebSocket as never });
    const html = renderToString(
      <MeshProvider client={client}>
        <Page />
      </MeshProvider>,
    );
    expect(html).toBe("<p>idle|null|idle|idle|0|false</p>");
    expect(WebSocket).not.toHaveBeenCalled();
    expect(client.status).toBe("offline");
  });
});
