// Channel recovery through MeshClient after a reconnect (original Mesh weaknesses 25 and 32: subscriptions not
// restored, messages silently lost): a client dropped while messages are published gets them after its
// reconnect, in order, once each, and `onRecover` says whether recovery was complete. Publishing happens on
// instance A while the client, connected to instance B, is away.
//
// "Away" is made certain, never timed:
// - by closing B and starting a new instance on the same port (same Redis and prefix) only after publishing; or
// - by terminating the client's socket on B while B's `authenticateConnection` holds every new upgrade back
//   behind a gate the test opens after publishing.
import type { MeshClient, RecoveryInfo } from "@meshwork/client";
import { describe, expect, it } from "vitest";
import { type Instance, connectClient, eventually, startCluster, startInstance } from "../cluster/support/cluster";
import { FAST_RECONNECTS, UpgradeGate, dropSocket, nextReconnect } from "../cluster/support/reconnects";
import { busChannelOf, channelTopicsOf } from "./support/channels";

type Client = MeshClient & { connectionId: string };

/** A subscription's callback and onRecover calls, recorded. */
interface Recorded {
  messages: unknown[];
  recoveries: RecoveryInfo[];
  /** The order of events: messages as `m:<value>`, recoveries as `recover`, reconnects as `reconnect`. */
  timeline: string[];
}

async function subscribeRecorded(client: Client, channel: string, historyLimit = 0): Promise<Recorded> {
  const recorded: Recorded = { messages: [], recoveries: [], timeline: [] };
  const result = await client.subscribe(
    channel,
    (message) => {
      recorded.messages.push(message);
      recorded.timeline.push(`m:${JSON.stringify(message)}`);
    },
    {
      historyLimit,
      onRecover: (info) => {
        recorded.recoveries.push(info);
        recorded.timeline.push("recover");
      },
    },
  );
  expect(result.success).toBe(true);
  client.on("reconnect", () => recorded.timeline.push("reconnect"));
  return recorded;
}

