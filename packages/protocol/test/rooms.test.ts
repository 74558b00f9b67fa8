import { describe, expect, it } from "vitest";
import { roomNameSchema } from "../src/index";

describe("roomNameSchema", () => {
  it("accepts every non-empty string, as room names always were", () => {
    for (const name of ["lobby", "r", "chat:room1", "x".repeat(10_000), "tab\there", "line\nbreak"]) {
      expect(roomNameSchema.safeParse(name).success).toBe(true);
    }
  });

  it("refuses the empty string and anything that is not a string", () => {
    for (const name of ["", 42, null, undefined, ["lobby"]]) expect(roomNameSchema.safeParse(name).success).toBe(false);
  });
});
