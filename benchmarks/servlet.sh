#!/usr/bin/env bash
# What OffloadFilter costs a servlet service: the echo servlet (1 KiB of JSON) on Jetty 12 (svc) and on embedded
# Tomcat 11 (tsvc), plainly and behind OffloadFilter with request id + access log + JWT (HS256, cached) + local
# rate limit, no compression (svc-chain, tsvc-chain), and the same chain with the access log's logger at WARN
# (svc-warn, tsvc-warn), so that the log's share shows; and behind FieldsOnlyFilter (svc-floor, tsvc-floor), a
# filter that only puts the chain's fields on the wire (three request fields for the servlet, three response fields)
# with fixed values: the container's and the servlet's work for those fields, a floor for any filter that adds them.
# Prints req/s and process CPU per request for each row and one `ratio` line: each filtered row against its
# container's plain row. Every row gets the same request, with the
# token the chain checks (load.sh's svc row sends none, so there the container's and the servlet's work on the
# Authorization header counts as the filter's).
#
# BASELINE=/path/to/gatehouse-examples-*-all.jar (another build, say main's) runs the same rows on it too,
# interleaved with this tree's row by row, so that both builds are measured in the same machine state; ROUNDS
# repeats the whole set (the rows of each round are summed). Bounded: about 6 x JIT_WARMUP + 8 x ROUNDS x (WARMUP +
# DURATION) seconds per build (under 3 minutes by default). Environment: DURATION (15), WARMUP (5), JIT_WARMUP (15),
# ROUNDS (1), CONNECTIONS (32), THREADS (2), JAVA_OPTS (heap and GC as load.sh), JAVA (or $JAVA_HOME/bin/java, else
# java), JAR (this build's examples jar; default: build this tree), BASELINE.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
JIT_WARMUP=${JIT_WARMUP:-15}
ROUNDS=${ROUNDS:-1}
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
builds=(this)
declare -A JARS=([this]=$JAR)
if [ -n "${BASELINE:-}" ]; then builds=(base this); JARS[base]=$BASELINE; fi
echo "targets run on: $("$JAVA" -version 2>&1 | head -1)"
for build in "${builds[@]}"; do echo "$build: ${JARS[$build]}"; done

await_line() { # file pattern
    for _ in $(seq 1 300); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for $2 in $1" >&2
    exit 1
}
declare -A PID PORT TOKEN
start() { # container build class-path main-class args...: one process with the plain, filtered and quiet services
    local container=$1 build=$2 classpath=$3; shift 3
    local out="$WORK/$container-$build.out"
    "$JAVA" $JAVA_OPTS -cp "$classpath" "$@" >"$out" 2>/dev/null &
    pids+=("$!")
    await_line "$out" "filtered="
    local prefix; [ "$container" = tomcat ] && prefix=t || prefix=
    local key=$build
    PID[$key.${prefix}svc]=$!
    PID[$key.${prefix}svc-chain]=$!
    PID[$key.${prefix}svc-warn]=$!
    PID[$key.${prefix}svc-floor]=$!
    PORT[$key.${prefix}svc]=$(sed -n 's/.*plain=\([0-9]*\).*/\1/p' "$out")
    PORT[$key.${prefix}svc-chain]=$(sed -n 's/.*filtered=\([0-9]*\).*/\1/p' "$out")
    PORT[$key.${prefix}svc-warn]=$(sed -n 's/.*quiet=\([0-9]*\).*/\1/p' "$out")
    PORT[$key.${prefix}svc-floor]=$(sed -n 's/.*floor=\([0-9]*\).*/\1/p' "$out")
    TOKEN[$key.$container]=$(sed -n 's/.*token=\([^ ]*\).*/\1/p' "$out")
}
for build in "${builds[@]}"; do
    start jetty "$build" "${JARS[$build]}" dev.gatehouse.examples.bench.LoadTargets services
    start tomcat "$build" "$TOMCAT:${JARS[$build]}" dev.gatehouse.examples.bench.TomcatServices
done

