#!/usr/bin/env bash
# Builds the benchmarks and runs them; results go to benchmarks/target/jmh-result.json.
# Arguments go to JMH: ./benchmarks/run.sh ChainBenchmark -f 1 -wi 3 -i 5
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true
java -jar benchmarks/target/benchmarks.jar -rf json -rff benchmarks/target/jmh-result.json "$@"
