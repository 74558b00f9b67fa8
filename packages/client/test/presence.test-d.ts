import { describe, expectTypeOf, it } from "vitest";
import type {
  JoinRoomResult,
  MeshClient,
  PresenceEventInfo,
  PresenceMemberInfo,
  PresenceStateResult,
  PresenceStore,
  PresenceStoreSnapshot,
  SubscribePresenceResult,
} from "../src/index";

declare const client: MeshClient;

describe("presence types", () => {
  it("types events in the original Mesh shape", async () => {
    const result = await client.subscribePresence("lobby", (event) => {
      expectTypeOf(event).toEqualTypeOf<PresenceEventInfo>();
      expectTypeOf(event.type).toEqualTypeOf<"join" | "leave" | "state">();
      expectTypeOf(event.connectionId).toEqualTypeOf<string>();
      expectTypeOf(event.metadata).toEqualTypeOf<Record<string, unknown> | null | undefined>();
      expectTypeOf(event.state).toEqualTypeOf<unknown>();
    });
    expectTypeOf(result).toEqualTypeOf<SubscribePresenceResult>();
    const { success, present, states } = result;
    expectTypeOf(success).toEqualTypeOf<boolean>();
    expectTypeOf(present).toEqualTypeOf<PresenceMemberInfo[]>();
    expectTypeOf(states).toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf(client.unsubscribePresence).returns.resolves.toEqualTypeOf<boolean>();
  });

  it("types state publishing, joinRoom's onPresence and the store", () => {
    expectTypeOf(client.publishPresenceState).returns.resolves.toEqualTypeOf<PresenceStateResult>();
    expectTypeOf(client.clearPresenceState).returns.resolves.toEqualTypeOf<PresenceStateResult>();
    void client.publishPresenceState("lobby", { state: { typing: true }, expireAfter: 1_000 });
    // @ts-expect-error the state goes in an options object
    void client.publishPresenceState("lobby", "typing");
    expectTypeOf(client.joinRoom("lobby", () => {})).resolves.toEqualTypeOf<JoinRoomResult>();
    // @ts-expect-error onPresence is a callback
    void client.joinRoom("lobby", true);
    const store = client.presenceStore("lobby");
    expectTypeOf(store).toEqualTypeOf<PresenceStore>();
    expectTypeOf(store.getSnapshot()).toEqualTypeOf<PresenceStoreSnapshot>();
    expectTypeOf(store.getSnapshot().members).toEqualTypeOf<readonly PresenceMemberInfo[]>();
  });
});
