import { describe, expectTypeOf, it } from "vitest";
import type {
  ChannelStore,
  ChannelStoreSnapshot,
  MeshClient,
  MeshError,
  RecordStore,
  RecordStoreSnapshot,
  RecoveryInfo,
  StoreStatus,
} from "../src/index";

declare const client: MeshClient;

interface Doc {
  title: string;
}

/** The shape React's `useSyncExternalStore` takes. */
type SyncExternalStore<T> = { subscribe: (onStoreChange: () => void) => () => void; getSnapshot: () => T };

describe("store and listener types", () => {
  it("removes one listener of any message type, or all of them", () => {
    const onChat = (message: { text: string }) => void message;
    void client.subscribe("chat", onChat);
    expectTypeOf(client.unsubscribe("chat", onChat)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(client.unsubscribeRecord("doc", (update) => void update)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(client.unsubscribe("chat")).toEqualTypeOf<Promise<boolean>>();
  });

  it("gives stores useSyncExternalStore's shape, with typed snapshots", () => {
    const records = client.recordStore<Doc>("doc", { mode: "patch" });
    const channels = client.channelStore("chat");
    expectTypeOf(records).toEqualTypeOf<RecordStore<Doc>>();
    expectTypeOf(channels).toEqualTypeOf<ChannelStore>();
    expectTypeOf(records).toMatchTypeOf<SyncExternalStore<RecordStoreSnapshot<Doc>>>();
    expectTypeOf(channels).toMatchTypeOf<SyncExternalStore<ChannelStoreSnapshot>>();
    expectTypeOf(records.getSnapshot().data).toEqualTypeOf<Doc | null>();
    expectTypeOf(records.getSnapshot().error).toEqualTypeOf<MeshError | undefined>();
    expectTypeOf(channels.getSnapshot().recovery).toEqualTypeOf<RecoveryInfo | undefined>();
    expectTypeOf(channels.getSnapshot().status).toEqualTypeOf<StoreStatus>();
    expectTypeOf<StoreStatus>().toEqualTypeOf<"idle" | "subscribing" | "active" | "resyncing" | "error">();
  });
});
