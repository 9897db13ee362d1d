#!lua name=realchat_profile
--[[
Redis Functions library of the read cache (README, "Read cache"). Loaded by profile-cache-sync
with FUNCTION LOAD REPLACE at start and after every reconnect.

One user's state, all keys under the hash tag {<user_id>} (one slot):
  rp:{U}:p  hash: version, username, display_name, bio, avatar_url, status, last_seen,
            status_text, status_emoji, status_expires_at, presence_audience, discoverable,
            created_at (from the fill: no event carries it, and it never changes while the
            profile exists), frozen_last_seen (rule 3); a null field is absent
  rp:{U}:c  set: U's contacts (user ids), plus the member "~" so an empty list still exists
  rp:{U}:b  set: users U blocks, plus "~"
  rp:{U}:f  floor: the newest version known for U while U is not cached (an event seen for an
            uncached user, a deletion, a gap); expires after floor_ttl seconds
The state is complete only while p, c and b all exist and p has created_at (only a fill writes
p from nothing): under allkeys-lru any key may be evicted, and an incomplete user reads as a miss.

Versions only move forward: an event applies only on top of the version it follows; a
duplicate is skipped; ProfileCreated only raises the floor (its payload lacks the 1.1 fields); a gap drops the user (a miss, filled again from PostgreSQL); a fill
applies only if it is newer than the cached version and not older than the floor.
]]

local LIBRARY_VERSION = '4'
local FIELDS = {'username', 'display_name', 'bio', 'avatar_url', 'status', 'last_seen', 'status_text',
                'status_emoji', 'status_expires_at', 'presence_audience', 'discoverable', 'created_at'}
