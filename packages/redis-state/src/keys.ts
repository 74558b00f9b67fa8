/**
 * Every Redis key and pub/sub channel name meshwork uses, built from the key prefix. Nothing else in
 * meshwork builds a key. Name components (room names, connection and instance ids) are escaped so that
 * no two different names can produce the same key, whatever characters they contain: `%`, `:`, `{` and
 * `}` become `%25`, `%3A`, `%7B` and `%7D`, and nothing else is changed.
 *
 * Every key carries a Redis Cluster hash tag (`{…}`), so each script and transaction touches one slot; see
 * {@link registryTag}. No Lua script builds a key name: each receives every key it touches in KEYS.
 */
export function escapeKeyComponent(name: string): string {
  return name.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** The key layout for one key prefix. Listed, with types and owners, in docs/redis-keys.md. */
export interface MeshKeys {
  readonly prefix: string;
  /** SET of the ids of instances that have heartbeated and not been reaped. */
  instances(): string;
  /**
   * STRING, no TTL: a random id written once, by the first heartbeat into an empty store. A different (or no) value
   * later means the store lost its data.
   */
  stateGeneration(): string;
  /** STRING with a TTL: present while the instance is alive. */
  instanceAlive(instanceId: string): string;
  /** SET of the connection ids an instance serves. */
  instanceConnections(instanceId: string): string;
  /** STRING with a TTL: held by the survivor that is removing a dead instance's state. */
  instanceReapLock(instanceId: string): string;
  /** HASH connection id → instance id: routing only. */
  connections(): string;
  /** HASH connection id → metadata JSON: application data only. */
  connectionMetadata(): string;
  /** SET of the rooms a connection is in. */
  connectionRooms(connectionId: string): string;
  /** SET of the connection ids in a room. */
  roomMembers(room: string): string;
  /** HASH field → JSON value: a room's metadata, one field per top-level key. */
  roomMetadata(room: string): string;
  /** SET of the rooms that have metadata, so all of it can be listed without scanning keys. */
  roomsWithMetadata(): string;
  /** Pub/sub channel every instance listens to. */
  busAll(): string;
  /** Pub/sub channel of one instance. */
  busInstance(instanceId: string): string;
  /** Pub/sub channel of a room: listened to only by instances with a local member. */
  busRoom(room: string): string;
  /** Pub/sub channel of an application channel: listened to only by instances with a local subscriber. */
  busChannel(channel: string): string;
  /** Pub/sub channel of a record: listened to only by instances with a local subscriber. */
  busRecord(recordId: string): string;
  /** HASH `{ v: version, d: value JSON }`: a record, value and version in one key so they change together. */
  record(recordId: string): string;
  /** STREAM of an application channel's stored messages; entry ids are `<offset>-0`. */
  channelHistory(channel: string): string;
  /** HASH `{ epoch, offset }`: the identity and length of a channel's stored history. */
  channelMeta(channel: string): string;
  /**
   * Every key of a room's presence, in the order the presence scripts take them in KEYS, and its pub/sub channel
   * last. All share the room's hash tag, so each presence script touches one cluster slot.
   */
  presence(room: string): PresenceKeys;
  /** SET of the rooms that have presence entries, so sweepers find them without scanning keys. */
  roomsWithPresence(): string;
}

/**
 * The keys of one room's presence. Each is built around the hash tag `{room:<escaped room>}`; escaping turns `{` and
 * `}` in a room name into `%7B` and `%7D`, so no room name can move or split the tag, and the tag is never empty.
 */
export interface PresenceKeys {
  /** ZSET connection id → when it expires (ms, Redis clock): the room's present connections. */
  readonly expiry: string;
  /** HASH connection id → member id: which member each present connection belongs to. */
  readonly connections: string;
  /** HASH member id → metadata JSON given at its join: the present members. */
  readonly members: string;
  /** HASH member id → number of its present connections. */
  readonly counts: string;
  /** HASH member id → state JSON. */
  readonly states: string;
  /** ZSET member id → when its state expires (ms, Redis clock), for states published with an expiry. */
  readonly stateExpiry: string;
  /** HASH `{ e: epoch, n: seq }`: the position of the room's newest presence event. */
  readonly position: string;
  /** Pub/sub channel of the room's presence events. */
  readonly bus: string;
}

/** The keys of a room's presence as the presence scripts take them: KEYS[1] … KEYS[8]. */
export function presenceScriptKeys(keys: PresenceKeys): string[] {
  return [
    keys.expiry,
    keys.connections,
    keys.members,
    keys.counts,
    keys.states,
    keys.stateExpiry,
    keys.position,
    keys.bus,
  ];
}

/**
 * The hash tag of a prefix's registry: connections, instances, room memberships (both directions) and room metadata.
 * They share one Redis Cluster slot so that every change to them stays one atomic script (docs/redis-keys.md); the
 * prefix is part of the tag, so the registries of several prefixes on one cluster land on different slots. Topic keys
 * (records, channels, presence) and every pub/sub channel carry a tag of their own name, so they spread over shards.
 */
export function registryTag(prefix: string): string {
  return `{${prefix}registry}`;
}

/** Builds the key layout for a prefix (default `mesh:`). The prefix must not contain `{` or `}`. */
export function createKeys(prefix: string): MeshKeys {
  if (/[{}]/.test(prefix)) throw new TypeError(`meshwork: a key prefix must not contain "{" or "}": ${prefix}`);
  const e = escapeKeyComponent;
  const registry = `${prefix}${registryTag(prefix)}:`;
  // A tag is never empty (Redis would then hash each whole key apart), whatever the name: escaping keeps it intact.
  const tag = (kind: string, name: string): string => `{${kind}:${e(name)}}`;
  return {
    prefix,
    instances: () => `${registry}instances`,
    stateGeneration: () => `${registry}generation`,
    instanceAlive: (id) => `${registry}instance:${e(id)}:alive`,
    instanceConnections: (id) => `${registry}instance:${e(id)}:connections`,
    instanceReapLock: (id) => `${registry}instance:${e(id)}:reap-lock`,
    connections: () => `${registry}connections`,
    connectionMetadata: () => `${registry}connection-metadata`,
    connectionRooms: (id) => `${registry}connection:${e(id)}:rooms`,
    roomMembers: (room) => `${registry}room:${e(room)}:members`,
    roomMetadata: (room) => `${registry}room:${e(room)}:metadata`,
    roomsWithMetadata: () => `${registry}rooms-with-metadata`,
    roomsWithPresence: () => `${registry}rooms-with-presence`,
    busAll: () => `${prefix}bus:{all}`,
    busInstance: (id) => `${prefix}bus:instance:${tag("instance", id)}`,
    busRoom: (room) => `${prefix}bus:room:${tag("room", room)}`,
    busChannel: (channel) => `${prefix}bus:channel:${tag("channel", channel)}`,
    busRecord: (id) => `${prefix}bus:record:${tag("record", id)}`,
    record: (id) => `${prefix}record:${tag("record", id)}`,
    channelHistory: (channel) => `${prefix}channel:${tag("channel", channel)}:history`,
    channelMeta: (channel) => `${prefix}channel:${tag("channel", channel)}:meta`,
    presence: (room) => {
      const tagged = `${prefix}presence:${tag("room", room)}`;
      return {
        expiry: `${tagged}:expiry`,
        connections: `${tagged}:connections`,
        members: `${tagged}:members`,
        counts: `${tagged}:counts`,
        states: `${tagged}:states`,
        stateExpiry: `${tagged}:state-expiry`,
        position: `${tagged}:position`,
        bus: `${prefix}bus:presence:${tag("room", room)}`,
      };
    },
  };
}
