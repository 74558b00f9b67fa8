import { PRESENCE_POSITION_TTL_MS } from "./presenceStore";

/**
 * The Lua scripts of a room's presence. Every script takes the room's presence keys in KEYS, in the order of
 * `presenceScriptKeys` (keys.ts), and builds no key name of its own: all of them carry the room's hash tag, so a
 * script touches one cluster slot. Each change that watchers must see is announced by the script that makes it
 * (`announce`: one position increment and one SPUBLISH of the presence message of bus/busMessages.ts), so it is
 * published exactly once and a room's events leave in position order. Times are Redis's (`TIME`), one clock for
 * every instance.
 *
 * KEYS: 1 expiry (ZSET connection → expires at), 2 connections (HASH connection → member), 3 members (HASH member →
 * metadata JSON), 4 counts (HASH member → connections), 5 states (HASH member → state JSON), 6 state expiry (ZSET
 * member → expires at), 7 position (HASH { e, n }), 8 the room's presence channel.
 */
const PRELUDE = `
local function nowMs()
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Publishes one event at the room's next position and returns the message. ARGV[1] is the origin, ARGV[2] the room.
local function announce(ev, member, conns, body)
  redis.call("HSETNX", KEYS[7], "e", nowMs())
  local epoch = tonumber(redis.call("HGET", KEYS[7], "e"))
  local seq = redis.call("HINCRBY", KEYS[7], "n", 1)
  redis.call("PEXPIRE", KEYS[7], ${PRESENCE_POSITION_TTL_MS})
  local header = { t = "presence", o = ARGV[1], room = ARGV[2], e = epoch, n = seq, ev = ev, m = member }
  if conns then header.c = conns end
  local message = cjson.encode(header)
  if body then message = message .. "\\n" .. body end
  redis.call("SPUBLISH", KEYS[8], message)
  return message
end
-- Removes a connection of a member; true when it was the member's last, which then leaves with its state.
local function removeConnection(conn, member)
  redis.call("HDEL", KEYS[2], conn)
  redis.call("ZREM", KEYS[1], conn)
  if redis.call("HINCRBY", KEYS[4], member, -1) > 0 then return false end
  redis.call("HDEL", KEYS[4], member)
  redis.call("HDEL", KEYS[3], member)
  redis.call("HDEL", KEYS[5], member)
  redis.call("ZREM", KEYS[6], member)
  return true
end
`;

/** Every presence script reads the room's keys in the same order. */
const NUMBER_OF_KEYS = 8;

/**
 * Adds a connection to a member's presence, renewing its TTL; announces the join when it is the member's first.
 * ARGV: origin, room, member, connection, metadata JSON, ttlMs. Returns the join message, or nil.
 */
const joinScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local member, conn = ARGV[3], ARGV[4]
local current = redis.call("HGET", KEYS[2], conn)
if current and current ~= member then return redis.error_reply("CONFLICT connection is present as another member") end
redis.call("ZADD", KEYS[1], nowMs() + tonumber(ARGV[6]), conn)
if current then return false end
redis.call("HSET", KEYS[2], conn, member)
if redis.call("HINCRBY", KEYS[4], member, 1) > 1 then return false end
redis.call("HSET", KEYS[3], member, ARGV[5])
return announce("join", member, { conn }, ARGV[5])`,
};

/**
 * Removes a connection; announces its member's leave when it was the last. ARGV: origin, room, connection.
 * Returns the leave message, or nil.
 */
const leaveScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local conn = ARGV[3]
local member = redis.call("HGET", KEYS[2], conn)
if not member then return false end
if removeConnection(conn, member) then return announce("leave", member, { conn }, nil) end
return false`,
};

/**
 * Renews the TTL of the given connections that are still present. ARGV: ttlMs, connection, connection, …
 * Returns the connections that were not present.
 */
const refreshScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local expiresAt = nowMs() + tonumber(ARGV[1])
local missing = {}
for i = 2, #ARGV do
  if redis.call("ZSCORE", KEYS[1], ARGV[i]) then
    redis.call("ZADD", KEYS[1], expiresAt, ARGV[i])
  else
    table.insert(missing, ARGV[i])
  end
end
return missing`,
};

/**
 * Removes expired connections (at most `limit`), announcing one leave per member left without any, with the
 * connections that went; then clears expired states (at most `limit`), one \`state: null\` each. Whichever sweeper
 * runs first removes and announces; a concurrent one finds nothing left to claim.
 * ARGV: origin, room, now in ms ("" for Redis's clock), limit.
 * Returns { 1 if more may be expired, connections still present, message, message, … }.
 */
const sweepScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local now = ARGV[3] ~= "" and tonumber(ARGV[3]) or nowMs()
local limit = tonumber(ARGV[4])
local expired = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now, "LIMIT", 0, limit)
local removed, order, left = {}, {}, {}
for _, conn in ipairs(expired) do
  local member = redis.call("HGET", KEYS[2], conn)
  if member then
    if not removed[member] then
      removed[member] = {}
      table.insert(order, member)
    end
    table.insert(removed[member], conn)
    if removeConnection(conn, member) then left[member] = true end
  else
    redis.call("ZREM", KEYS[1], conn)
  end
end
local result = { 0, 0 }
for _, member in ipairs(order) do
  if left[member] then table.insert(result, announce("leave", member, removed[member], nil)) end
end
local states = redis.call("ZRANGEBYSCORE", KEYS[6], "-inf", now, "LIMIT", 0, limit)
for _, member in ipairs(states) do
  redis.call("ZREM", KEYS[6], member)
  if redis.call("HDEL", KEYS[5], member) == 1 then table.insert(result, announce("state", member, nil, "null")) end
end
if #expired == limit or #states == limit then result[1] = 1 end
result[2] = redis.call("ZCARD", KEYS[1])
return result`,
};

/**
 * Sets a present member's state and announces it; with an expiry, schedules it for the sweep.
 * ARGV: origin, room, member, state JSON, expireAfterMs ("" for none). Returns the state message, or nil when the
 * member is not present.
 */
const publishStateScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local member = ARGV[3]
if redis.call("HEXISTS", KEYS[3], member) == 0 then return false end
redis.call("HSET", KEYS[5], member, ARGV[4])
if ARGV[5] ~= "" then
  redis.call("ZADD", KEYS[6], nowMs() + tonumber(ARGV[5]), member)
else
  redis.call("ZREM", KEYS[6], member)
end
return announce("state", member, nil, ARGV[4])`,
};

/** Clears a member's state and announces \`state: null\`. ARGV: origin, room, member. Returns the message, or nil. */
const clearStateScript = {
  numberOfKeys: NUMBER_OF_KEYS,
  lua: `${PRELUDE}
local member = ARGV[3]
redis.call("ZREM", KEYS[6], member)
if redis.call("HDEL", KEYS[5], member) == 0 then return false end
return announce("state", member, nil, "null")`,
};

/** The presence scripts, by the command name each is defined under on the Redis client. */
export const PRESENCE_SCRIPTS = {
  meshPresenceJoin: joinScript,
  meshPresenceLeave: leaveScript,
  meshPresenceRefresh: refreshScript,
  meshPresenceSweep: sweepScript,
  meshPresencePublishState: publishStateScript,
  meshPresenceClearState: clearStateScript,
} as const;
