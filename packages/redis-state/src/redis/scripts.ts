import { PRESENCE_SCRIPTS } from "../presence/presenceScripts";

/**
 * The Lua scripts of the Redis state. Each runs atomically: no other command sees a half-done update. Every key a
 * script touches is passed in KEYS and no script builds a key name, so each runs on Redis Cluster (all of its keys
 * share one hash tag, keys.ts). Where a script must touch keys named by what Redis holds (a connection's rooms, a
 * room's members), the caller reads those names first and passes them with their keys; the script checks that Redis
 * still holds exactly those names and otherwise refuses with `STALE`, and the caller reads again
 * (redisCommands.ts, `runPlanned`).
 */
export interface ScriptDefinition {
  /** How many KEYS it takes; undefined when the caller passes a varying number (the count goes first). */
  readonly numberOfKeys?: number;
  readonly lua: string;
}

/** Lua helpers for scripts whose keys were named by a read the caller made before. */
const PLANNED = `
local function stale() return redis.error_reply("STALE the names read before this script changed") end
-- Whether the set at key holds exactly the names list[from..#list].
local function setIs(key, list, from)
  if redis.call("SCARD", key) ~= #list - from + 1 then return false end
  for i = from, #list do
    if redis.call("SISMEMBER", key, list[i]) == 0 then return false end
  end
  return true
end
`;

/**
 * Registers a connection on an instance. If the id was registered on another instance before, it is
 * removed from that instance's set in the same step, so a connection is never listed under two instances.
 * KEYS: connections, instanceConnections(new), instanceConnections(previous) when the caller expects a previous
 * instance other than the new one. ARGV: connectionId, instanceId, expected previous instance ("" for none).
 */
export const registerConnectionScript: ScriptDefinition = {
  lua: `${PLANNED}
local id, instance = ARGV[1], ARGV[2]
local previous = redis.call("HGET", KEYS[1], id) or ""
if previous ~= ARGV[3] then return stale() end
if previous ~= "" and previous ~= instance then redis.call("SREM", KEYS[3], id) end
redis.call("HSET", KEYS[1], id, instance)
redis.call("SADD", KEYS[2], id)
return 1`,
};

/**
 * Forgets a connection: routing entry, metadata, instance set and every room membership, all at once,
 * so a reader never sees a connection that is gone from the registry but still in a room.
 * KEYS: connections, connectionMetadata, connectionRooms(id), roomMembers of each room read, then
 * instanceConnections(instance) when an instance was read. ARGV: connectionId, instance read ("" for none), the
 * rooms read. Returns the rooms.
 */
