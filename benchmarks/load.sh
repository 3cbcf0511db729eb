#!/usr/bin/env bash
# Load comparison on loopback: direct to the backend, nginx (limit_req + gzip 1), a bare Jetty ProxyHandler,
# and the gateway (JWT cached + rate limit + request id + access log + gzip 1; and gw-nolog, the same without the
# access log), for 1 KiB and 20 KiB JSON; and for library users, the echo servlet on Jetty plainly (svc) and behind
# OffloadFilter with request id + access log + JWT + local rate limit (svc-chain), at 1 KiB, the same request to
# both; and a cacheable 1 KiB response through the gateway's chain with its HTTP cache (cached) against nginx's
# proxy_cache (nginx-cache). The gateway's CPU target is 1.25 x bare Jetty's plus what raw gzip costs for the body
# (GzipCost: a JDK Deflater at level 1 on the backend's 1 KiB answer); the ratio line says whether it holds.
# Bounded: about JIT_WARMUP x 7 + (WARMUP + DURATION) x 14 seconds (7 minutes by default). Installs wrk and
# nginx with apt-get when missing. Environment: DURATION (15), WARMUP (5), JIT_WARMUP (20), CONNECTIONS (32),
# THREADS (2), JAVA (the java that runs the targets: $JAVA_HOME/bin/java when JAVA_HOME is set, else java).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
JIT_WARMUP=${JIT_WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -q && apt-get install -y -q "${missing[@]}"; else sudo apt-get update -q && sudo apt-get install -y -q "${missing[@]}"; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

./mvnw -B -q -pl examples -am package -DskipTests -Dspotless.check.skip=true
JAR=$(ls examples/target/gatehouse-examples-*-all.jar)
WORK=$(mktemp -d)
if [ -n "${JAVA_HOME:-}" ]; then JAVA=${JAVA:-$JAVA_HOME/bin/java}; else JAVA=${JAVA:-java}; fi
echo "targets run on: $("$JAVA" -version 2>&1 | head -1)"
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
pids=()
cleanup() {
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

await_line() { # file pattern
    for _ in $(seq 1 200); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for $2 in $1" >&2
    exit 1
}

"$JAVA" $JAVA_OPTS -cp "$JAR" dev.gatehouse.examples.bench.LoadTargets backend >"$WORK/backend.out" 2>/dev/null &
backend_pid=$!; pids+=("$backend_pid")
await_line "$WORK/backend.out" "backend="
BACKEND=$(sed -n 's/.*backend=\([0-9]*\).*/\1/p' "$WORK/backend.out")

"$JAVA" $JAVA_OPTS -cp "$JAR" dev.gatehouse.examples.bench.LoadTargets proxies "$BACKEND" >"$WORK/proxies.out" 2>/dev/null &
proxies_pid=$!; pids+=("$proxies_pid")
await_line "$WORK/proxies.out" "gateway="
BARE=$(sed -n 's/.*bare=\([0-9]*\).*/\1/p' "$WORK/proxies.out")
GATEWAY=$(sed -n 's/.*gateway=\([0-9]*\).*/\1/p' "$WORK/proxies.out")
NOLOG=$(sed -n 's/.*nolog=\([0-9]*\).*/\1/p' "$WORK/proxies.out")
CACHED=$(sed -n 's/.*cached=\([0-9]*\).*/\1/p' "$WORK/proxies.out")
TOKEN=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' "$WORK/proxies.out")

"$JAVA" $JAVA_OPTS -cp "$JAR" dev.gatehouse.examples.bench.LoadTargets services >"$WORK/services.out" 2>/dev/null &
services_pid=$!; pids+=("$services_pid")
await_line "$WORK/services.out" "filtered="
SVC=$(sed -n 's/.*plain=\([0-9]*\).*/\1/p' "$WORK/services.out")
SVC_CHAIN=$(sed -n 's/.*filtered=\([0-9]*\).*/\1/p' "$WORK/services.out")
SVC_TOKEN=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' "$WORK/services.out")

NGINX_PORT=$((BACKEND + 1))
while (echo >/dev/tcp/127.0.0.1/$NGINX_PORT) 2>/dev/null; do NGINX_PORT=$((NGINX_PORT + 1)); done
NGINX_CACHE_PORT=$((NGINX_PORT + 1))
while (echo >/dev/tcp/127.0.0.1/$NGINX_CACHE_PORT) 2>/dev/null; do NGINX_CACHE_PORT=$((NGINX_CACHE_PORT + 1)); done
sed -e "s#@PREFIX@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" -e "s#@CACHE_PORT@#$NGINX_CACHE_PORT#g" \
    -e "s#@BACKEND@#$BACKEND#g" benchmarks/nginx.conf >"$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf"
await_line "$WORK/nginx.pid" "[0-9]"

cpu_ticks() { # pids... → utime+stime in clock ticks
    local total=0
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        local fields; read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}
nginx_pids() { pgrep -f "nginx: (master|worker)" | tr '\n' ' '; }
HZ=$(getconf CLK_TCK)

declare -A RPS P50 P99 CPU
run() { # name port size cpu-pids...
    local name=$1 port=$2 size=$3; shift 3
    local url="http://127.0.0.1:$port/bench?size=$size"
    # The cached rows: the backend says the response may be shared for an hour.
    case "$name" in cached|nginx-cache) url="$url&header=Cache-Control:public,max-age=3600" ;; esac
    local headers=(-H "Accept-Encoding: gzip")
    case "$name" in gateway|gw-nolog|cached) headers+=(-H "Authorization: Bearer $TOKEN") ;; esac
    # Both service rows send the same request, token included: the echo servlet's work is the same, and the
    # difference between them is the filter's.
    case "$name" in svc|svc-chain) headers+=(-H "Authorization: Bearer $SVC_TOKEN") ;; esac
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${headers[@]}" "$url" >/dev/null
    local before; before=$(cpu_ticks "$@")
    local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${headers[@]}" "$url")
    local after; after=$(cpu_ticks "$@")
    local requests; requests=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    RPS[$name.$size]=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
    P50[$name.$size]=$(echo "$out" | awk '$1=="50%"{print $2}')
    P99[$name.$size]=$(echo "$out" | awk '$1=="99%"{print $2}')
    # wrk counts every answer as a request: a path that answers errors fast would look fast.
    local errors; errors=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    local broken; broken=$(echo "$out" | sed -n 's/^ *Socket errors:.*/&/p')
    if [ "$#" -gt 0 ] && [ "${requests:-0}" -gt 0 ]; then
        CPU[$name.$size]=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
    else
        CPU[$name.$size]="-"
    fi
    printf '%-8s %6s B  %10s req/s  p50 %8s  p99 %8s  proxy CPU %6s us/req  non-2xx %s\n' \
        "$name" "$size" "${RPS[$name.$size]}" "${P50[$name.$size]}" "${P99[$name.$size]}" "${CPU[$name.$size]}" \
        "${errors:-0}"
    if [ -n "$errors" ] || [ -n "$broken" ]; then
        echo "WARNING: $name at $size B had ${errors:-0} non-2xx answers ${broken}: its row does not measure proxying" >&2
    fi
}

