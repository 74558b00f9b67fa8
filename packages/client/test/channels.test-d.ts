import { describe, expectTypeOf, it } from "vitest";
import type { MeshClient, RecoveryInfo, SubscribeOptions, SubscribeResult } from "../src/index";

declare const client: MeshClient;

interface ChatMessage {
  user: string;
  text: string;
}

describe("channel subscription types", () => {
  it("types messages as unknown by default, as the seed's samples use them", async () => {
    const { success, history } = await client.subscribe(
      "chat:room1",
      (message) => expectTypeOf(message).toEqualTypeOf<unknown>(),
      { historyLimit: 3 },
    );
    expectTypeOf(success).toEqualTypeOf<boolean>();
    expectTypeOf(history).toEqualTypeOf<unknown[]>();
    expectTypeOf(client.unsubscribe("chat:room1")).toEqualTypeOf<Promise<boolean>>();
  });

  it("lets the caller name the message type", () => {
    const result = client.subscribe<ChatMessage>("chat:room1", (message) => {
      expectTypeOf(message).toEqualTypeOf<ChatMessage>();
    });
    expectTypeOf(result).toEqualTypeOf<Promise<SubscribeResult<ChatMessage>>>();
    expectTypeOf(client.subscribeChannel<ChatMessage>("c", () => {})).toEqualTypeOf<typeof result>();
    expectTypeOf(client.unsubscribeChannel).toEqualTypeOf(client.unsubscribe);
  });

  it("types the options and the recovery report", () => {
    expectTypeOf<SubscribeOptions["historyLimit"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RecoveryInfo>().toEqualTypeOf<{
      readonly channel: string;
      readonly recovered: boolean;
      readonly missed: number;
    }>();
    void client.subscribe("c", () => {}, {
      onRecover: ({ recovered }) => expectTypeOf(recovered).toEqualTypeOf<boolean>(),
    });
    // @ts-expect-error historyLimit is a number
    void client.subscribe("c", () => {}, { historyLimit: "3" });
    // @ts-expect-error the channel is a string
    void client.subscribe(1, () => {});
  });
});
