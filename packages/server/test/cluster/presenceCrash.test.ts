// A member served by a SIGKILLed instance (a child process: no close, no last heartbeat) leaves presence within the
// presence ttl plus one sweep, announced once. The instance TTL is set far longer than the presence ttl, so it is the
// survivors' presence sweep that removes the member, not the reaping of the dead instance; the reap, which comes
// later and also leaves the member's tracked rooms, must then announce nothing.
import type { InstanceDownInfo } from "@meshwork/server";
import { afterEach, describe, expect, it } from "vitest";
import { type Instance, eventually, startInstance, testPrefix } from "./support/cluster";
import { killChildren, startChildInstance } from "./support/childInstance";
import { call, eventsAfter, expectNoDuplicates, joinRoom, rawMember, subscribePresence } from "./support/presence";
import { TEST_REDIS } from "./support/redis";

const HEARTBEAT = 100;
const INSTANCE_TTL = 2_000;
const PRESENCE_TTL = 300;
// Allowance for Redis round trips and a busy 2-core machine (other test files run in parallel).
const SLACK = 700;

afterEach(killChildren);

describe("presence after a crash", () => {
  it("a member of a SIGKILLed instance leaves within ttl + one sweep, announced once", async () => {
    const prefix = testPrefix();
    const timings = { heartbeatInterval: HEARTBEAT, instanceTtl: INSTANCE_TTL };
    const survivor = (await startInstance(prefix, timings)) as Instance;
    survivor.server.exposeRoom("lobby");
    survivor.server.trackPresence("lobby", { ttl: PRESENCE_TTL });
    const child = await startChildInstance({
      redis: TEST_REDIS,
      keyPrefix: prefix,
      ...timings,
      presence: { room: "lobby", ttl: PRESENCE_TTL },
    });
    const down: InstanceDownInfo[] = [];
    survivor.server.on("instancedown", (info) => {
      down.push(info);
    });

    const watcher = await rawMember(survivor.url);
    const since = await subscribePresence(watcher, "lobby");
    const doomed = await rawMember(child.url);
    await call(doomed, "cluster-test/setup", { rooms: ["lobby"], metadata: { name: "doomed" } });
    await eventually(() => expect(eventsAfter(watcher, "lobby", since.position)).toEqual([`join ${doomed.id}`]));

    await child.kill("SIGKILL");
    const killedAt = Date.now();
    await eventually(
      () => expect(eventsAfter(watcher, "lobby", since.position)).toEqual([`join ${doomed.id}`, `leave ${doomed.id}`]),
      PRESENCE_TTL + HEARTBEAT + SLACK + 1_000,
    );
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThan(PRESENCE_TTL + HEARTBEAT + SLACK);
    expect((await survivor.server.getPresence("lobby")).members).toEqual([]);

    // The reap comes later and leaves the member's rooms again: nothing more is announced.
    await eventually(() => expect(down.map((info) => info.instanceId)).toEqual([child.instanceId]), INSTANCE_TTL * 3);
    const marker = await rawMember(survivor.url);
    await joinRoom(marker, "lobby");
    await eventually(() =>
      expect(eventsAfter(watcher, "lobby", since.position)).toEqual([
        `join ${doomed.id}`,
        `leave ${doomed.id}`,
        `join ${marker.id}`,
      ]),
    );
    expectNoDuplicates(watcher, "lobby");
  });
});