async function gatedCluster(): Promise<{ prefix: string; A: Instance; B: Instance; gate: UpgradeGate }> {
  const { prefix, nodes } = await startCluster(1);
  const A = nodes[0] as Instance;
  const gate = new UpgradeGate();
  const B = await startInstance(prefix, { authenticateConnection: gate.authenticate });
  for (const { server } of [A, B]) server.exposeChannel(/^feed/);
  return { prefix, A, B, gate };
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

describe("channel recovery after a reconnect", () => {
  it("instance B restarts on the same port: the client gets what A published meanwhile, in order, once, and recovered: true", async () => {
    const { prefix, nodes } = await startCluster(2);
    const [A, B] = nodes as [Instance, Instance];
    for (const { server } of [A, B]) server.exposeChannel(/^feed/);
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const feed = await subscribeRecorded(client, "feed", 5);
    for (const m of range(1, 3)) await A.server.publishToChannel("feed", m, 50);
    await eventually(() => expect(feed.messages).toEqual(range(1, 3)));

    const port = B.server.port as number;
    const reconnected = nextReconnect(client);
    await B.server.close();
    // Nobody listens on B's port now: whatever A publishes, the client cannot be receiving it.
    for (const m of range(4, 8)) await A.server.publishToChannel("feed", m, 50);
    const B2 = await startInstance(prefix, { port });
    // Configured in the same microtask run that `ready()` resolved in: the client's restoring subscribe needs
    // socket I/O to get here, so it cannot be handled before this line.
    B2.server.exposeChannel(/^feed/);
    await reconnected;

    expect(feed.messages).toEqual(range(1, 8));
    expect(feed.recoveries).toEqual([{ channel: "feed", recovered: true, missed: 5 }]);
    // Restored before `reconnect` fired, the missed messages delivered before onRecover.
    expect(feed.timeline).toEqual([...range(1, 8).map((m) => `m:"${m}"`), "recover", "reconnect"]);
    expect(channelTopicsOf(B2.server)).toEqual([busChannelOf(prefix, "feed")]);

    // Live again, once each.
    await A.server.publishToChannel("feed", "m9", 50);
    await A.server.publishToChannel("feed", "m10");
    await eventually(() => expect(feed.messages).toEqual([...range(1, 9), "m10"]));
  });

  it("a terminated socket: messages published while the reconnect is held back arrive after it, in order, once, recovered: true", async () => {
    const { A, B, gate } = await gatedCluster();
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const feed = await subscribeRecorded(client, "feed");
    const other = await subscribeRecorded(client, "feed:other");
    await A.server.publishToChannel("feed", "m1", 100);
    await A.server.publishToChannel("feed:other", "o0", 100);
    await eventually(() => expect([...feed.messages, ...other.messages]).toEqual(["m1", "o0"]));

    gate.close();
    const reconnected = nextReconnect(client);
    await dropSocket(B.server, client);
    for (const m of range(2, 6)) await A.server.publishToChannel("feed", m, 100);
    await A.server.publishToChannel("feed:other", "o1", 100);
    // The client is trying: its reconnect is waiting at the gate.
    await eventually(() => expect(gate.held).toBeGreaterThan(0));
    expect(client.status).toBe("reconnecting");
    gate.open();
    await reconnected;

    expect(feed.messages).toEqual(range(1, 6));
    expect(feed.recoveries).toEqual([{ channel: "feed", recovered: true, missed: 5 }]);
    expect(other.messages).toEqual(["o0", "o1"]);
    expect(other.recoveries).toEqual([{ channel: "feed:other", recovered: true, missed: 1 }]);

    // A second drop, with nothing missed this time: recovered, nothing replayed.
    gate.close();
    const again = nextReconnect(client);
    await dropSocket(B.server, client);
    gate.open();
    await again;
    expect(feed.recoveries[1]).toEqual({ channel: "feed", recovered: true, missed: 0 });
    expect(feed.messages).toEqual(range(1, 6));
    await A.server.publishToChannel("feed", "m7", 100);
    await eventually(() => expect(feed.messages).toEqual(range(1, 7)));
  });

  it("away longer than the history holds: onRecover says recovered: false and nothing partial is replayed", async () => {
    const { A, B, gate } = await gatedCluster();
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const feed = await subscribeRecorded(client, "feed");
    await A.server.publishToChannel("feed", "m1", 3);
    await eventually(() => expect(feed.messages).toEqual(["m1"]));

    gate.close();
    const reconnected = nextReconnect(client);
    await dropSocket(B.server, client);
    // Five published, three kept: m2 and m3 are gone from the history.
    for (const m of range(2, 6)) await A.server.publishToChannel("feed", m, 3);
    gate.open();
    await reconnected;

    expect(feed.recoveries).toEqual([{ channel: "feed", recovered: false, missed: 0 }]);
    expect(feed.messages).toEqual(["m1"]);
    // Still subscribed: the next message arrives.
    await A.server.publishToChannel("feed", "m7", 3);
    await eventually(() => expect(feed.messages).toEqual(["m1", "m7"]));
  });

  it("publishing goes on throughout a drop and reconnect: clients on A and on B get every message exactly once, in order", async () => {
    const { A, B, gate } = await gatedCluster();
    const onB = await connectClient(B.url, FAST_RECONNECTS);
    const onA = await connectClient(A.url, FAST_RECONNECTS);
    const feedB = await subscribeRecorded(onB, "feed");
    const feedA = await subscribeRecorded(onA, "feed");
    const total = 300;
    // m1..m100 flow while the socket is dropped somewhere among them; m101..m150 are published while the
    // client is certainly away; m151..m300 flow while it reconnects and restores, racing the resubscription.
    let dropped: () => void = () => {};
    const isDropped = new Promise<void>((resolve) => (dropped = resolve));
    let awayDone: () => void = () => {};
    const publishedWhileAway = new Promise<void>((resolve) => (awayDone = resolve));
    const publishing = (async () => {
      for (let i = 1; i <= total; i++) {
        if (i === 101) await isDropped;
        if (i === 151) awayDone();
        await A.server.publishToChannel("feed", `m${i}`, 1_000);
      }
    })();

    await eventually(() => expect(feedB.messages.length).toBeGreaterThanOrEqual(20), 10_000);
    gate.close();
    const reconnected = nextReconnect(onB);
    await dropSocket(B.server, onB);
    dropped();
    await publishedWhileAway;
    gate.open();
    await reconnected;
    await publishing;

    await eventually(() => expect(feedB.messages).toHaveLength(total), 10_000);
    await eventually(() => expect(feedA.messages).toHaveLength(total), 10_000);
    expect(feedB.messages).toEqual(range(1, total));
    expect(feedA.messages).toEqual(range(1, total));
    expect(feedB.recoveries).toHaveLength(1);
    expect(feedB.recoveries[0]).toMatchObject({ channel: "feed", recovered: true });
    expect(feedB.recoveries[0]?.missed).toBeGreaterThanOrEqual(50);
    expect(feedA.recoveries).toEqual([]);
    // Nothing more arrives later (one more message flushes the stream).
    await A.server.publishToChannel("feed", "end", 1_000);
    await eventually(() => expect(feedB.messages).toHaveLength(total + 1));
    expect(feedB.messages.at(-1)).toBe("end");
  });

  // A subscription that never saw a stored message has no position to send as `since`; the client then asks for
  // the channel's whole current epoch, because everything stored in it was stored after the subscription began.
  it("a subscription made before anything was stored recovers what was stored while away, or says it could not", async () => {
    const { A, B, gate } = await gatedCluster();
    const client = await connectClient(B.url, FAST_RECONNECTS);
    const complete = await subscribeRecorded(client, "feed");
    const trimmed = await subscribeRecorded(client, "feed:trimmed");
    gate.close();
    const reconnected = nextReconnect(client);
    await dropSocket(B.server, client);
    for (const m of range(1, 3)) await A.server.publishToChannel("feed", m, 10);
    // Five stored with a history of three: m1 and m2 are gone before the client is back.
    for (const m of range(1, 5)) await A.server.publishToChannel("feed:trimmed", m, 3);
    gate.open();
    await reconnected;

    expect(complete.messages).toEqual(range(1, 3));
    expect(complete.recoveries).toEqual([{ channel: "feed", recovered: true, missed: 3 }]);
    expect(trimmed.messages).toEqual([]);
    expect(trimmed.recoveries).toEqual([{ channel: "feed:trimmed", recovered: false, missed: 0 }]);

    await A.server.publishToChannel("feed", "m4", 10);
    await A.server.publishToChannel("feed:trimmed", "m6", 3);
    await eventually(() => {
      expect(complete.messages).toEqual(range(1, 4));
      expect(trimmed.messages).toEqual(["m6"]);
    });
  });
});
