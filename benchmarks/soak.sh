#!/usr/bin/env bash
# A soak of the example gateway on Redis stores: mixed traffic for DURATION (600 s by default) — GETs and POSTs
# with fresh Idempotency-Keys from 8 principals (JWT), some of them refused by a per-principal rate limit — to the
# echo backend. Prints the answers other than the designed ones (200, 201 and the rate limit's 429; target 0),
# socket errors, and the gateway's heap after a full GC, open file descriptors and threads at the start and at
# the end (target: flat). Loopback only. Environment: DURATION (600), WARMUP (30), CONNECTIONS (32),
# THREADS (2), REDIS_URL (redis://127.0.0.1:6379; started here when none answers), JAVA (or $JAVA_HOME/bin/java).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
if [ -n "${JAVA_HOME:-}" ]; then JAVA=${JAVA:-$JAVA_HOME/bin/java}; else JAVA=${JAVA:-java}; fi
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd
for tool in wrk redis-cli openssl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing" >&2; exit 1; }
done

WORK=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save '' --appendonly no >/dev/null
    REDIS_URL=redis://127.0.0.1:6379
    sleep 0.5
fi

./mvnw -B -q -pl examples -am package -DskipTests -Dspotless.check.skip=true
JAR=$(ls examples/target/gatehouse-examples-*-all.jar)
"$JAVA" -Xms256m -Xmx256m -cp "$JAR" dev.gatehouse.examples.bench.LoadTargets backend >"$WORK/backend.out" 2>/dev/null &
pids+=("$!")
for _ in $(seq 1 200); do grep -q "backend=" "$WORK/backend.out" 2>/dev/null && break; sleep 0.1; done
BACKEND=$(sed -n 's/.*backend=\([0-9]*\).*/\1/p' "$WORK/backend.out")

SECRET=$(openssl rand -base64 32)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/gateway.yaml" <<YAML
listen: { host: 127.0.0.1, port: $PORT, shutdownGrace: 5s }
redis: $REDIS_URL
auth:
  jwt:
    audiences: [soak]
    issuers:
      - issuer: https://soak.test/
        keys:
          - { alg: HS256, secret: "$SECRET" }
routes:
  - path: /api
    upstreams: [http://127.0.0.1:$BACKEND]
    auth: required
    rateLimit: { key: principal, perSecond: 200 }
    idempotency: true
    compression: true
YAML
"$JAVA" -Xms512m -Xmx512m -XX:+UseParallelGC -cp "$JAR" dev.gatehouse.examples.gateway.GatewayMain \
    --config "$WORK/gateway.yaml" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
pids+=("$GATEWAY_PID")
for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break
    sleep 0.1
done

. benchmarks/jwt.sh
tokens=""
for user in 1 2 3 4 5 6 7 8; do
    token=$(hs256_jwt "$SECRET" "$(printf '{"iss":"https://soak.test/","aud":"soak","sub":"user-%d","exp":%d}' \
        "$user" $(($(date +%s) + DURATION + 3600)))")
    tokens="$tokens\"$token\","
done
cat >"$WORK/mix.lua" <<LUA
local tokens = { ${tokens%,} }
local counter = 0
statuses = {}
id = 0
request = function()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1], ["Accept-Encoding"] = "gzip" }
  if counter % 4 == 0 then
    -- Unique across threads and runs: each thread's own id, the run's start and its counter.
    headers["Idempotency-Key"] = '"' .. run .. "-" .. id .. "-" .. counter .. '"'
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/orders?size=512", headers, '{"amount":42}')
  end
  return wrk.format("GET", "/api/orders/" .. (counter % 100) .. "?size=1024", headers)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
  thread:set("run", tostring(os.time()) .. tostring(math.random(1, 1000000)))
end
done = function(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do all[status] = (all[status] or 0) + count end
  end
  for status, count in pairs(all) do io.write(string.format("status %d %d\n", status, count)) end
end
LUA

snapshot() { # label
    "$JCMD" "$GATEWAY_PID" GC.run >/dev/null
    local heap; heap=$(jstat -gc "$GATEWAY_PID" | awk 'NR==2 {printf "%.1f", ($4 + $6 + $8 + $10) / 1024}')
    echo "$1: heap after full GC ${heap} MiB, open fds $(ls "/proc/$GATEWAY_PID/fd" | wc -l)," \
        "threads $(awk '/^Threads:/ {print $2}' "/proc/$GATEWAY_PID/status")"
}
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/mix.lua" "http://127.0.0.1:$PORT" >/dev/null
snapshot start | tee "$WORK/start.txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/mix.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.out"
snapshot end | tee "$WORK/end.txt"
grep -E "requests in|Requests/sec|Socket errors" "$WORK/wrk.out" || true
grep "^status" "$WORK/wrk.out" | sort -k2n
errors=$(awk '$1 == "status" && $2 != 200 && $2 != 201 && $2 != 429 {n += $3} END {print n + 0}' "$WORK/wrk.out")
refused=$(awk '$1 == "status" && $2 == 429 {n += $3} END {print n + 0}' "$WORK/wrk.out")
socket=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$WORK/wrk.out")
echo "soak errors=$errors designed-refusals=$refused socket-errors=${socket:-none}" \
    "$(sed 's/^start: //' "$WORK/start.txt") -> $(sed 's/^end: //' "$WORK/end.txt")"
grep -E " ERROR | WARN " "$WORK/gateway.log" | grep -v "dev.gatehouse.access" | head -20 || true