# On two shared cores the JIT compiles the gateway's code path (servlet layer, proxy, policies) for a good
# 20 s; measuring before that measures the compiler (it took over a third of the gateway's CPU at 20 s).
# Warm both Java proxies (and the backend behind them) once at both sizes before the measured runs.
for size in 1024 20480; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Accept-Encoding: gzip" \
        "http://127.0.0.1:$BARE/bench?size=$size" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Accept-Encoding: gzip" \
        -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY/bench?size=$size" >/dev/null
done
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Authorization: Bearer $SVC_TOKEN" \
    "http://127.0.0.1:$SVC/bench?size=1024" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Authorization: Bearer $SVC_TOKEN" \
    "http://127.0.0.1:$SVC_CHAIN/bench?size=1024" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Accept-Encoding: gzip" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$CACHED/bench?size=1024&header=Cache-Control:public,max-age=3600" >/dev/null

for size in 1024 20480; do
    run direct "$BACKEND" "$size"
    run nginx "$NGINX_PORT" "$size" $(nginx_pids)
    run bare "$BARE" "$size" "$proxies_pid"
    run gateway "$GATEWAY" "$size" "$proxies_pid"
    [ -n "$NOLOG" ] && run gw-nolog "$NOLOG" "$size" "$proxies_pid"
