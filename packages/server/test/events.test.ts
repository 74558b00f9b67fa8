import { describe, expect, it, vi } from "vitest";
import { MemoryState } from "../src/index";
import { RawClient } from "./support/rawClient";
import { MemoryLogger, startServer, uniquePrefix } from "./support/servers";

/** A state store whose unregister fails, to provoke an internal error. */
class FailingUnregisterState extends MemoryState {
  constructor(keyPrefix?: string) {
    super(keyPrefix);
    this.connections.unregister = async () => {
      throw new Error("store unavailable");
    };
  }
}

describe("events and error reporting", () => {
  it("routes internal errors to the logger when there is no error listener", async () => {
    const logger = new MemoryLogger();
    const { url } = await startServer({ state: new FailingUnregisterState(uniquePrefix()), logger });
    const client = await RawClient.connect(url);
    await client.close();

    await vi.waitFor(() => expect(logger.lines.filter((line) => line.level === "error")).toHaveLength(1));
    const [line] = logger.lines.filter((entry) => entry.level === "error");
    expect(((line?.args[0] as Error | undefined)?.cause as Error | undefined)?.message).toBe("store unavailable");
  });

  it("emits internal errors to error listeners, and survives listeners that throw or reject", async () => {
    const { server, url, logger } = await startServer({ state: new FailingUnregisterState(uniquePrefix()) });
    const errors: Error[] = [];
    server.on("error", (error) => {
      errors.push(error);
    });
    server.on("connected", () => {
      throw new Error("listener bug");
    });
    server.on("connected", async () => {
      throw new Error("async listener bug");
    });
    server.registerCommand("still-works", () => "yes");

    const client = await RawClient.connect(url);
    expect((await client.request("still-works")).result).toBe("yes");
    await vi.waitFor(() =>
      expect(errors.map((error) => error.message)).toEqual(["listener bug", "async listener bug"]),
    );

    await client.close();
    await vi.waitFor(() => expect(errors).toHaveLength(3));
    expect(errors[2]?.message).toMatch(/could not unregister connection/);
    expect(logger.lines.filter((line) => line.level === "error")).toEqual([]);
  });

  it("on() returns an unsubscribe function and once() fires once", async () => {
    const { server, url } = await startServer();
    const every = vi.fn();
    const first = vi.fn();
    const off = server.on("connected", every);
    server.once("connected", first);

    await RawClient.connect(url);
    off();
    await RawClient.connect(url);

    expect(every).toHaveBeenCalledTimes(1);
    expect(first).toHaveBeenCalledTimes(1);
  });
});
