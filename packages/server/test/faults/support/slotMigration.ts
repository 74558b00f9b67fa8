import { redisCommand } from "../../../../../testing/redis-command.mjs";

async function command(port: number, args: (string | number)[]): Promise<unknown> {
  const reply = await redisCommand(port, args.map(String), 5_000);
  if (reply instanceof Error) throw new Error(`${args.slice(0, 3).join(" ")} on ${port}: ${reply.message}`);
  return reply;
}

/** The slot Redis Cluster hashes a key to, as a node computes it. */
export async function slotOf(port: number, key: string): Promise<number> {
  return Number(await command(port, ["CLUSTER", "KEYSLOT", key]));
}

/**
 * Moves one slot from the master on `from` to the master on `to` as `redis-cli --cluster reshard` does: the target
 * imports, the source migrates, the keys move a batch at a time (clients meanwhile get ASK redirections), then every
 * master is told the new owner (clients then get MOVED). `masters` are the ports of every master.
 */
export async function migrateSlot(slot: number, from: number, to: number, masters: number[]): Promise<number> {
  const fromId = String(await command(from, ["CLUSTER", "MYID"]));
  const toId = String(await command(to, ["CLUSTER", "MYID"]));
  await command(to, ["CLUSTER", "SETSLOT", slot, "IMPORTING", fromId]);
  await command(from, ["CLUSTER", "SETSLOT", slot, "MIGRATING", toId]);
  let moved = 0;
  for (let batch = 0; batch < 1_000; batch++) {
    const keys = (await command(from, ["CLUSTER", "GETKEYSINSLOT", slot, 100])) as string[];
    if (keys.length === 0) break;
    await command(from, ["MIGRATE", "127.0.0.1", to, "", 0, 5_000, "REPLACE", "KEYS", ...keys]);
    moved += keys.length;
  }
  for (const port of [to, from, ...masters.filter((p) => p !== to && p !== from)]) {
    await command(port, ["CLUSTER", "SETSLOT", slot, "NODE", toId]);
  }
  return moved;
}

/** How many connections listen to a sharded channel on one node (`PUBSUB SHARDNUMSUB`). */
export async function shardSubscribers(port: number, channel: string): Promise<number> {
  const [, count] = (await command(port, ["PUBSUB", "SHARDNUMSUB", channel])) as [string, number];
  return Number(count);
}
