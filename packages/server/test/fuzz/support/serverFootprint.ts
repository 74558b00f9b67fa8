import { createKeys } from "@meshwork/redis-state";
import type { MeshServer } from "../../../src/index";
import { type RedisClient, scanKeys } from "../../cluster/support/redis";

/**
 * What connections make a server hold, locally and in Redis: equal before and after a crowd of connections came
 * and went means none of them left anything behind.
 */
export interface ServerFootprint {
  localConnections: number;
  /** Pub/sub channels the instance listens to (rooms, channels, records, presence with a local member). */
  busChannels: string[];
  /** Entries of the cluster-wide connection routing hash. */
  registeredConnections: number;
  /** Connections listed under this instance. */
  instanceConnections: number;
  /** Room member sets, connection room sets and presence connection sets that exist. */
  membershipKeys: string[];
}

/** Reads a server's footprint; `redis` is an admin client on the server's Redis. */
export async function footprintOf(server: MeshServer, redis: RedisClient, keyPrefix: string): Promise<ServerFootprint> {
  const keys = createKeys(keyPrefix);
  const membership = (key: string): boolean =>
    (key.startsWith(keys.roomMembers("").replace(/room::members$/, "room:")) && key.endsWith(":members")) ||
    (key.startsWith(keys.connectionRooms("").replace(/connection::rooms$/, "connection:")) && key.endsWith(":rooms")) ||
    (key.startsWith(`${keyPrefix}presence:`) && (key.endsWith(":connections") || key.endsWith(":members")));
  return {
    localConnections: server.connectionManager.getLocalConnections().length,
    busChannels: server.subscribedChannels().sort(),
    registeredConnections: await redis.hlen(keys.connections()),
    instanceConnections: await redis.scard(keys.instanceConnections(server.instanceId)),
    membershipKeys: (await scanKeys(redis, keyPrefix)).filter(membership),
  };
}
