import { MeshError } from "@meshwork/protocol";
import { describe, expect, it } from "vitest";
import { isConnectionFailure, toStateError } from "../../../src/redis/stateUnavailable";

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe("connection failures become STATE_UNAVAILABLE", () => {
  it("recognises ioredis's own connection failures and socket errors", () => {
    expect(isConnectionFailure(named("MaxRetriesPerRequestError", "Reached the max retries per request limit"))).toBe(
      true,
    );
    expect(isConnectionFailure(new Error("Connection is closed."))).toBe(true);
    expect(isConnectionFailure(new Error("Command timed out"))).toBe(true);
    expect(isConnectionFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isConnectionFailure(named("ReplyError", "LOADING Redis is loading the dataset in memory"))).toBe(true);
  });

  it("leaves what Redis or meshwork refused on purpose alone", () => {
    expect(isConnectionFailure(named("ReplyError", "ERR NOT_FOUND connection"))).toBe(false);
    expect(isConnectionFailure(new MeshError("VERSION_CONFLICT", "Command timed out"))).toBe(false);
    expect(isConnectionFailure(new SyntaxError("Unexpected token"))).toBe(false);
    const reply = named("ReplyError", "WRONGTYPE Operation against a key holding the wrong kind of value");
    expect(toStateError(reply)).toBe(reply);
  });

  it("keeps the original error as the cause", () => {
    const original = new Error("Connection is closed.");
    const mapped = toStateError(original) as MeshError;
    expect(mapped.code).toBe("STATE_UNAVAILABLE");
    expect(mapped.cause).toBe(original);
  });
});