HZ=$(getconf CLK_TCK)
cpu_ticks() { local f; read -r -a f < <(sed 's/^.*) //' "/proc/$1/stat"); echo $((f[11] + f[12])); }
wrk_row() { # key duration [--latency]: wrk's output for the row's service
    local key=$1 duration=$2; shift 2
    # Every row gets the same request, token included: the container parses it and the servlet echoes it whether
    # or not the filter is there, so the difference between the rows is the filter's.
    local row=${key#*.} headers=()
    case "$row" in
        svc*) headers=(-H "Authorization: Bearer ${TOKEN[${key%%.*}.jetty]}") ;;
        tsvc*) headers=(-H "Authorization: Bearer ${TOKEN[${key%%.*}.tomcat]}") ;;
    esac
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${duration}s" "$@" "${headers[@]}" "http://127.0.0.1:${PORT[$key]}/bench?size=1024"
}

declare -A REQUESTS TICKS
run() { # key
    wrk_row "$1" "$WARMUP" >/dev/null
    local before; before=$(cpu_ticks "${PID[$1]}")
    local out; out=$(wrk_row "$1" "$DURATION")
    local after; after=$(cpu_ticks "${PID[$1]}")
    REQUESTS[$1]=$((${REQUESTS[$1]:-0} + $(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')))
    TICKS[$1]=$((${TICKS[$1]:-0} + after - before))
    # wrk counts every answer as a request: a refusal answered fast would look fast.
    local errors; errors=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')
    [ -z "$errors" ] || echo "WARNING: $1 had $errors non-2xx answers: its row does not measure the chain" >&2
}

# Let the JIT compile each container's code path, with and without the filter, before anything is measured.
for build in "${builds[@]}"; do
    for row in svc svc-chain svc-floor tsvc tsvc-chain tsvc-floor; do
        [ -z "${PORT[$build.$row]:-}" ] || wrk_row "$build.$row" "$JIT_WARMUP" >/dev/null
    done
done

rows=(svc svc-chain svc-warn svc-floor tsvc tsvc-chain tsvc-warn tsvc-floor)
for _ in $(seq 1 "$ROUNDS"); do
    for row in "${rows[@]}"; do
        for build in "${builds[@]}"; do
            # A baseline build from before the floor rows has no port for them.
            [ -z "${PORT[$build.$row]:-}" ] || run "$build.$row"
        done
    done
done

rps() { awk -v n="${REQUESTS[$1]:-0}" -v s=$((DURATION * ROUNDS)) 'BEGIN{printf "%.0f", n / s}'; }
cpu() {
    awk -v t="${TICKS[$1]:-0}" -v hz="$HZ" -v n="${REQUESTS[$1]:-0}" 'BEGIN{ if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }'
}
ratio() { awk -v a="$(rps "$1")" -v b="$(rps "$2")" 'BEGIN{ if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }
added() {
    awk -v a="$(cpu "$1")" -v b="$(cpu "$2")" 'BEGIN{ if (a == "n/a" || b == "n/a") print "n/a"; else printf "%.1f", a - b }'
}
for build in "${builds[@]}"; do
    for row in "${rows[@]}"; do
        [ -n "${REQUESTS[$build.$row]:-}" ] || continue
        printf '%-5s %-10s %8s req/s  CPU %6s us/req\n' "$build" "$row" "$(rps "$build.$row")" "$(cpu "$build.$row")"
    done
done
for build in "${builds[@]}"; do
    b=$build
    echo "ratio $b jetty chain/plain=$(ratio "$b.svc-chain" "$b.svc") warn/plain=$(ratio "$b.svc-warn" "$b.svc")" \
        "floor/plain=$(ratio "$b.svc-floor" "$b.svc")" \
        "added-cpu-us chain=$(added "$b.svc-chain" "$b.svc") warn=$(added "$b.svc-warn" "$b.svc")" \
        "floor=$(added "$b.svc-floor" "$b.svc");" \
        "tomcat chain/plain=$(ratio "$b.tsvc-chain" "$b.tsvc") warn/plain=$(ratio "$b.tsvc-warn" "$b.tsvc")" \
        "floor/plain=$(ratio "$b.tsvc-floor" "$b.tsvc")" \
        "added-cpu-us chain=$(added "$b.tsvc-chain" "$b.tsvc") warn=$(added "$b.tsvc-warn" "$b.tsvc")" \
        "floor=$(added "$b.tsvc-floor" "$b.tsvc")"
done
