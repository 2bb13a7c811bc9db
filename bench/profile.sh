#!/usr/bin/env bash
# Where the gateway's CPU goes in one benchmark scenario: starts the gateway as bench/run.sh
# does (core 0), drives it with the load generator (core 1), records the gateway with Linux
# `perf` (kernel and JIT-compiled Java frames, via the JVM's perf map) for a few seconds of the
# measured window, and prints the split by code region and the top symbols.
#
#   bench/profile.sh                                   # fanout, 1000 subscribers, 50 msg/s
#   bench/profile.sh fanout --subscribers 1000 --rate 200
#   PERF_SECONDS=8 PERF_DELAY=14 bench/profile.sh hub
#
# Needs perf (linux-perf) with kernel.perf_event_paranoid <= 1 (or root), and jcmd.
# The report goes to stdout and to bench/results/profile-<timestamp>.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SCENARIO=${1:-fanout}
shift || true
ARGS=("$@")
if [ ${#ARGS[@]} -eq 0 ] && [ "$SCENARIO" = fanout ]; then
  ARGS=(--subscribers 1000 --rate 50 --duration 12 --warmup 5)
fi
PERF_SECONDS=${PERF_SECONDS:-5}
# Seconds after the generator starts: past connecting, subscribing and the warm-up.
PERF_DELAY=${PERF_DELAY:-12}
PORT=${PORT:-18080}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xmx1g -XX:+ExitOnOutOfMemoryError}

command -v perf >/dev/null || { echo "bench/profile.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
GATEWAY_JAR="$ROOT/gateway-verticle/target/gateway-fat.jar"
LOADGEN_JAR="$ROOT/loadgen/target/loadgen-fat.jar"
if [ ! -f "$GATEWAY_JAR" ] || [ ! -f "$LOADGEN_JAR" ]; then
  mvn -B -q install -DskipTests
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-profile.XXXXXX")
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/results/profile-$STAMP.txt"

# Frame pointers let perf walk Java stacks; the perf map names the JIT-compiled methods.
( exec taskset -c 0 env SWITCHBOARD_PORT="$PORT" SWITCHBOARD_HOST=127.0.0.1 \
    SWITCHBOARD_MAX_CONNECTIONS_PER_IP=1000000 \
    SWITCHBOARD_RATE_LIMIT_PER_SECOND=1000000 SWITCHBOARD_RATE_LIMIT_BURST=1000000 \
    SWITCHBOARD_LOG_LEVEL=WARN SWITCHBOARD_DATA_DIR="$WORK/data" \
    java $GATEWAY_JAVA_OPTS -XX:+PreserveFramePointer -jar "$GATEWAY_JAR" >"$WORK/gateway.log" 2>&1 ) &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && break
  kill -0 "$PID" 2>/dev/null || { tail -30 "$WORK/gateway.log" >&2; exit 1; }
  sleep 0.25
done

( sleep "$PERF_DELAY"; perf record -F 2999 -g -p "$PID" -o "$WORK/perf.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1 ) &
RECORDER=$!
taskset -c 1 java -Xmx2g -jar "$LOADGEN_JAR" "$SCENARIO" "${ARGS[@]}" --url "ws://127.0.0.1:$PORT" \
  --server-pid "$PID" --clk-tck "$(getconf CLK_TCK)" | grep -v '^{"scenario"' >"$WORK/loadgen.txt"
wait "$RECORDER"
jcmd "$PID" Compiler.perfmap >/dev/null

{
  echo "# bench/profile.sh $SCENARIO ${ARGS[*]}   ($STAMP, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo "# perf record -F 2999 -g for ${PERF_SECONDS}s, ${PERF_DELAY}s into the run; gateway pinned to core 0"
  echo
  grep -E 'delivered|latency|cpu|round trip' "$WORK/loadgen.txt" || true
  echo
  echo "## Samples by code region (self time)"
  perf report -i "$WORK/perf.data" --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
  echo
  echo "## Where the kernel time is (inclusive)"
  perf report -i "$WORK/perf.data" --children --sort sym -g none 2>/dev/null | grep -v '^#' \
    | grep -E '\] (__sys_sendto|__sys_sendmsg|do_writev|tcp_sendmsg|net_rx_action|tcp_v4_rcv|do_epoll_wait|__x64_sys_read|tcp_recvmsg)$' || true
  echo
  echo "## Top symbols (self time)"
  perf report -i "$WORK/perf.data" --no-children --sort sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -30
} | tee "$OUT"
echo "(written to $OUT)" >&2