local CHUNK = 500  -- SADD arguments per call (Lua's unpack has a stack limit)

local function is_null(v) return v == nil or v == cjson.null end

local function set_field(key, name, value)
  if is_null(value) then
    redis.call('HDEL', key, name)
  elseif type(value) == 'boolean' then
    redis.call('HSET', key, name, value and '1' or '0')
  else
    redis.call('HSET', key, name, tostring(value))
  end
end

local function complete(keys)
  return redis.call('EXISTS', keys[1], keys[2], keys[3]) == 3 and redis.call('HEXISTS', keys[1], 'created_at') == 1
end

local function cached_version(keys)
  if not complete(keys) then return nil end
  return tonumber(redis.call('HGET', keys[1], 'version'))
end

local function floor_of(keys)
  local f = redis.call('GET', keys[4])
  return f and tonumber(f) or 0
end

local function raise_floor(keys, version, ttl)
  if version > floor_of(keys) then redis.call('SET', keys[4], tostring(version), 'EX', ttl) end
end

local function drop(keys)
  redis.call('DEL', keys[1], keys[2], keys[3])
end

local function add_members(key, ids)
  redis.call('SADD', key, '~')
  for i = 1, #ids, CHUNK do
    local last = math.min(i + CHUNK - 1, #ids)
    redis.call('SADD', key, unpack(ids, i, last))
  end
end

-- Rule 3's frozen last_seen follows the status: recorded when the user becomes invisible (the
-- new last_seen), kept while invisible, gone otherwise (as profile.presence_state).
local function set_status(key, status, last_seen)
  local old = redis.call('HGET', key, 'status')
  if status == 'invisible' then
    if old ~= 'invisible' then set_field(key, 'frozen_last_seen', last_seen) end
  else
    redis.call('HDEL', key, 'frozen_last_seen')
  end
  set_field(key, 'status', status)
  set_field(key, 'last_seen', last_seen)
end

local function set_profile_fields(key, d)
  for _, name in ipairs({'username', 'display_name', 'bio', 'avatar_url'}) do set_field(key, name, d[name]) end
  set_status(key, d.status, d.last_seen)
end

-- The change an event of the next version makes; types that change nothing a read shows
-- (mutes, ContactUpdated, unknown ones) only advance the version.
local function change(keys, e)
  local t, d, p = e.event_type, e.data or {}, keys[1]
  if t == 'ProfileUpdated' then
    set_profile_fields(p, d)
  elseif t == 'PresenceChanged' then
    set_status(p, d.status, d.last_seen)
  elseif t == 'CustomStatusChanged' then
    set_field(p, 'status_text', d.status_text)
    set_field(p, 'status_emoji', d.status_emoji)
    set_field(p, 'status_expires_at', d.expires_at)
  elseif t == 'PrivacyChanged' then
    set_field(p, 'presence_audience', d.presence_audience)
    set_field(p, 'discoverable', d.discoverable)
  elseif t == 'ContactAdded' then
    redis.call('SADD', keys[2], d.contact_user_id)
  elseif t == 'ContactRemoved' then
    redis.call('SREM', keys[2], d.contact_user_id)
  elseif t == 'UserBlocked' then
    redis.call('SADD', keys[3], d.blocked_user_id)
  elseif t == 'UserUnblocked' then
    redis.call('SREM', keys[3], d.blocked_user_id)
  end
  redis.call('HSET', p, 'version', tostring(e.version))
end

-- profile_apply KEYS p c b f, ARGV event-json floor-ttl-seconds
-- -> applied | duplicate | gap | absent | deleted | bad
local function profile_apply(keys, args)
  local ok, e = pcall(cjson.decode, args[1])
  local ttl = tonumber(args[2]) or 600
  if not ok or type(e) ~= 'table' or type(e.version) ~= 'number' or type(e.event_type) ~= 'string' then
    return 'bad'
  end
  local v = e.version
  if e.event_type == 'ProfileDeleted' then
    local cur = cached_version(keys)
    if cur ~= nil and v <= cur then return 'duplicate' end
    drop(keys)
    raise_floor(keys, v, ttl)
    return 'deleted'
  end
  local cur = cached_version(keys)
  if cur == nil then
    drop(keys)  -- whatever an eviction left
    raise_floor(keys, v, ttl)
    return 'absent'
  end
  if v <= cur then return 'duplicate' end
  -- ProfileCreated carries only the six 1.0 fields, not a profile inserted by hand with its own
  -- status_text or privacy: it is no whole state, so it leaves the user to the first read's fill.
  if v ~= cur + 1 or e.event_type == 'ProfileCreated' then
    drop(keys)
    raise_floor(keys, v, ttl)
    return e.event_type == 'ProfileCreated' and 'absent' or 'gap'
  end
  change(keys, e)
  return 'applied'
end

-- profile_fill KEYS p c b f, ARGV version state-json
-- state-json: {"profile": {field: value|null, ...}, "contacts": [ids], "blocks": [ids],
--              "frozen_last_seen": ts|null}, all read in one snapshot at `version`.
-- -> filled | stale (the cache or the floor is at least as new)
local function profile_fill(keys, args)
  local v = tonumber(args[1])
  local s = cjson.decode(args[2])
  if v == nil or v < floor_of(keys) then return 'stale' end
  local cur = cached_version(keys)
  if cur ~= nil and v <= cur then return 'stale' end
  drop(keys)
  redis.call('HSET', keys[1], 'version', tostring(v))
  for _, name in ipairs(FIELDS) do set_field(keys[1], name, s.profile[name]) end
  set_field(keys[1], 'frozen_last_seen', s.frozen_last_seen)
  add_members(keys[2], s.contacts or {})
  add_members(keys[3], s.blocks or {})
  return 'filled'
end

-- The visibility rules, as extension/core/visibility.cpp decides them (the same case table
-- is checked against both). facts: trusted, owner_blocks_viewer, viewer_blocks_owner,
-- viewer_in_owner_contacts, owner_audience, viewer_audience, owner_invisible,
-- owner_discoverable. last_seen: 'stored', 'frozen' or 'null'.
local function decide(f)
  local v = {status_offline = false, last_seen = 'stored', hide_custom_status = false,
             found_by_username = true, found_by_search = true}
  if f.trusted then return v end
  local blocked = f.owner_blocks_viewer
  local outside_audience = f.owner_audience == 'nobody' or
    (f.owner_audience == 'contacts' and not f.viewer_in_owner_contacts)
  local reciprocity = f.viewer_audience == 'nobody'
  local hidden_from_lookup = not f.owner_discoverable and not f.viewer_in_owner_contacts
  v.status_offline = blocked or outside_audience or f.owner_invisible
  if blocked or outside_audience or reciprocity then
    v.last_seen = 'null'
  elseif f.owner_invisible then
    v.last_seen = 'frozen'
  end
  v.hide_custom_status = blocked
  v.found_by_username = not hidden_from_lookup
  v.found_by_search = not hidden_from_lookup and not blocked and not f.viewer_blocks_owner
  return v
end

-- profile_decide (no keys), ARGV the facts in decide's order, booleans as 0/1
-- -> {status_offline, last_seen, hide_custom_status, found_by_username, found_by_search}
local function profile_decide(_, args)
  local function b(i) return args[i] == '1' end
  local v = decide({trusted = b(1), owner_blocks_viewer = b(2), viewer_blocks_owner = b(3),
                    viewer_in_owner_contacts = b(4), owner_audience = args[5], viewer_audience = args[6],
                    owner_invisible = b(7), owner_discoverable = b(8)})
  local function n(x) return x and 1 or 0 end
  return {n(v.status_offline), v.last_seen, n(v.hide_custom_status), n(v.found_by_username), n(v.found_by_search)}
end

-- profile_get KEYS p c b, ARGV user_id viewer_id|'' viewer_audience
-- viewer_audience: the viewer's own presence_audience (rule 4), which lives in the viewer's
-- slot; the caller reads it first (profile_viewer, or PostgreSQL) and passes it, or passes '*'
-- when it reads it in the same round trip (profile_viewer pipelined before this call).
-- -> nil on a miss, else get_profile's fields in this order (nil for null):
--    user_id username display_name bio avatar_url status last_seen version status_text
--    status_emoji status_expires_at presence_audience discoverable created_at
--    With '*': those fields for a viewer whose audience is not 'nobody', then a 15th, last_seen
--    for a viewer whose audience is 'nobody' (rule 4 changes nothing else).
-- The hash's fields profile_get reads, in HMGET's order (one call, no table built from HGETALL).
local GET_FIELDS = {'created_at', 'username', 'display_name', 'bio', 'avatar_url', 'status', 'last_seen',
                    'version', 'status_text', 'status_emoji', 'status_expires_at', 'presence_audience',
                    'discoverable', 'frozen_last_seen'}

local function last_seen_as(v, stored, frozen)
  if v.last_seen == 'null' then return false end
  if v.last_seen == 'frozen' then return frozen or false end
  return stored or false
end

local function profile_get(keys, args)
  local h = redis.call('HMGET', keys[1], unpack(GET_FIELDS))
  local created_at, status, last_seen, audience, frozen = h[1], h[6], h[7], h[12], h[14]
  -- complete(), from the fields already read: one call fewer on the hot path
  if not created_at or redis.call('EXISTS', keys[2], keys[3]) ~= 2 then return nil end
  local user, viewer, viewer_audience = args[1], args[2] or '', args[3] or 'everyone'
  local trusted = viewer == '' or viewer == user
  local owner_audience = audience or 'everyone'
  local facts = {
    trusted = trusted,
    owner_blocks_viewer = not trusted and redis.call('SISMEMBER', keys[3], viewer) == 1,
    viewer_blocks_owner = false,
    owner_audience = owner_audience,
    owner_invisible = status == 'invisible',
    owner_discoverable = h[13] ~= '0'}
  -- The contact fact changes a read only through the owner's audience (discoverability
  -- matters to lookups by name and search, not here): asked only then, as the extension does.
  facts.viewer_in_owner_contacts = not trusted and owner_audience == 'contacts' and
    redis.call('SISMEMBER', keys[2], viewer) == 1
  facts.viewer_audience = viewer_audience == '*' and 'everyone' or viewer_audience
  local v = decide(facts)
  local text, emoji, expires = h[9], h[10], h[11]
  if v.hide_custom_status then text, emoji, expires = false, false, false end
  local out = {user, h[2], h[3], h[4], h[5], v.status_offline and 'offline' or status,
               last_seen_as(v, last_seen, frozen), h[8], text, emoji, expires, audience, h[13], created_at}
  if viewer_audience == '*' then
    -- Rule 4 changes only last_seen: the second answer is that field alone.
    facts.viewer_audience = 'nobody'
    out[15] = last_seen_as(decide(facts), last_seen, frozen)
  end
  return out
end

-- profile_viewer KEYS p c b -> the user's presence_audience (rule 4's fact), nil on a miss
local function profile_viewer(keys)
  local v = redis.call('HMGET', keys[1], 'created_at', 'presence_audience')
  -- complete() and the field in two calls instead of three
  if not v[1] or redis.call('EXISTS', keys[2], keys[3]) ~= 2 then return nil end
  return v[2] or 'everyone'
end

-- profile_version KEYS p c b f -> {cached version or nil, floor}
local function profile_version(keys)
  local cur = cached_version(keys)
  return {cur and tostring(cur) or false, tostring(floor_of(keys))}
end

redis.register_function('profile_apply', profile_apply)
redis.register_function('profile_fill', profile_fill)
redis.register_function{function_name = 'profile_get', callback = profile_get, flags = {'no-writes'}}
redis.register_function{function_name = 'profile_viewer', callback = profile_viewer, flags = {'no-writes'}}
redis.register_function{function_name = 'profile_version', callback = profile_version, flags = {'no-writes'}}
redis.register_function{function_name = 'profile_decide', callback = profile_decide, flags = {'no-writes'}}
redis.register_function{function_name = 'profile_library_version', flags = {'no-writes'},
                        callback = function() return LIBRARY_VERSION end}
