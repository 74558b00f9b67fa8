import { describe, expect, it } from "vitest";
import {
  CLOSE_CODES,
  ERROR_CODES,
  MeshError,
  closeActionFor,
  isMeshError,
  isMeshErrorCode,
  offeredProtocolVersions,
  subprotocolFor,
  toMeshError,
} from "../src/index";

describe("toMeshError", () => {
  it("keeps a MeshError as it is", () => {
    const error = new MeshError("FORBIDDEN", "no");
    expect(toMeshError(error)).toBe(error);
  });

  it("keeps the string code of a thrown Error and the Error as cause", () => {
    const thrown = Object.assign(new Error("missing"), { code: "NOT_FOUND" });
    const error = toMeshError(thrown);
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("missing");
    expect(error.cause).toBe(thrown);
  });

  it("falls back to COMMAND_FAILED for plain errors, numeric codes and non-errors", () => {
    expect(toMeshError(new Error("boom")).code).toBe("COMMAND_FAILED");
    expect(toMeshError(Object.assign(new Error("x"), { code: 42 })).code).toBe("COMMAND_FAILED");
    expect(toMeshError("plain text")).toMatchObject({ code: "COMMAND_FAILED", message: "plain text" });
    expect(toMeshError(undefined, "INTERNAL_ERROR").code).toBe("INTERNAL_ERROR");
  });

  it("puts only code, message and details on the wire", () => {
    const error = new MeshError("INVALID_PAYLOAD", "bad", { details: [{ path: ["a"] }], cause: new Error("inner") });
    expect(error.toWire()).toEqual({ code: "INVALID_PAYLOAD", message: "bad", details: [{ path: ["a"] }] });
    expect(JSON.stringify(error.toWire())).not.toContain("stack");
    expect(isMeshError(MeshError.fromWire(error.toWire()))).toBe(true);
  });
});

describe("codes", () => {
  it("knows its own error codes", () => {
    expect(isMeshErrorCode("TIMEOUT")).toBe(true);
    expect(isMeshErrorCode("toString")).toBe(false);
    expect(Object.keys(ERROR_CODES)).toEqual(
      expect.arrayContaining(["UNKNOWN_COMMAND", "INVALID_PAYLOAD", "COMMAND_FAILED", "TIMEOUT", "BAD_MESSAGE"]),
    );
  });

  it("gives every close code an action and treats unknown codes as transient", () => {
    expect(closeActionFor(CLOSE_CODES.PROTOCOL_MISMATCH.code)).toBe("stop");
    expect(closeActionFor(CLOSE_CODES.UNAUTHORIZED.code)).toBe("reauthenticate");
    expect(closeActionFor(CLOSE_CODES.GOING_AWAY.code)).toBe("retry");
    expect(closeActionFor(1006)).toBe("retry");
    const codes = Object.values(CLOSE_CODES).map((info) => info.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("names protocol versions as subprotocols and reads them back", () => {
    expect(subprotocolFor(1)).toBe("meshwork.v1");
    expect(offeredProtocolVersions(["chat", "meshwork.v2", " meshwork.v1", "meshwork.vx"])).toEqual([2, 1]);
  });
});
