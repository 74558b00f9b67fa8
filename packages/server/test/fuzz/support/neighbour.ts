import { MeshClient, type RecordUpdate, applyPatch } from "@meshwork/client";
import type { MeshServer } from "../../../src/index";
import { NEIGHBOUR } from "./fuzzServer";

const STEP_TIMEOUT_MS = 3_000;

async function within<T>(label: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `ready()` holds, checking whenever something arrives; rejects at the step timeout. */
function arrival(label: string, ready: () => boolean, notify: Set<() => void>): Promise<void> {
  if (ready()) return Promise.resolve();
  return within(
    label,
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (!ready()) return;
        notify.delete(check);
        resolve();
      };
      notify.add(check);
    }),
  );
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A well-behaved MeshClient on the fuzzed server. Each round checks that it gets correct answers: `echo` and the
 * schema-checked `sum`, a channel message, a server record write (patch mode: versions one by one, the value
 * rebuilt from patches), its own record write, and a room broadcast, each in order and exactly once.
 */
export class WellBehavedNeighbour {
  rounds = 0;
  readonly failures: string[] = [];
  private readonly notify = new Set<() => void>();
  private readonly channelMessages: unknown[] = [];
  private readonly ticks: unknown[] = [];
  private record: { version: number; value: unknown } = { version: 0, value: null };
  private ownVersion = 0;

  private constructor(
    readonly client: MeshClient,
    private readonly server: MeshServer,
  ) {}

  /** Connects and subscribes to the neighbour's channel, record and room. */
  static async start(server: MeshServer, url: string): Promise<WellBehavedNeighbour> {
    const client = new MeshClient(url, { shouldReconnect: false });
    await client.connect();
    const neighbour = new WellBehavedNeighbour(client, server);
    await neighbour.subscribe();
    return neighbour;
  }

  /** One round of checks; a failure is recorded, not thrown, so the run goes on and reports all of them. */
  async round(): Promise<void> {
    const n = this.rounds++;
    try {
      await this.checkRound(n);
    } catch (error) {
      this.failures.push(`round ${n}: ${(error as Error).message}`);
    }
  }

  private async subscribe(): Promise<void> {
    const wake = (): void => {
      for (const check of [...this.notify]) check();
    };
    await this.client.subscribe(NEIGHBOUR.channel, (message: unknown) => {
      this.channelMessages.push(message);
      wake();
    });
    const subscribed = await this.client.subscribeRecord(
      NEIGHBOUR.record,
      (update: RecordUpdate) => {
        if (update.version !== this.record.version + 1) {
          this.failures.push(`record version ${update.version} after ${this.record.version}`);
        }
        const value =
          update.full !== undefined ? update.full : applyPatch(structuredClone(this.record.value), update.patch ?? []);
        this.record = { version: update.version, value };
        wake();
      },
      { mode: "patch" },
    );
    this.record = { version: subscribed.version, value: subscribed.record };
    this.client.on("tick", (payload: unknown) => {
      this.ticks.push(payload);
      wake();
    });
    const joined = await this.client.joinRoom(NEIGHBOUR.room);
    if (!joined.success) throw new Error("the neighbour could not join its room");
  }

  private async checkRound(n: number): Promise<void> {
    const payload = { n, text: `héllo ✓ ${n}`, list: [n, { deep: [n] }] };
    const echoed = await within("echo", this.client.command("echo", payload));
    if (!same(echoed, payload)) throw new Error(`echo answered ${JSON.stringify(echoed)}`);
    const sum = await within("sum", this.client.command("sum", { a: n, b: 1 }));
    if (sum !== n + 1) throw new Error(`sum answered ${JSON.stringify(sum)}`);

    await this.server.publishToChannel(NEIGHBOUR.channel, { n });
    await arrival("channel message", () => this.channelMessages.length > n, this.notify);
    if (this.channelMessages.length !== n + 1 || !same(this.channelMessages[n], { n })) {
      throw new Error(`channel messages ${JSON.stringify(this.channelMessages.slice(-3))} after round ${n}`);
    }

    const value = { n, items: Array.from({ length: (n % 5) + 1 }, (_, i) => `item ${i}`), flag: n % 2 === 0 };
    const version = await this.server.publishRecordUpdate(NEIGHBOUR.record, value);
    await arrival("record update", () => this.record.version >= version, this.notify);
    if (this.record.version !== version || !same(this.record.value, value)) {
      throw new Error(`record at ${this.record.version}: ${JSON.stringify(this.record.value)}, wrote ${version}`);
    }

    const own = await within(
      "own record write",
      this.client.publishRecordUpdate(NEIGHBOUR.ownRecord, { n }, { expectedVersion: this.ownVersion }),
    );
    if (own.version !== this.ownVersion + 1) throw new Error(`own record went to ${own.version}`);
    this.ownVersion = own.version;

    await this.server.broadcastRoom(NEIGHBOUR.room, "tick", n);
    await arrival("room broadcast", () => this.ticks.length > n, this.notify);
    if (this.ticks.length !== n + 1 || this.ticks[n] !== n)
      throw new Error(`ticks ${JSON.stringify(this.ticks.slice(-3))}`);
  }
}
