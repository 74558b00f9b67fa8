import { LUA_KEY_FUNCTIONS } from "../keys";
import { PRESENCE_SCRIPTS } from "../presence/presenceScripts";

/**
 * The Lua scripts of the Redis state. Each runs atomically: no other command sees a half-done update.
 * Scripts that must build keys from names they read inside Redis take the key prefix as ARGV[1] and
 * use the key functions of keys.ts; every other key is passed in KEYS.
 */
export interface ScriptDefinition {
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * Registers a connection on an instance. If the id was registered on another instance before, it is
 * removed from that instance's set in the same step, so a connection is never listed under two instances.
 * KEYS: connections, instanceConnections(new). ARGV: prefix, connectionId, instanceId.
 */
export const registerConnectionScript: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `${LUA_KEY_FUNCTIONS}
local id, instance = ARGV[2], ARGV[3]
local previous = redis.call("HGET", KEYS[1], id)
if previous and previous ~= instance then redis.call("SREM", instanceConnectionsKey(previous), id) end
redis.call("HSET", KEYS[1], id, instance)
redis.call("SADD", KEYS[2], id)
return 1`,
};

/**
 * Forgets a connection: routing entry, metadata, instance set and every room membership, all at once,
 * so a reader never sees a connection that is gone from the registry but still in a room.
 * KEYS: connections, connectionMetadata, connectionRooms(id). ARGV: prefix, connectionId. Returns its rooms.
 */
export const unregisterConnectionScript: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `${LUA_KEY_FUNCTIONS}
local id = ARGV[2]
local rooms = redis.call("SMEMBERS", KEYS[3])
for _, room in ipairs(rooms) do redis.call("SREM", roomMembersKey(room), id) end
redis.call("DEL", KEYS[3])
local instance = redis.call("HGET", KEYS[1], id)
if instance then redis.call("SREM", instanceConnectionsKey(instance), id) end
redis.call("HDEL", KEYS[1], id)
redis.call("HDEL", KEYS[2], id)
return rooms`,
};

/**
 * Replaces a connection's metadata only if the connection is registered, so metadata can never
 * outlive (or precede) its connection.
 * KEYS: connections, connectionMetadata. ARGV: connectionId, metadata JSON.
 */
export const setConnectionMetadataScript: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 0 then return redis.error_reply("NOT_FOUND connection is not registered") end
redis.call("HSET", KEYS[2], ARGV[1], ARGV[2])
return 1`,
};

/**
 * Adds a registered connection to a room, writing both directions of the membership together.
 * KEYS: connections, roomMembers(room), connectionRooms(id). ARGV: connectionId, room. Returns 1 if newly added.
 */
export const addToRoomScript: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 0 then return redis.error_reply("NOT_FOUND connection is not registered") end
redis.call("SADD", KEYS[3], ARGV[2])
return redis.call("SADD", KEYS[2], ARGV[1])`,
};

/**
 * Removes a connection from every room it is in, both directions at once, so a concurrent join can
 * not leave a half-written membership. KEYS: connectionRooms(id). ARGV: prefix, connectionId. Returns the rooms.
 */
export const removeFromAllRoomsScript: ScriptDefinition = {
  numberOfKeys: 1,
  lua: `${LUA_KEY_FUNCTIONS}
local rooms = redis.call("SMEMBERS", KEYS[1])
for _, room in ipairs(rooms) do redis.call("SREM", roomMembersKey(room), ARGV[2]) end
redis.call("DEL", KEYS[1])
return rooms`,
};

/**
 * Empties a room and deletes its metadata in one step. KEYS: roomMembers, roomMetadata, roomsWithMetadata.
 * ARGV: prefix, room. Returns the members it had.
 */
export const clearRoomScript: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `${LUA_KEY_FUNCTIONS}
local room = ARGV[2]
local members = redis.call("SMEMBERS", KEYS[1])
for _, id in ipairs(members) do redis.call("SREM", connectionRoomsKey(id), room) end
redis.call("DEL", KEYS[1], KEYS[2])
redis.call("SREM", KEYS[3], room)
return members`,
};

/**
 * Marks an instance alive for a TTL and lists it. Returns 1 if it was alive before this beat, 0 if not
 * (first beat, or expired and perhaps reaped: the instance then registers its state again).
 * KEYS: instanceAlive(id), instances. ARGV: instanceId, ttlMs.
 */
export const heartbeatScript: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local existed = redis.call("EXISTS", KEYS[1])
redis.call("SET", KEYS[1], "1", "PX", ARGV[2])
redis.call("SADD", KEYS[2], ARGV[1])
return existed`,
};

/**
 * Removes an instance's connections, their memberships and metadata, and the instance itself, at most
 * once. Unless forced, it does nothing (returns nil) when the instance is no longer listed (it left cleanly, or
 * was reaped: a survivor that listed it just before must neither take a lock nor report an empty removal), while
 * its heartbeat key exists, or while another survivor holds the reap lock; the check and the removal are one atomic step, so an instance
 * that beats again is never half-removed, and two survivors never both report the same connections.
 * KEYS: instances, instanceAlive(id), instanceReapLock(id), instanceConnections(id), connections, connectionMetadata.
 * ARGV: prefix, instanceId, force ("1" or "0"), lockTtlMs.
 * Returns a flat list: connectionId, number of rooms, the rooms, connectionId, ...
 */
export const reapInstanceScript: ScriptDefinition = {
  numberOfKeys: 6,
  lua: `${LUA_KEY_FUNCTIONS}
