import { describe, expectTypeOf, it } from "vitest";
import { type ClientStatus, type MeshClient, Status } from "../src/index";

declare const client: MeshClient;

describe("Status types", () => {
  it("lets ported code compare client.status with Status members", () => {
    if (client.status === Status.ONLINE) expectTypeOf(client.status).toEqualTypeOf<"online">();
    const online: boolean = client.status === Status.ONLINE;
    expectTypeOf(online).toEqualTypeOf<boolean>();
  });

  it("types each member as its own string literal", () => {
    expectTypeOf(Status.CONNECTING).toEqualTypeOf<"connecting">();
    expectTypeOf(Status.ONLINE).toEqualTypeOf<"online">();
    expectTypeOf(Status.RECONNECTING).toEqualTypeOf<"reconnecting">();
    expectTypeOf(Status.OFFLINE).toEqualTypeOf<"offline">();
  });

  it("is usable as a type, the way the original enum was, and equals ClientStatus", () => {
    expectTypeOf<Status>().toEqualTypeOf<ClientStatus>();
    const status: Status = client.status;
    const again: ClientStatus = status;
    expectTypeOf(again).toEqualTypeOf<ClientStatus>();
  });

  it("is read-only", () => {
    // @ts-expect-error Status members cannot be reassigned
    Status.ONLINE = "offline";
    // @ts-expect-error Status has no other members
    Status.CLOSED;
  });
});
