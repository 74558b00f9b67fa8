import type { MeshClient, MeshError, StoreStatus } from "@meshwork/client";
import { describe, expectTypeOf, it } from "vitest";
import { useChannel } from "../src/useChannel";
import { useCommand } from "../src/useCommand";
import { useRecord } from "../src/useRecord";
import { useWritableRecord } from "../src/useWritableRecord";

interface Profile {
  name: string;
  age: number;
}

type AppClient = MeshClient<{
  rename: { payload: { name: string }; result: Profile };
  ping: { result: "pong" };
}>;

// Hooks are only called for their types here: the functions below are never run.
describe("data hook types", () => {
  it("useRecord and useWritableRecord give the record's type, or null", () => {
    const check = () => {
      expectTypeOf(useRecord<Profile>("user:1").data).toEqualTypeOf<Profile | null>();
      expectTypeOf(useRecord<Profile>("user:1").version).toEqualTypeOf<number>();
      expectTypeOf(useRecord<Profile>("user:1").status).toEqualTypeOf<StoreStatus>();
      const writable = useWritableRecord<Profile>("user:1");
      expectTypeOf(writable.data).toEqualTypeOf<Profile | null>();
      expectTypeOf(writable.write).parameter(0).toEqualTypeOf<Profile | ((previous: Profile | null) => Profile)>();
      expectTypeOf(writable.error).toEqualTypeOf<MeshError | undefined>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it("useCommand is typed from the client's command map", () => {
    const check = () => {
      const rename = useCommand<AppClient, "rename">("rename");
      expectTypeOf(rename.call).parameter(0).toEqualTypeOf<{ name: string }>();
      expectTypeOf(rename.call).returns.toEqualTypeOf<Promise<Profile>>();
      expectTypeOf(rename.data).toEqualTypeOf<Profile | undefined>();
      expectTypeOf(useCommand<AppClient, "ping">("ping").data).toEqualTypeOf<"pong" | undefined>();
      // @ts-expect-error: not a command of AppClient
      useCommand<AppClient, "delete">("delete");
      // Untyped without a client type: any name, any payload.
      expectTypeOf(useCommand("anything").call).parameter(0).toBeAny();
    };
    expectTypeOf(check).toBeFunction();
  });

  it("useChannel gives the message type", () => {
    const check = () => {
      expectTypeOf(useChannel<{ text: string }>("chat").messages).toEqualTypeOf<readonly { text: string }[]>();
    };
    expectTypeOf(check).toBeFunction();
  });
});
