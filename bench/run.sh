#!/usr/bin/env bash
# Reproduces the numbers in bench/README.md in one run:
#   1. installs nginx-light, its echo module and wrk from Debian packages if they are missing;
#   2. starts nginx on 127.0.0.1 with a generated config in a temp dir (static JSON files, and
#      /delay answering after 100 ms through the echo module's echo_sleep);
#   3. records the machine's ceiling with wrk against that same nginx;
#   4. runs every JMH benchmark (with -prof gc) against it, in forked JVMs;
#   5. writes the tables (target/bench-results/report.md) and stops nginx.
# Usage: bench/run.sh [JMH options...], e.g. bench/run.sh SmallGetBench -p transport=okhttp
# Environment: JAVA (default: Temurin 25 when present, else java), BENCH_PORT (18080),
#              BENCH_OUT (bench/target/bench-results), WRK_SECONDS (10).
set -euo pipefail
cd "$(dirname "$0")"
BENCH_DIR=$(pwd)

if [[ -z "${JAVA:-}" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    JAVA=java
  fi
fi
PORT=${BENCH_PORT:-18080}
OUT=${BENCH_OUT:-$BENCH_DIR/target/bench-results}
WRK_SECONDS=${WRK_SECONDS:-10}
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
JAR=$BENCH_DIR/target/benchmarks.jar

# ---- 1. tools, installed only when missing
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null || [[ ! -f $ECHO_MODULE ]]; then
  echo "installing nginx-light, libnginx-mod-http-echo and wrk (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-http-echo wrk
fi
if [[ ! -f $JAR ]]; then
  echo "building $JAR"
  (cd .. && mvn -B -ntp -q -pl bench -am package -DskipTests)
fi

# ---- 2. nginx in a temp dir, stopped on exit
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
stop_server() {
  if [[ -f $WORK/nginx.pid ]]; then
    kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    sleep 0.5
  fi
  rm -rf "$WORK"
}
trap stop_server EXIT
"$JAVA" -cp "$JAR" dev.switchboard.bench.Payloads "$WORK/www"
mkdir -p "$WORK/tmp"
chmod 755 "$WORK" && chmod -R a+rX "$WORK/www" && chmod 777 "$WORK/tmp" # nginx workers: www-data
cat > "$WORK/nginx.conf" <<CONF
load_module $ECHO_MODULE;
worker_processes 1;
worker_rlimit_nofile 16384;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp;
  scgi_temp_path $WORK/tmp;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 100000000;
  open_file_cache max=16;
  types { application/json json; }
  server {
    listen 127.0.0.1:$PORT backlog=4096;
    root $WORK/www;
    location = /delay { default_type application/json; echo_sleep 0.1; echo '{"ok":true}'; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/small.json" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/small.json" >/dev/null || { echo "nginx did not start"; tail -5 "$WORK/error.log"; exit 1; }
export BENCH_SERVER="http://127.0.0.1:$PORT"

# ---- the machine, recorded with the numbers
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(nproc) x $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "java: $("$JAVA" -version 2>&1 | head -1) ($JAVA)"
  echo "server: $(nginx -v 2>&1), 1 worker, with the echo module"
  echo "switchboard: commit $(git -C .. rev-parse --short HEAD 2>/dev/null || echo '?'), benchmarks.jar of $(date -u -r "$JAR" +%H:%M) UTC"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"
if awk '{exit !($1 > 1.5)}' /proc/loadavg; then
  echo "warning: load average $(cut -d' ' -f1 /proc/loadavg) > 1.5: something else is running, the numbers will be polluted"
fi

# ---- 3. the ceiling: wrk against the same server
run_wrk() { # name, connections, path
  echo "wrk: $1"
  wrk -t1 -c"$2" -d"${WRK_SECONDS}s" --latency "http://127.0.0.1:$PORT$3" > "$OUT/wrk-$1.txt"
  grep -E "Requests/sec|Latency  " "$OUT/wrk-$1.txt"
}
run_wrk small-c64 64 /small.json
run_wrk small-c1 1 /small.json
run_wrk large-c1 1 /large.json
run_wrk delay-c1000 1000 /delay

# ---- 4. the benchmarks
"$JAVA" -jar "$JAR" -prof gc -rf json -rff "$OUT/jmh.json" "$@" 2>&1 | tee "$OUT/jmh.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

# ---- 5. the tables
"$JAVA" -cp "$JAR" dev.switchboard.bench.Report "$OUT" > "$OUT/report.md"
cat "$OUT/report.md"
