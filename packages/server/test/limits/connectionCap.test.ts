import { describe, expect, it } from "vitest";
import { RawClient, expectUpgradeRefused } from "../support/rawClient";
import { startServer } from "../support/servers";

/** Retries `attempt` until it resolves, within `deadlineMs`. */
async function eventually<T>(attempt: () => Promise<T>, deadlineMs = 5_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe("maxConnections", () => {
  it("answers upgrades past the cap with 503 and accepts again once a connection left", async () => {
    const { url } = await startServer({ maxConnections: 2 });
    const first = await RawClient.connect(url);
    await RawClient.connect(url);

    expect(await expectUpgradeRefused(url)).toBe(503);
    expect(await expectUpgradeRefused(url)).toBe(503);

    await first.close();
    const third = await eventually(() => RawClient.connect(url));
    expect(third.hello.connectionId).toBeTruthy();
    expect(await expectUpgradeRefused(url)).toBe(503);
  });

  it("counts upgrades still being authenticated", async () => {
    let letIn: () => void = () => {};
    let entered: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      letIn = resolve;
    });
    const authenticating = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { url } = await startServer({
      maxConnections: 1,
      authenticateConnection: async () => {
        entered();
        await gate;
        return {};
      },
    });
    const pending = RawClient.connect(url);
    await authenticating;
    // The first upgrade is in authenticateConnection: the second is over the cap already.
    expect(await expectUpgradeRefused(url)).toBe(503);
    letIn();
    expect((await pending).hello.connectionId).toBeTruthy();
  });
});
