#!/usr/bin/env bash
# Builds the examples and runs the example gateway in demo mode; the first argument is the port (8080 by default).
# With --config FILE it runs from a YAML file instead. GATEHOUSE_LOG_FORMAT=json logs one JSON object per line.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl examples -am package -DskipTests -Dspotless.check.skip=true
logging=()
if [[ "${GATEHOUSE_LOG_FORMAT:-text}" == json ]]; then
    logging=(-Dlogback.configurationFile=logback-json.xml)
fi
exec java "${logging[@]}" -jar examples/target/gatehouse-examples-*-all.jar "$@"
