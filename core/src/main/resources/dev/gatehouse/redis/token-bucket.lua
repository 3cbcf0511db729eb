-- One rate-limit decision, atomically, on the Redis server's clock.
-- KEYS[1]: the bucket. ARGV: cost, n, then n pairs (quota, window in microseconds), then optionally the time in
-- microseconds (tests only; otherwise the server's TIME).
-- The bucket is a hash: ts (microseconds of the last consumption) and t1..tn (tokens of each window, fractional).
-- Each window refills continuously at quota/window up to quota (a greedy token bucket). Tokens are taken from every
-- window or from none. Returns {1 if consumed else 0, microseconds to wait (0 when consumed), tokens left per window}.
if redis.replicate_commands then
  redis.replicate_commands()
end
local cost = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local now
if ARGV[3 + 2 * n] then
  now = tonumber(ARGV[3 + 2 * n])
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local fields = {'ts'}
for i = 1, n do
  fields[i + 1] = 't' .. i
end
local state = redis.call('HMGET', KEYS[1], unpack(fields))
local last = tonumber(state[1])
local elapsed = 0
if last then
  elapsed = math.max(0, now - last)
end
local tokens = {}
local wait = 0
for i = 1, n do
  local quota = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  local held = tonumber(state[i + 1])
  if last == nil or held == nil then
    held = quota
  else
    held = math.min(quota, held + elapsed * quota / window)
  end
  tokens[i] = held
  if held < cost then
    wait = math.max(wait, (cost - held) * window / quota)
  end
end
local consumed = wait == 0
local ttl = 0
local update = {'ts', now}
for i = 1, n do
  local quota = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  if consumed then
    tokens[i] = tokens[i] - cost
  end
  update[#update + 1] = 't' .. i
  update[#update + 1] = string.format('%.17g', tokens[i])
  ttl = math.max(ttl, (quota - tokens[i]) * window / quota)
end
if consumed then
  redis.call('HSET', KEYS[1], unpack(update))
  -- Gone once every window would be full again: a missing bucket is a full one.
  redis.call('PEXPIRE', KEYS[1], math.floor(ttl / 1000) + 1000)
end
local reply = {consumed and 1 or 0, math.ceil(wait)}
for i = 1, n do
  reply[#reply + 1] = math.floor(tokens[i])
end
return reply
