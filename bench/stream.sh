#!/usr/bin/env bash
# The streaming runner (bench/README.md, "Streaming"): a large body up and down through one
# transport, through Switchboard and through the same library used raw, against a loopback server
# in a child JVM; every run in a JVM of its own with -Xmx64m; throughput and heap growth per case.
# Usage: bench/stream.sh [key=value...], e.g. bench/stream.sh transport=jdk
#   keys: transport (jdk|apache|okhttp), size (1g), rounds (3), warmup (64m),
#         cases (up-raw,up-inputstream,up-publisher,down-raw,down-body,down-publisher; and,
#         apache only, up-raw-stream and down-raw-stream: HC5 raw, streamed off its I/O thread),
#         heap (64m: the -Xmx of each run's JVM), jvmOptions (more options for those JVMs)
# Environment: JAVA (default: java), STREAM_JAR (default: bench/target/benchmarks.jar, built when
#              missing).
# Exits 1 when a run failed (a wrong checksum, a failed exchange, an OutOfMemoryError).
set -euo pipefail
cd "$(dirname "$0")"
JAVA=${JAVA:-java}
JAR=${STREAM_JAR:-target/benchmarks.jar}
if [[ ! -f $JAR ]]; then
  echo "building $JAR"
  (cd .. && mvn -B -ntp -q -pl bench -am package -DskipTests)
fi
echo "stream: $(date -u +%Y-%m-%dT%H:%M:%SZ), $("$JAVA" -version 2>&1 | head -1) ($JAVA)," \
  "commit $(git -C .. rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$JAVA" -Xmx256m -cp "$JAR" dev.switchboard.bench.Stream "$@" || status=$?
echo "stream: ended $(date -u +%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