done
# A cacheable 1 KiB response: the gateway's full chain with the HTTP cache inside compression, against nginx's
# proxy_cache (with its limit_req and gzip); both answer from their cache after the first request.
run nginx-cache "$NGINX_CACHE_PORT" 1024 $(nginx_pids)
run cached "$CACHED" 1024 "$proxies_pid"
run svc "$SVC" 1024 "$services_pid"
run svc-chain "$SVC_CHAIN" 1024 "$services_pid"

# The access log's own cost: a steady stream of events (8,000/s from each of 2 threads) through the gateway's
# logging configuration, minus the same stream with the log off, in process CPU per event.
alc() { "$JAVA" $JAVA_OPTS -cp "$JAR" dev.gatehouse.examples.bench.AccessLogCost 200000 2 8000 "$1" 2>&1 >/dev/null |
    sed -n 's/.*cpu-us-per-event=\([0-9.]*\).*/\1/p'; }
ALC_ON=$(alc on); ALC_OFF=$(alc off)
ACCESS_LOG=$(awk -v a="$ALC_ON" -v b="$ALC_OFF" 'BEGIN{printf "%.1f", a - b}')
echo "access log: ${ALC_ON} us/event with it, ${ALC_OFF} without: ${ACCESS_LOG} us per event"

# Raw gzip's cost for the 1 KiB body (a reused JDK Deflater at level 1 plus CRC-32, this thread's CPU time): the
# gateway compresses and bare Jetty does not, so the gateway's CPU target is 1.25 x bare's plus this.
GZIP_US=$("$JAVA" $JAVA_OPTS -cp "$JAR" dev.gatehouse.examples.bench.GzipCost "http://127.0.0.1:$BACKEND/bench?size=1024" 5 |
    sed -n 's/.*gzip-us-per-body=\([0-9.]*\).*/\1/p')
CPU_TARGET=$(awk -v b="${CPU[bare.1024]}" -v g="$GZIP_US" 'BEGIN{printf "%.1f", 1.25 * b + g}')
echo "raw gzip: ${GZIP_US} us per 1 KiB body; gateway CPU target 1.25 x ${CPU[bare.1024]} + ${GZIP_US} = ${CPU_TARGET} us"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "ratio gateway/nginx 1KiB=$(ratio "${RPS[gateway.1024]}" "${RPS[nginx.1024]}") 20KiB=$(ratio "${RPS[gateway.20480]}" "${RPS[nginx.20480]}") gateway/bare-jetty 1KiB=$(ratio "${RPS[gateway.1024]}" "${RPS[bare.1024]}") cpu-us-per-req 1KiB=${CPU[gateway.1024]} cpu-target-us=${CPU_TARGET} cpu-within-target=$(awk -v c="${CPU[gateway.1024]}" -v t="$CPU_TARGET" 'BEGIN{print (c <= t) ? "yes" : "no"}') access-log-us-per-event=${ACCESS_LOG} service-chain/plain 1KiB=$(ratio "${RPS[svc-chain.1024]}" "${RPS[svc.1024]}") service-chain-added-cpu-us=$(awk -v a="${CPU[svc-chain.1024]}" -v b="${CPU[svc.1024]}" 'BEGIN{printf "%.1f", a - b}') cached/nginx-cache 1KiB=$(ratio "${RPS[cached.1024]}" "${RPS[nginx-cache.1024]}")"
