#!/usr/bin/env bash
# What the Spring Boot starter costs a Spring MVC service: the example orders service (examples-spring-boot) on
# its embedded Tomcat, once with gatehouse.enabled=false (plain) and once with the starter's chain — request id,
# access log, JWT (HS256, cached) and a local rate limit; no compression — on GET /public/catalogue (about 1 KiB
# of JSON), which the bench's own configuration guards. Prints req/s
# and process CPU per request for each and one `ratio` line. Bounded: about 2 x (JIT_WARMUP + WARMUP + DURATION)
# seconds (2 minutes by default). Environment: DURATION (15), WARMUP (5), JIT_WARMUP (20), CONNECTIONS (32),
# THREADS (2), JAVA_OPTS (heap and GC as load.sh), ACCESS_LOG (INFO; WARN turns the access log off), JAVA (or $JAVA_HOME/bin/java, else java).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
JIT_WARMUP=${JIT_WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
if [ -n "${JAVA_HOME:-}" ]; then JAVA=${JAVA:-$JAVA_HOME/bin/java}; else JAVA=${JAVA:-java}; fi
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
command -v wrk >/dev/null 2>&1 || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

WORK=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

./mvnw -B -q -pl examples-spring-boot -am package dependency:build-classpath -DskipTests \
    -Dspotless.check.skip=true -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/classpath.txt"
CLASSPATH="examples-spring-boot/target/classes:$(cat "$WORK/classpath.txt")"
echo "targets run on: $("$JAVA" -version 2>&1 | head -1)"

# The bench's own configuration: one authenticated route whose rate limit never refuses.
cat >"$WORK/bench.yml" <<YAML
gatehouse:
  auth:
    jwt:
      audiences: [orders]
      issuers:
        - issuer: https://idp.example.com/
          hs256-secret: ZGV2ZWxvcG1lbnQtb25seS1zZWNyZXQtb2YtMzItYnl0ZXMh
  routes:
    - path: /public
      auth: required
      rate-limit: { key: principal, per-minute: 1000000000 }
logging:
  level:
    root: WARN
    dev.gatehouse.access: ${ACCESS_LOG:-INFO}
YAML

. benchmarks/jwt.sh
TOKEN=$(hs256_jwt 'ZGV2ZWxvcG1lbnQtb25seS1zZWNyZXQtb2YtMzItYnl0ZXMh' "$(printf \
    '{"iss":"https://idp.example.com/","aud":"orders","sub":"bench","scope":"orders:read","exp":%d}' \
    $(($(date +%s) + 7200)))")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # name enabled; sets <name>_pid and <name>_port
    local port; port=$(free_port)
    "$JAVA" $JAVA_OPTS -cp "$CLASSPATH" dev.gatehouse.examples.spring.OrdersApplication \
        --server.port="$port" --server.address=127.0.0.1 --gatehouse.enabled="$2" \
        --spring.config.location="file:$WORK/bench.yml" >"$WORK/$1.log" 2>&1 &
    pids+=("$!")
    eval "${1}_pid=$!; ${1}_port=$port"
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "http://127.0.0.1:$port/public/catalogue" && return 0
        sleep 0.1
    done
    echo "$1 did not start; its log:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
}
start plain false
start chain true
HZ=$(getconf CLK_TCK)
cpu_ticks() { local f; read -r -a f < <(sed 's/^.*) //' "/proc/$1/stat"); echo $((f[11] + f[12])); }

declare -A RPS CPU
run() { # name port pid
    local url="http://127.0.0.1:$2/public/catalogue"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
    local before; before=$(cpu_ticks "$3")
    local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$url")
    local after; after=$(cpu_ticks "$3")
    local requests; requests=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    local errors; errors=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    RPS[$1]=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
    CPU[$1]=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
    printf '%-6s %10s req/s  p99 %8s  CPU %6s us/req  non-2xx %s\n' "$1" "${RPS[$1]}" \
        "$(echo "$out" | awk '$1=="99%"{print $2}')" "${CPU[$1]}" "${errors:-0}"
    [ -z "$errors" ] || echo "WARNING: $1 answered $errors non-2xx: its row does not measure the service" >&2
}
run plain "$plain_port" "$plain_pid"
run chain "$chain_port" "$chain_pid"
echo "ratio spring-chain/plain=$(awk -v a="${RPS[chain]}" -v b="${RPS[plain]}" 'BEGIN{printf "%.2f", a / b}')" \
    "added-cpu-us=$(awk -v a="${CPU[chain]}" -v b="${CPU[plain]}" 'BEGIN{printf "%.1f", a - b}')"
