#!/usr/bin/env bash
# What OffloadFilter costs a servlet service: the echo servlet (1 KiB of JSON) on Jetty 12 (svc) and on embedded
# Tomcat 11 (tsvc), plainly and behind OffloadFilter with request id + access log + JWT (HS256, cached) + local
# rate limit, no compression (svc-chain, tsvc-chain), and the same chain with the access log's logger at WARN
# (svc-warn, tsvc-warn), so that the log's share shows. Prints req/s, p50/p99 and process CPU per request for each
# row, and one `ratio` line: each chain row against its container's plain row. Bounded: about 4 x JIT_WARMUP + 6 x
# (WARMUP + DURATION) seconds (under 3 minutes by default). Environment: DURATION (15), WARMUP (5), JIT_WARMUP (15),
# CONNECTIONS (32), THREADS (2), JAVA_OPTS (heap and GC as load.sh), JAVA (or $JAVA_HOME/bin/java, else java), JAR
# (a gatehouse-examples-*-all.jar built elsewhere, to compare two builds in one session; default: build this tree).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
JIT_WARMUP=${JIT_WARMUP:-15}
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

# Tomcat is not inside the examples jar (its Servlet 6.1 classes would shadow Jetty's 6.0 ones): it goes ahead of
# the jar on the Tomcat process's class path.
./mvnw -B -q -pl examples -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
    -Dmdep.includeArtifactIds=tomcat-embed-core,tomcat-annotations-api -Dmdep.outputFile="$WORK/tomcat.txt"
JAR=${JAR:-$(ls examples/target/gatehouse-examples-*-all.jar)}
TOMCAT=$(cat "$WORK/tomcat.txt")
echo "targets run on: $("$JAVA" -version 2>&1 | head -1); jar: $JAR"

await_line() { # file pattern
    for _ in $(seq 1 300); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for $2 in $1" >&2
    exit 1
}
start() { # name class-path main-class args...; sets <name>_pid, <name>_plain, <name>_filtered, <name>_quiet, <name>_token
    local name=$1 classpath=$2; shift 2
    "$JAVA" $JAVA_OPTS -cp "$classpath" "$@" >"$WORK/$name.out" 2>/dev/null &
    pids+=("$!")
    eval "${name}_pid=$!"
    await_line "$WORK/$name.out" "filtered="
    local field
    for field in plain filtered quiet token; do
        eval "${name}_${field}=$(sed -n "s/.*$field=\([^ ]*\).*/\1/p" "$WORK/$name.out")"
    done
}
start jetty "$JAR" dev.gatehouse.examples.bench.LoadTargets services
start tomcat "$TOMCAT:$JAR" dev.gatehouse.examples.bench.TomcatServices

HZ=$(getconf CLK_TCK)
cpu_ticks() { local f; read -r -a f < <(sed 's/^.*) //' "/proc/$1/stat"); echo $((f[11] + f[12])); }

declare -A RPS CPU
run() { # name port pid token
    local url="http://127.0.0.1:$2/bench?size=1024" headers=()
    [ -n "$4" ] && headers+=(-H "Authorization: Bearer $4")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${headers[@]}" "$url" >/dev/null
    local before; before=$(cpu_ticks "$3")
    local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${headers[@]}" "$url")
    local after; after=$(cpu_ticks "$3")
    local requests; requests=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    RPS[$1]=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
    CPU[$1]=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
    local errors; errors=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    printf '%-10s %10s req/s  p50 %8s  p99 %8s  CPU %6s us/req  non-2xx %s\n' "$1" "${RPS[$1]}" \
        "$(echo "$out" | awk '$1=="50%"{print $2}')" "$(echo "$out" | awk '$1=="99%"{print $2}')" "${CPU[$1]}" \
        "${errors:-0}"
    # wrk counts every answer as a request: a refusal answered fast would look fast.
    [ -z "$errors" ] || echo "WARNING: $1 had $errors non-2xx answers: its row does not measure the chain" >&2
}

# Let the JIT compile each container's code path, with and without the filter, before anything is measured.
for target in jetty tomcat; do
    eval "plain=\$${target}_plain filtered=\$${target}_filtered token=\$${target}_token"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" "http://127.0.0.1:$plain/bench?size=1024" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${JIT_WARMUP}s" -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$filtered/bench?size=1024" >/dev/null
done

run svc "$jetty_plain" "$jetty_pid" ""
run svc-chain "$jetty_filtered" "$jetty_pid" "$jetty_token"
run svc-warn "$jetty_quiet" "$jetty_pid" "$jetty_token"
run tsvc "$tomcat_plain" "$tomcat_pid" ""
run tsvc-chain "$tomcat_filtered" "$tomcat_pid" "$tomcat_token"
run tsvc-warn "$tomcat_quiet" "$tomcat_pid" "$tomcat_token"

ratio() { awk -v a="${RPS[$1]}" -v b="${RPS[$2]}" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
added() { awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" 'BEGIN{printf "%.1f", a - b}'; }
echo "ratio jetty chain/plain=$(ratio svc-chain svc) warn/plain=$(ratio svc-warn svc)" \
    "added-cpu-us chain=$(added svc-chain svc) warn=$(added svc-warn svc);" \
    "tomcat chain/plain=$(ratio tsvc-chain tsvc) warn/plain=$(ratio tsvc-warn tsvc)" \
    "added-cpu-us chain=$(added tsvc-chain tsvc) warn=$(added tsvc-warn tsvc)"
