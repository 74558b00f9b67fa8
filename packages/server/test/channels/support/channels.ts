import { isDeepStrictEqual } from "node:util";
import type { SubscribeChannelResult } from "@meshwork/protocol";
import { createKeys } from "@meshwork/redis-state";
import type { MeshServer } from "@meshwork/server";
import { expect } from "vitest";
import type { Frame, RawClient } from "../../support/rawClient";

/**
 * Helpers for channel tests that speak the wire protocol by hand (no MeshClient), on top of the cluster harness
 * (test/cluster/support). Raw sockets opened here are closed after each test.
 *
 * Negative checks ("x did NOT get it") use {@link flushChannel}: a marker published after the message under test,
 * by the same instance, on a channel the socket is subscribed to. It proves the earlier message will never arrive,
 * without sleeping, because an instance sends every PUBLISH and EVALSHA through its one command connection, Redis
 * writes a subscriber connection's messages in the order it ran those commands, and each instance receives
 * through one subscriber connection and writes to its sockets synchronously, in order. Unlike a `sendTo` marker,
 * a channel marker also travels through Redis when the subscriber sits on the publishing instance itself.
 */

export { rawConnect } from "../../support/rawClients";

/** The connection id the server gave a raw socket. */
export function idOf(raw: RawClient): string {
  return raw.hello.connectionId;
}

/** Sends `mesh/subscribe-channel` and resolves with its result; fails the test on an error frame. */
export async function subscribeRaw(
  raw: RawClient,
  channel: string,
  options: { historyLimit?: number; since?: { epoch: string; offset: number } } = {},
): Promise<SubscribeChannelResult> {
  const answer = await raw.request("mesh/subscribe-channel", { channel, ...options });
  expect(answer, `subscribe ${channel}`).toMatchObject({ type: "response" });
  return answer.result as SubscribeChannelResult;
}

/** Sends `mesh/unsubscribe-channel` and resolves with its result (whether the socket was a subscriber). */
export async function unsubscribeRaw(raw: RawClient, channel: string): Promise<boolean> {
  const answer = await raw.request("mesh/unsubscribe-channel", { channel });
  expect(answer, `unsubscribe ${channel}`).toMatchObject({ type: "response" });
  return answer.result as boolean;
}

/** Every `channel-message` frame of one channel a raw socket received so far, in order. */
export function channelFrames(raw: RawClient, channel: string): Frame[] {
  return raw.framesOf("channel-message").filter((frame) => frame.channel === channel);
}

/** The messages of one channel a raw socket received so far, in order. */
export function messagesOf(raw: RawClient, channel: string): unknown[] {
  return channelFrames(raw, channel).map((frame) => frame.message);
}

/** Waits until a raw socket received `message` on `channel`. */
export function waitForMessage(raw: RawClient, channel: string, message: unknown, timeoutMs?: number): Promise<Frame> {
  return raw.waitFor(
    (frame) =>
      frame.type === "channel-message" && frame.channel === channel && isDeepStrictEqual(frame.message, message),
    timeoutMs,
  );
}

let markerSeq = 0;

/**
 * Publishes a fresh marker on `markerChannel` from `publisher` and waits until every socket in `raws` got it:
 * everything `publisher` published before this call that was going to reach them has then reached them.
 * Each socket must be subscribed to `markerChannel`.
 */
export async function flushChannel(
  publisher: MeshServer,
  markerChannel: string,
  ...sockets: RawClient[]
): Promise<void> {
  const marker = { marker: ++markerSeq };
  await publisher.publishToChannel(markerChannel, marker);
  await Promise.all(sockets.map((raw) => waitForMessage(raw, markerChannel, marker)));
}

/** Whether a message is one of {@link flushChannel}'s markers. */
export function isMarker(message: unknown): boolean {
  return typeof message === "object" && message !== null && "marker" in message;
}

/** The bus channel of an application channel under a prefix (what PUBSUB SHARDCHANNELS shows), from the key layout. */
export function busChannelOf(prefix: string, channel: string): string {
  return createKeys(prefix).busChannel(channel);
}

/** The bus channels of application channels an instance listens to. */
export function channelTopicsOf(server: MeshServer): string[] {
  return server
    .subscribedChannels()
    .filter((name) => name.includes("bus:channel:"))
    .sort();
}