local instance, force = ARGV[2], ARGV[3] == "1"
if not force then
  if redis.call("SISMEMBER", KEYS[1], instance) == 0 then return false end
  if redis.call("EXISTS", KEYS[2]) == 1 then return false end
  if not redis.call("SET", KEYS[3], "1", "NX", "PX", ARGV[4]) then return false end
end
local result = {}
for _, id in ipairs(redis.call("SMEMBERS", KEYS[4])) do
  if redis.call("HGET", KEYS[5], id) == instance then
    local roomsKey = connectionRoomsKey(id)
    local rooms = redis.call("SMEMBERS", roomsKey)
    for _, room in ipairs(rooms) do redis.call("SREM", roomMembersKey(room), id) end
    redis.call("DEL", roomsKey)
    redis.call("HDEL", KEYS[5], id)
    redis.call("HDEL", KEYS[6], id)
    table.insert(result, id)
    table.insert(result, #rooms)
    for _, room in ipairs(rooms) do table.insert(result, room) end
  end
end
redis.call("DEL", KEYS[4])
redis.call("SREM", KEYS[1], instance)
if force then redis.call("DEL", KEYS[2]) end
return result`,
};

/**
 * Stores a channel message and publishes it, in one step, so the stored order and the published order are the
 * same and every stored message carries a unique, gap-free offset. The first store of a channel (or the first
 * after its meta was lost) starts a new epoch and drops any stale stream. The stream is trimmed to exactly
 * `history` entries (`MAXLEN` without `~`). What it publishes is the channel message of bus/busMessages.ts
 * (`channelBusMessage` with the stored position).
 * KEYS: channelMeta, channelHistory, busChannel. ARGV: message JSON, history, origin instance id, new epoch.
 * Returns { epoch, offset }.
 */
export const publishToChannelScript: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
local epoch = redis.call("HGET", KEYS[1], "epoch")
if not epoch then
  epoch = ARGV[4]
  redis.call("DEL", KEYS[2])
  redis.call("HSET", KEYS[1], "epoch", epoch)
end
local offset = redis.call("HINCRBY", KEYS[1], "offset", 1)
redis.call("XADD", KEYS[2], "MAXLEN", ARGV[2], offset .. "-0", "d", ARGV[1])
local header = cjson.encode({ t = "channel", o = ARGV[3], n = offset, e = epoch })
redis.call("PUBLISH", KEYS[3], header .. "\\n" .. ARGV[1])
return { epoch, offset }`,
};

/**
 * Writes a record's new value only if its version is still the one the writer read, and publishes the change,
 * in one step: value and version always change together, each version is granted once, versions go up by exactly
 * one, and subscribers receive changes in version order. Each life of a record (from its creation to its
 * deletion) has a random incarnation id; a writer that names the incarnation it knows is refused when the record
 * was deleted and re-created meanwhile, even at the same version. The writer's id is stored with the value, so a
 * write sent right behind the same writer's previous one can require that the version it builds on is that one.
 * The published change is the writer's head (header and patch, for version expected + 1), a newline and the value
 * JSON, so the value is sent to Redis once: the record change of bus/busMessages.ts (`recordBusMessage`).
 * KEYS: record, busRecord. ARGV: expected version, value JSON, change head, expected incarnation ("" for any),
 * incarnation for a new record, writer id, "1" when the expected version must be the writer's own (else "").
 * Returns { ok (1/0), version, incarnation }.
 */
export const commitRecordScript: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local stored = redis.call("HMGET", KEYS[1], "v", "i", "w")
local current = tonumber(stored[1] or "0")
local incarnation = stored[2] or ARGV[5]
if current ~= tonumber(ARGV[1]) or (ARGV[4] ~= "" and ARGV[4] ~= incarnation) or (ARGV[7] == "1" and stored[3] ~= ARGV[6]) then
  return { 0, current, stored[2] or "" }
end
local version = current + 1
redis.call("HSET", KEYS[1], "v", version, "d", ARGV[2], "i", incarnation, "w", ARGV[6])
redis.call("PUBLISH", KEYS[2], ARGV[3] .. "\\n" .. ARGV[2])
return { 1, version, incarnation }`,
};

/**
 * Deletes a record and tells its subscribers, in one step, with the record deletion of bus/busMessages.ts
 * (`recordDeletionMessage`). KEYS: record, busRecord. ARGV: origin instance id.
 * Returns the version the record had (0 when it did not exist, and then nothing is published).
 */
export const deleteRecordScript: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local current = tonumber(redis.call("HGET", KEYS[1], "v") or "0")
if current == 0 then return 0 end
redis.call("DEL", KEYS[1])
redis.call("PUBLISH", KEYS[2], cjson.encode({ t = "record", o = ARGV[1], v = current, del = true }) .. "\\n[]\\nnull")
return current`,
};

/** Every script, by the command name it is defined under on the Redis client. */
export const SCRIPTS = {
  meshRegisterConnection: registerConnectionScript,
  meshUnregisterConnection: unregisterConnectionScript,
  meshSetConnectionMetadata: setConnectionMetadataScript,
  meshAddToRoom: addToRoomScript,
  meshRemoveFromAllRooms: removeFromAllRoomsScript,
  meshClearRoom: clearRoomScript,
  meshHeartbeat: heartbeatScript,
  meshReapInstance: reapInstanceScript,
  meshPublishToChannel: publishToChannelScript,
  meshCommitRecord: commitRecordScript,
  meshDeleteRecord: deleteRecordScript,
  ...PRESENCE_SCRIPTS,
} as const;
