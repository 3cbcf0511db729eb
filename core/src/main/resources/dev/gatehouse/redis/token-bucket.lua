-- Rate-limit decisions for one bucket, atomically, on the Redis server's clock.
-- KEYS[1]: the bucket. ARGV: costs (comma-separated: one per decision, taken in order), n, then n pairs (quota,
-- window in microseconds), then optionally the time in microseconds (tests only; otherwise the server's TIME).
-- The bucket is a hash: ts (microseconds of the last consumption) and t1..tn (tokens of each window, fractional).
-- Each window refills continuously at quota/window up to quota (a greedy token bucket). Each decision takes its
-- cost from every window or from none. Returns, per decision: 1 if consumed else 0, microseconds to wait (0 when
-- consumed), tokens left per window.
if redis.replicate_commands then
  redis.replicate_commands()
end
local costs = {}
for cost in string.gmatch(ARGV[1], '[^,]+') do
  costs[#costs + 1] = tonumber(cost)
end
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
local quotas = {}
local windows = {}
local tokens = {}
for i = 1, n do
  quotas[i] = tonumber(ARGV[1 + 2 * i])
  windows[i] = tonumber(ARGV[2 + 2 * i])
  local held = tonumber(state[i + 1])
  if last == nil or held == nil then
    tokens[i] = quotas[i]
  else
    tokens[i] = math.min(quotas[i], held + elapsed * quotas[i] / windows[i])
  end
end
local reply = {}
local any = false
for _, cost in ipairs(costs) do
  local wait = 0
  for i = 1, n do
    if tokens[i] < cost then
      wait = math.max(wait, (cost - tokens[i]) * windows[i] / quotas[i])
    end
  end
  local consumed = wait == 0
  if consumed then
    any = true
    for i = 1, n do
      tokens[i] = tokens[i] - cost
    end
  end
  reply[#reply + 1] = consumed and 1 or 0
  reply[#reply + 1] = math.ceil(wait)
  for i = 1, n do
    reply[#reply + 1] = math.floor(tokens[i])
  end
end
if any then
  local update = {'ts', now}
  local ttl = 0
  for i = 1, n do
    update[#update + 1] = 't' .. i
    update[#update + 1] = string.format('%.17g', tokens[i])
    ttl = math.max(ttl, (quotas[i] - tokens[i]) * windows[i] / quotas[i])
  end
  redis.call('HSET', KEYS[1], unpack(update))
  -- Gone once every window would be full again: a missing bucket is a full one.
  redis.call('PEXPIRE', KEYS[1], math.floor(ttl / 1000) + 1000)
end
return reply
