#!/usr/bin/env bash
# The soak (bench/README.md, "Soak"): N requests with a seeded mix of faults through one transport
# against a fault server in the same JVM; every outcome checked against what the server was told to
# do; file descriptors, threads, connections and heap compared before creation and after close.
# Usage: bench/soak.sh [key=value...], e.g. bench/soak.sh transport=okhttp requests=10000
#   keys: transport (jdk|apache|okhttp), requests (100000), inFlight (64), seed (18),
#         faultRate (0.10), connectTimeout/responseTimeout/readTimeout (ms: 2000/1000/1000),
#         stall (ms, 3 x the longer timeout), hang (ms, 60000), settle (ms, 90000)
# Environment: JAVA (default: java), SOAK_JVM_OPTS (extra JVM options, e.g. -Xmx512m),
#              SOAK_JAR (default: bench/target/benchmarks.jar, built when missing).
# Exits 1 when a target is missed (0 misclassified, 0 hangs, +0 fds, +0 threads, 0 connections left).
set -euo pipefail
cd "$(dirname "$0")"
JAVA=${JAVA:-java}
JAR=${SOAK_JAR:-target/benchmarks.jar}
if [[ ! -f $JAR ]]; then
  echo "building $JAR"
  (cd .. && mvn -B -ntp -q -pl bench -am package -DskipTests)
fi
echo "soak: $(date -u +%Y-%m-%dT%H:%M:%SZ), $("$JAVA" -version 2>&1 | head -1) ($JAVA)," \
  "commit $(git -C .. rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
exec "$JAVA" ${SOAK_JVM_OPTS:-} -cp "$JAR" dev.switchboard.bench.Soak "$@"