export const unregisterConnectionScript: ScriptDefinition = {
  lua: `${PLANNED}
local id = ARGV[1]
local instance = redis.call("HGET", KEYS[1], id) or ""
if instance ~= ARGV[2] or not setIs(KEYS[3], ARGV, 3) then return stale() end
local rooms = {}
for i = 3, #ARGV do
  redis.call("SREM", KEYS[i + 1], id)
  rooms[#rooms + 1] = ARGV[i]
end
redis.call("DEL", KEYS[3])
if instance ~= "" then redis.call("SREM", KEYS[#KEYS], id) end
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
 * not leave a half-written membership. KEYS: connectionRooms(id), roomMembers of each room read.
 * ARGV: connectionId, the rooms read. Returns the rooms.
 */
export const removeFromAllRoomsScript: ScriptDefinition = {
  lua: `${PLANNED}
if not setIs(KEYS[1], ARGV, 2) then return stale() end
local rooms = {}
for i = 2, #ARGV do
  redis.call("SREM", KEYS[i], ARGV[1])
  rooms[#rooms + 1] = ARGV[i]
end
redis.call("DEL", KEYS[1])
return rooms`,
};

/**
 * Empties a room and deletes its metadata in one step. KEYS: roomMembers, roomMetadata, roomsWithMetadata, then
 * connectionRooms of each member read. ARGV: room, the members read. Returns the members it had.
 */
export const clearRoomScript: ScriptDefinition = {
  lua: `${PLANNED}
local room = ARGV[1]
if not setIs(KEYS[1], ARGV, 2) then return stale() end
local members = {}
for i = 2, #ARGV do
  redis.call("SREM", KEYS[i + 2], room)
  members[#members + 1] = ARGV[i]
end
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
 * its heartbeat key exists, or while another survivor holds the reap lock; the check and the removal are one atomic
 * step, so an instance that beats again is never half-removed, and two survivors never both report the same
 * connections.
 * KEYS: instances, instanceAlive(id), instanceReapLock(id), instanceConnections(id), connections, connectionMetadata,
 * then for each connection read as the instance's own: its connectionRooms, then roomMembers of each of its rooms.
 * ARGV: instanceId, force ("1" or "0"), lockTtlMs, the plan read: JSON `{ ids: [every id in the instance's set],
 * owned: [[id, [rooms]], …] }` (the ids the routing hash gives to this instance, in KEYS order).
 * Returns a flat list: connectionId, number of rooms, the rooms, connectionId, ...
 */
export const reapInstanceScript: ScriptDefinition = {
  lua: `${PLANNED}
local instance, force = ARGV[1], ARGV[2] == "1"
if not force then
  if redis.call("SISMEMBER", KEYS[1], instance) == 0 then return false end
  if redis.call("EXISTS", KEYS[2]) == 1 then return false end
end
local plan = cjson.decode(ARGV[4])
if not setIs(KEYS[4], plan.ids, 1) then return stale() end
local owned = {}
for _, entry in ipairs(plan.owned) do owned[entry[1]] = true end
local ownedCount = 0
for _, id in ipairs(plan.ids) do
  local isOwn = redis.call("HGET", KEYS[5], id) == instance
  if isOwn ~= (owned[id] == true) then return stale() end
  if isOwn then ownedCount = ownedCount + 1 end
end
if ownedCount ~= #plan.owned then return stale() end
local k = 7
for _, entry in ipairs(plan.owned) do
  if not setIs(KEYS[k], entry[2], 1) then return stale() end
  k = k + 1 + #entry[2]
end
if not force and not redis.call("SET", KEYS[3], "1", "NX", "PX", ARGV[3]) then return false end
local result = {}
k = 7
for _, entry in ipairs(plan.owned) do
  local id, rooms = entry[1], entry[2]
  for i = 1, #rooms do redis.call("SREM", KEYS[k + i], id) end
  redis.call("DEL", KEYS[k])
  redis.call("HDEL", KEYS[5], id)
  redis.call("HDEL", KEYS[6], id)
  result[#result + 1] = id
  result[#result + 1] = #rooms
  for i = 1, #rooms do result[#result + 1] = rooms[i] end
  k = k + 1 + #rooms
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
redis.call("SPUBLISH", KEYS[3], header .. "\\n" .. ARGV[1])
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
redis.call("SPUBLISH", KEYS[2], ARGV[3] .. "\\n" .. ARGV[2])
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
redis.call("SPUBLISH", KEYS[2], cjson.encode({ t = "record", o = ARGV[1], v = current, del = true }) .. "\\n[]\\nnull")
return current`,
};

/**
 * Starts a new epoch of a channel's history when its epoch is still the one a subscriber saw going back.
 * KEYS: channelMeta. ARGV: seen epoch, new epoch. Returns 1 when it started one.
 */
export const startChannelEpochScript: ScriptDefinition = {
  numberOfKeys: 1,
  lua: `
if redis.call("HGET", KEYS[1], "epoch") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "epoch", ARGV[2])
return 1`,
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
  meshStartChannelEpoch: startChannelEpochScript,
  meshCommitRecord: commitRecordScript,
  meshDeleteRecord: deleteRecordScript,
  ...PRESENCE_SCRIPTS,
} as const;
