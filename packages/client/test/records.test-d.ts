import { describe, expectTypeOf, it } from "vitest";
import {
  type MeshClient,
  type PatchOperation,
  type PublishRecordUpdateResult,
  type RecordUpdate,
  type SubscribeRecordResult,
  applyPatch,
} from "../src/index";

declare const client: MeshClient;

interface Product {
  name: string;
  price: number;
}

describe("record subscription types", () => {
  it("compiles the seed's untyped samples: values are `any` unless the caller names a type", async () => {
    let userProfile = {};
    const { success, record, version } = await client.subscribeRecord("user:123", (update) => {
      userProfile = update.full;
    });
    if (success) userProfile = record;
    expectTypeOf(version).toEqualTypeOf<number>();
    // biome-ignore lint/complexity/noBannedTypes: the seed's sample declares the variable as `{}`; its type is the point.
    expectTypeOf(userProfile).toEqualTypeOf<{}>();
  });

  it("lets the caller name the record type", () => {
    const result = client.subscribeRecord<Product>(
      "product:1",
      (update) => {
        expectTypeOf(update).toEqualTypeOf<RecordUpdate<Product>>();
        expectTypeOf(update.full).toEqualTypeOf<Product | undefined>();
        expectTypeOf(update.patch).toEqualTypeOf<PatchOperation[] | undefined>();
        expectTypeOf(update.deleted).toEqualTypeOf<true | undefined>();
      },
      { mode: "patch" },
    );
    expectTypeOf(result).toEqualTypeOf<Promise<SubscribeRecordResult<Product>>>();
    expectTypeOf<SubscribeRecordResult<Product>["record"]>().toEqualTypeOf<Product | null>();
  });

  it("types unsubscribe, publish and applyPatch", () => {
    expectTypeOf(client.unsubscribeRecord("a")).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(client.publishRecordUpdate("a", { x: 1 }, { expectedVersion: 0 })).toEqualTypeOf<
      Promise<PublishRecordUpdateResult>
    >();
    const doc: Product = { name: "Lamp", price: 1 };
    expectTypeOf(applyPatch(doc, [])).toEqualTypeOf<Product>();
    // @ts-expect-error -- only the two modes exist
    void client.subscribeRecord("a", () => {}, { mode: "diff" });
  });
});
