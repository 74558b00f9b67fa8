// Raw sockets opened through here are closed after each test of the file that opened them.
import { afterEach } from "vitest";
import { RawClient } from "./rawClient";

const opened = new Set<RawClient>();

afterEach(async () => {
  const open = [...opened];
  opened.clear();
  await Promise.all(open.map((raw) => raw.close()));
});

/** Opens a raw socket (closed after the test) and waits for its `hello`. */
export async function rawConnect(url: string): Promise<RawClient> {
  const raw = await RawClient.connect(url);
  opened.add(raw);
  return raw;
}
