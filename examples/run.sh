#!/usr/bin/env bash
# Builds the examples and runs the example gateway in demo mode; the first argument is the port (8080 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl examples -am package -DskipTests -Dspotless.check.skip=true
exec java -jar examples/target/gatehouse-examples-*-all.jar "$@"
