#!/usr/bin/env bash
# Switchboard benchmark: our gateway and two Node.js peers, `ws` and uWebSockets.js, side by
# side, in one run on one machine. Builds what it needs, then runs every scenario against the gateway and then against
# the peer (never both at once), server pinned to one core and generator to another, and prints
# a markdown table (figure, ours, peer, ratio). Raw results: bench/results/<timestamp>.json,
# table beside it (<timestamp>.md, copied to latest.md). See docs/benchmarks.md.
#
#   bench/run.sh                      # defaults: a few minutes on 2 cores
#   bench/run.sh --connections 10000 --scenarios connect
#   bench/run.sh --help
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARGS="$*"
cd "$ROOT"

CONNECTIONS=2000
CONNECT_RATE=500
SUBSCRIBERS=1000
RATE=50
DURATION=10
WARMUP=10
SWEEP="100,125,150,200"
HUB_SOCKETS=200
ROUND_TRIPS=100000
TRICKLE_RATE=5
TRICKLE_SUBSCRIBERS=20
TRICKLE_DURATION=30
TRICKLE_WARMUP_RATE=500
PING_WARMUP=50000
CONNECT_WARMUP=1000
SOURCES=0
SCENARIOS="connect fanout sweep hub ping"
CLUSTER=0
SERVER_CORE=0
GEN_CORE=1
PIN=1
REBUILD=0
WAIT_IDLE=0
OURS_PORT=18080
PEER_PORT=18090
UWS_PORT=18091
PEERS="ws uws"
OUT_DIR="$ROOT/bench/results"
PG_PORT=18110
PG_BIN=/usr/lib/postgresql/15/bin
# The default group rules, plus stream.* as stream groups (the stream scenario publishes there).
OURS_GROUPS='[{"pattern":"stream.*","subscribe":true,"publish":true,"history":{"size":100,"ttlMs":600000}},{"pattern":"scores","subscribe":true,"publish":false},{"pattern":"random","subscribe":true,"publish":false},{"pattern":"*","subscribe":true,"publish":true}]'
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xmx1g -XX:+ExitOnOutOfMemoryError}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xmx2g}

usage() {
  cat <<EOF
usage: bench/run.sh [options]
  --connections N    connect: idle sockets to open and hold (default $CONNECTIONS)
  --connect-rate N   connect: sockets opened per second (default $CONNECT_RATE)
  --subscribers S    fanout: subscribers in one group on /ws (default $SUBSCRIBERS)
  --rate R           fanout: messages per second from the publisher (default $RATE)
  --duration D       fanout/hub: measured seconds per run (default $DURATION)
  --warmup W         fanout/hub: warm-up seconds before measuring (default $WARMUP)
  --sweep LIST       fanout at these extra rates, to find the highest both servers sustain
                     (default $SWEEP; "" to skip)
  --hub-sockets N    hub: receiving sockets on /ws/hub (default $HUB_SOCKETS)
  --round-trips N    ping: measured round trips (default $ROUND_TRIPS)
  --trickle R,S,D    lowrate: R msg/s to S subscribers, D measured seconds (default
                     $TRICKLE_RATE,$TRICKLE_SUBSCRIBERS,$TRICKLE_DURATION): latency when nothing is busy, after
                     --warmup seconds at --trickle-warmup-rate msg/s (default $TRICKLE_WARMUP_RATE; 0: at R, cold)
  --ping-warmup N    ping: round trips before measuring, for the JIT (default $PING_WARMUP)
  --connect-warmup N connect: sockets opened and closed before measuring (default $CONNECT_WARMUP)
  --sources K        bind client sockets to 127.0.0.2..127.0.0.(K+1) (default $SOURCES = OS chooses);
                     needed above ~28k sockets (ephemeral ports of one source address)
  --scenarios LIST   any of: connect fanout sweep hub ping lowrate stream deflate sequence persist (default "$SCENARIOS");
                     lowrate: the fanout at a trickle (--trickle), against every peer, then into a
                     chat room (ours); with --cluster both across two gateways too;
                     stream (ours only): the fanout to a plain group, then to a stream group;
                     deflate (ours only): the fanout of a 2 KB JSON object, permessage-deflate off, then on;
                     sequence (ours only): publishes/s to 100 stream groups numbered and stored
                     by a clustered gateway with one, then two data members (chat processes);
                     persist (ours only): the stream-group fanout on an embedded gateway with history
                     in memory, in its file, in its file with fsync; then the fanout and sequence with
                     one data member, history in memory, then written through to a throwaway
                     PostgreSQL 15 (needs /usr/lib/postgresql/15/bin, Debian's postgresql; else skipped)
  --cluster          also run fanout on one and on two clustered gateways (ours only)
  --server-core C    core for the server (default $SERVER_CORE)
  --gen-core C       core for the load generator (default $GEN_CORE)
  --no-pin           do not pin with taskset
  --rebuild          run mvn install even if the jars exist
  --wait-idle SECS   first wait (up to SECS) until the 1-minute load average is below 1.0
  --peers LIST       the peers every "both" scenario also runs: ws, uws (uWebSockets.js) (default "$PEERS")
  --out DIR          results directory (default bench/results)
Environment: GATEWAY_JAVA_OPTS (default "$GATEWAY_JAVA_OPTS"), LOADGEN_JAVA_OPTS; any SWITCHBOARD_*
setting (e.g. SWITCHBOARD_FLUSH_DELAY_MS=20) reaches the gateway and is recorded in the results.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS=$2; shift 2 ;;
    --connect-rate) CONNECT_RATE=$2; shift 2 ;;
    --subscribers) SUBSCRIBERS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --sweep) SWEEP=$2; shift 2 ;;
    --hub-sockets) HUB_SOCKETS=$2; shift 2 ;;
    --round-trips) ROUND_TRIPS=$2; shift 2 ;;
    --trickle) IFS=, read -r TRICKLE_RATE TRICKLE_SUBSCRIBERS TRICKLE_DURATION <<<"$2"; shift 2 ;;
    --trickle-warmup-rate) TRICKLE_WARMUP_RATE=$2; shift 2 ;;
    --ping-warmup) PING_WARMUP=$2; shift 2 ;;
    --connect-warmup) CONNECT_WARMUP=$2; shift 2 ;;
    --sources) SOURCES=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --cluster) CLUSTER=1; shift ;;
    --server-core) SERVER_CORE=$2; shift 2 ;;
    --gen-core) GEN_CORE=$2; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --wait-idle) WAIT_IDLE=$2; shift 2 ;;
    --out) OUT_DIR=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in java node npm curl; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool" >&2; exit 1; }
done
if [ "$PIN" = 1 ] && ! command -v taskset >/dev/null; then
  log "taskset not found: running unpinned"
  PIN=0
fi
if [ "$PIN" = 1 ] && [ "$(nproc)" -lt 2 ]; then
  log "fewer than 2 cores: running unpinned"
  PIN=0
fi
on_core() { # on_core CORE cmd...  (exec, so the pid stays the command's)
  local core=$1; shift
  if [ "$PIN" = 1 ]; then exec taskset -c "$core" "$@"; else exec "$@"; fi
}

# Sockets are file descriptors: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$CONNECTIONS" -gt $((NOFILE - 200)) ]; then
  log "open file limit is $NOFILE: --connections $CONNECTIONS will fail above ~$((NOFILE - 200)) (raise the hard limit: ulimit -Hn / LimitNOFILE)"
fi

GATEWAY_JAR="$ROOT/gateway-verticle/target/gateway-fat.jar"
LOADGEN_JAR="$ROOT/loadgen/target/loadgen-fat.jar"
CHAT_JAR="$ROOT/chat-verticle/target/chat-fat.jar"
if [ "$REBUILD" = 1 ] || [ ! -f "$GATEWAY_JAR" ] || [ ! -f "$LOADGEN_JAR" ] || [ ! -f "$CHAT_JAR" ]; then
  log "building: mvn -B -q install -DskipTests"
  mvn -B -q install -DskipTests
fi
log "peer dependencies: npm ci (bench/peer)"
(cd "$ROOT/bench/peer" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if [ "$WAIT_IDLE" -gt 0 ]; then
  waited=0
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" 'BEGIN { exit !(l < 1.0) }'; then break; fi
    if [ "$waited" -ge "$WAIT_IDLE" ]; then log "load average still $load after ${waited}s; going on"; break; fi
    log "load average $load >= 1.0; waiting (${waited}s of ${WAIT_IDLE}s)"
    sleep 30; waited=$((waited + 30))
  done
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
# Run from copies: a build in the tree during the run must not swap a jar under us.
GATEWAY_JAR_INFO="$(sha256sum "$GATEWAY_JAR" | cut -c1-16), built $(date -u -r "$GATEWAY_JAR" +%Y-%m-%dT%H:%M:%SZ)"
cp "$GATEWAY_JAR" "$WORK/gateway-fat.jar"; GATEWAY_JAR="$WORK/gateway-fat.jar"
cp "$LOADGEN_JAR" "$WORK/loadgen-fat.jar"; LOADGEN_JAR="$WORK/loadgen-fat.jar"
cp "$CHAT_JAR" "$WORK/chat-fat.jar"; CHAT_JAR="$WORK/chat-fat.jar"
mkdir -p "$OUT_DIR"
LOAD_BEFORE=$(cat /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)
SERVER_PIDS=()
PG_DIR=
PG_PID=
PG_AS=()
HISTORY_FS=

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  for pid in "${SERVER_PIDS[@]:-}"; do
    if [ -n "$pid" ]; then stop_pid "$pid"; fi
  done
  pg_stop
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() { # wait_ready URL PID NAME
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { log "$3 exited during start-up; its log:"; tail -30 "$WORK/$3.log" >&2; return 1; }
    sleep 0.25
  done
  log "$3 not ready after 60 s"; return 1
}

# Extra NAME=VALUE settings for the next gateways (OURS_ENV) and data members (DATA_ENV) a
# scenario starts, after the benchmark's own (so they win), and only for those: a scenario sets
# them and empties them when done; the others start with none.
OURS_ENV=()
DATA_ENV=()

# start_ours PORT NAME [extra args...]: starts a gateway on the server core; sets PID.
start_ours() {
  local port=$1 name=$2; shift 2
  # Benchmark settings: one source address opens all sockets, and the publisher sends far
  # above the per-connection rate limit that protects a real deployment. Embedded gateways keep
  # history on disk as shipped, each start in a fresh directory of this run.
  # (subshell + exec: $! is the server's own pid, for /proc and jcmd)
  ( on_core "$SERVER_CORE" env SWITCHBOARD_PORT="$port" SWITCHBOARD_HOST=127.0.0.1 \
      SWITCHBOARD_MAX_CONNECTIONS_PER_IP=1000000 \
      SWITCHBOARD_RATE_LIMIT_PER_SECOND=1000000 SWITCHBOARD_RATE_LIMIT_BURST=1000000 \
      SWITCHBOARD_LOG_LEVEL=WARN SWITCHBOARD_GROUPS="$OURS_GROUPS" \
      SWITCHBOARD_DATA_DIR="$WORK/data-$name" "${OURS_ENV[@]}" \
      java $GATEWAY_JAVA_OPTS -jar "$GATEWAY_JAR" "$@" >"$WORK/$name.log" 2>&1 ) &
  PID=$!
  SERVER_PIDS+=("$PID")
  wait_ready "http://127.0.0.1:$port/health/ready" "$PID" "$name"
}

start_data_member() { # start_data_member PORT NAME: a chat process, a Hazelcast data member
  ( on_core "$SERVER_CORE" env SWITCHBOARD_HEALTH_PORT="$1" SWITCHBOARD_LOG_LEVEL=WARN "${DATA_ENV[@]}" \
      java $GATEWAY_JAVA_OPTS -jar "$CHAT_JAR" -cluster >"$WORK/$2.log" 2>&1 ) &
  PID=$!
  SERVER_PIDS+=("$PID")
  wait_ready "http://127.0.0.1:$1/health/ready" "$PID" "$2"
}

start_peer() {
  ( on_core "$SERVER_CORE" env PORT="$PEER_PORT" HOST=127.0.0.1 \
      node --expose-gc "$ROOT/bench/peer/server.js" >"$WORK/peer.log" 2>&1 ) &
  PID=$!
  SERVER_PIDS+=("$PID")
  wait_ready "http://127.0.0.1:$PEER_PORT/health/ready" "$PID" peer
}

start_uws() {
  # The script exits at once when uWebSockets.js's native binary does not load: wait_ready says so.
  ( on_core "$SERVER_CORE" env PORT="$UWS_PORT" HOST=127.0.0.1 \
      node --expose-gc "$ROOT/bench/peer/uws-server.js" >"$WORK/uws.log" 2>&1 ) &
  PID=$!
  SERVER_PIDS+=("$PID")
  wait_ready "http://127.0.0.1:$UWS_PORT/health/ready" "$PID" uws
}

stop_server() {
  stop_pid "$1"
  local kept=()
  for p in "${SERVER_PIDS[@]}"; do [ "$p" != "$1" ] && kept+=("$p"); done
  SERVER_PIDS=("${kept[@]:-}")
}

loadgen() { # loadgen OUTFILE scenario args...
  local out=$1; shift
  ( on_core "$GEN_CORE" java $LOADGEN_JAVA_OPTS -jar "$LOADGEN_JAR" "$@" --json "$out" --clk-tck "$CLK_TCK" --sources "$SOURCES" ) \
    | grep -v '^{"scenario"' >&2 || true
  [ -s "$out" ] || log "loadgen $1 wrote no result (see above)"
}

# run_one SERVER SCENARIO TAG loadgen-args...: fresh server, one scenario, server stopped.
run_one() {
  local server=$1 scenario=$2 tag=$3; shift 3
  local out="$WORK/$server-$tag.json" url probe
  if [ "$server" = ours ]; then
    start_ours "$OURS_PORT" ours
    url="ws://127.0.0.1:$OURS_PORT"
    probe=(--metrics-url "http://127.0.0.1:$OURS_PORT/metrics" --stats-url "http://127.0.0.1:$OURS_PORT/api/stats"
           --gc-command "jcmd $PID GC.run")
  elif [ "$server" = uws ]; then
    start_uws
    url="ws://127.0.0.1:$UWS_PORT"
    probe=(--stats-url "http://127.0.0.1:$UWS_PORT/api/stats" --gc-command "curl -sf -X POST http://127.0.0.1:$UWS_PORT/gc")
  else
    start_peer
    url="ws://127.0.0.1:$PEER_PORT"
    probe=(--stats-url "http://127.0.0.1:$PEER_PORT/api/stats" --gc-command "curl -sf -X POST http://127.0.0.1:$PEER_PORT/gc")
  fi
  log "$server: $scenario ($tag) against pid $PID"
  loadgen "$out" "$scenario" --label "$server" --url "$url" --server-pid "$PID" "${probe[@]}" "$@"
  stop_server "$PID"
}

both() { # both SCENARIO TAG args...: ours, then each of $PEERS
  run_one ours "$@"
  for p in $PEERS; do
    case "$p" in
      ws) run_one peer "$@" ;;
      uws) run_one uws "$@" ;;
      *) log "unknown peer $p (skipped)" ;;
    esac
  done
}

# ours_fanout NAME OUTFILE LABEL args...: the fanout at $RATE on a fresh embedded gateway, stopped after.
ours_fanout() {
  local name=$1 out=$2 label=$3; shift 3
  start_ours "$OURS_PORT" "$name"
  log "ours: fanout, $label ($RATE msg/s) against pid $PID"
  loadgen "$out" fanout --label "$label" --url "ws://127.0.0.1:$OURS_PORT" \
    --server-pid "$PID" --metrics-url "http://127.0.0.1:$OURS_PORT/metrics" \
    --stats-url "http://127.0.0.1:$OURS_PORT/api/stats" --gc-command "jcmd $PID GC.run" \
    "$@" $(fanout_args "$RATE")
  stop_server "$PID"
}

fanout_args() { # fanout_args RATE
  echo --subscribers "$SUBSCRIBERS" --rate "$1" --duration "$DURATION" --warmup "$WARMUP"
}

trickle_args() { # the low-rate fanout: few messages, few subscribers, latency is the figure
  # Warmed up at the fanout's rate first: measured cold, the trickle measures the JIT's
  # interpreter and C1 code (a fresh gateway: p50 3.2-3.4 ms after 10 s at 5 msg/s, 1.6 ms after 120 s).
  local warm=$TRICKLE_WARMUP_RATE
  [ "$warm" = 0 ] && warm=$TRICKLE_RATE
  echo --subscribers "$TRICKLE_SUBSCRIBERS" --rate "$TRICKLE_RATE" --duration "$TRICKLE_DURATION" \
    --warmup "$WARMUP" --warmup-rate "$warm"
}

# pg_start: a throwaway PostgreSQL 15 (the persist scenario's database) on 127.0.0.1:$PG_PORT,
# pinned to the server core like every server; sets PG_PID (the postmaster). Returns 1, having
# said why, when it cannot run one. Its settings are the defaults (fsync on, synchronous commit):
# a commit is on the disk, as in a deployment.
pg_start() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    log "no $PG_BIN/initdb (Debian: apt-get install postgresql): the PostgreSQL half of persist is skipped"
    return 1
  fi
  PG_AS=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses root: the server runs as the postgres user, in a directory it owns.
    if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null; then
      log "running as root without a postgres user or runuser: the PostgreSQL half of persist is skipped"
      return 1
    fi
    PG_AS=(runuser -u postgres --)
  fi
  # Beside $WORK, not in it: $WORK is ours alone (mode 700), and the server's user must reach its directory.
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; fi
  if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$WORK/pg-initdb.log" 2>&1; then
    log "initdb failed; its output:"; tail -20 "$WORK/pg-initdb.log" >&2; pg_stop; return 1
  fi
  # pg_ctl -w returns once the server accepts connections (or fails after -t seconds).
  if ! ( on_core "$SERVER_CORE" "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null ); then
    log "PostgreSQL did not start; its log:"; tail -20 "$PG_DIR/server.log" >&2; pg_stop; return 1
  fi
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
  log "$("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT, postmaster pid $PG_PID, data in $PG_DIR"
}

pg_stop() { # stops the throwaway PostgreSQL, if one runs, and deletes its data
  [ -n "$PG_DIR" ] || return 0
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=; PG_PID=
}

# persist_cluster KEY LABEL PIDS: a clustered gateway (a lite member) and one data member (with
# DATA_ENV), fresh, in a cluster of their own; the fanout to a stream group, then the sequence
# scenario; CPU of the gateway, the data member and PIDS (",tree:<postmaster>" or "").
persist_cluster() {
  local key=$1 label=$2 more=$3 g d
  export SWITCHBOARD_CLUSTER_NAME="bench-persist-$key-$STAMP"
  start_data_member $((OURS_PORT + 10)) "$key-data"; d=$PID
  start_ours "$OURS_PORT" "$key-gateway" -cluster; g=$PID
  log "ours: fanout to a stream group, $label ($RATE msg/s)"
  loadgen "$WORK/$key-persist-cluster-$RATE.json" fanout --label "$label" --url "ws://127.0.0.1:$OURS_PORT" \
    --server-pid "$g,$d$more" --group stream.bench $(fanout_args "$RATE")
  log "ours: sequencing, $label"
  loadgen "$WORK/$key-persist-sequence.json" sequence --label "$label" --url "ws://127.0.0.1:$OURS_PORT" \
    --server-pid "$g,$d$more" --duration "$DURATION" --warmup "$WARMUP"
  stop_server "$g"; stop_server "$d"
  unset SWITCHBOARD_CLUSTER_NAME
}

log "results in $WORK; load average before: $LOAD_BEFORE"
for scenario in $SCENARIOS; do
  case "$scenario" in
    connect) both connect "connect" --connections "$CONNECTIONS" --connect-rate "$CONNECT_RATE" --warmup "$CONNECT_WARMUP" ;;
    fanout) both fanout "fanout-$RATE" $(fanout_args "$RATE") ;;
    sweep)
      for r in ${SWEEP//,/ }; do
        [ "$r" = "$RATE" ] && [[ " $SCENARIOS " == *" fanout "* ]] && continue
        both fanout "fanout-$r" $(fanout_args "$r")
      done ;;
    hub) both hub "hub-$RATE" --subscribers "$HUB_SOCKETS" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" ;;
    ping) both ping "ping" --round-trips "$ROUND_TRIPS" --warmup "$PING_WARMUP" ;;
    lowrate)
      both fanout "lowrate-$TRICKLE_RATE" $(trickle_args)
      # The same trickle into a chat room: through the chat service (numbered, stored) and back.
      start_ours "$OURS_PORT" ours-chat; G=$PID
      log "ours: the trickle into a chat room, embedded"
      loadgen "$WORK/chat1-lowrate-$TRICKLE_RATE.json" fanout --label "chat room, embedded" --endpoint chat \
        --url "ws://127.0.0.1:$OURS_PORT" --server-pid "$G" --timer-urls "http://127.0.0.1:$OURS_PORT/metrics" \
        $(trickle_args)
      stop_server "$G" ;;
    stream)
      # A stream group costs a store append per publish and a cursor per gateway; the fan-out is
      # the same. Both runs on a fresh embedded gateway, the same load, one after the other.
      for kind in plain stream; do
        ours_fanout "ours-$kind" "$WORK/$kind-stream-$RATE.json" "$kind group" \
          --group "$([ $kind = stream ] && echo stream.bench || echo bench)"
      done ;;
    deflate)
      # permessage-deflate: the fanout of a 2 KB feed-like JSON object, subscribers that do not
      # offer compression, then subscribers that do (as browsers do). A fresh embedded gateway
      # each time, deflate on (its default); bytes out are the gateway's switchboard_bytes_out_total.
      for mode in off on; do
        ours_fanout "ours-deflate-$mode" "$WORK/deflate$mode-deflate-$RATE.json" "deflate $mode" \
          --payload json --payload-bytes 2048 --deflate "$([ $mode = on ] && echo true || echo false)"
      done ;;
    sequence)
      # Sequencing throughput: a clustered gateway (a lite member) takes /ws publishes to 100
      # stream groups and appends each to the stream map, whose partitions live on the data
      # members: one chat process, then two (Hazelcast moves half the partitions to the second).
      # Every process on the server core.
      export SWITCHBOARD_CLUSTER_NAME="bench-seq-$STAMP"
      start_data_member $((OURS_PORT + 10)) data-1; D1=$PID
      start_ours "$OURS_PORT" seq-gateway -cluster; G=$PID
      log "ours: sequencing with one data member"
      loadgen "$WORK/seq1-sequence.json" sequence --label "one data member" --url "ws://127.0.0.1:$OURS_PORT" \
        --server-pid "$G,$D1" --duration "$DURATION" --warmup "$WARMUP"
      start_data_member $((OURS_PORT + 11)) data-2; D2=$PID
      log "ours: sequencing with two data members"
      loadgen "$WORK/seq2-sequence.json" sequence --label "two data members" --url "ws://127.0.0.1:$OURS_PORT" \
        --server-pid "$G,$D1,$D2" --duration "$DURATION" --warmup "$WARMUP"
      stop_server "$G"; stop_server "$D2"; stop_server "$D1"
      unset SWITCHBOARD_CLUSTER_NAME ;;
    persist)
      # What keeping the history costs (issue 21). Embedded: the stream-group fanout (as in
      # `stream`) on three fresh gateways, history in memory, in its append-only file (the
      # default), in the file forced to the disk before each ack. Each run sets both settings, so
      # a SWITCHBOARD_* of the caller's environment cannot make a label wrong.
      HISTORY_FS=$(findmnt -n -o FSTYPE,SOURCE -T "$WORK" 2>/dev/null | awk '{print $1 " (" $2 ")"}' \
        || stat -f -c %T "$WORK" 2>/dev/null || echo unknown)
      log "history files and PostgreSQL's data on $HISTORY_FS (under ${TMPDIR:-/tmp})"
      case "$HISTORY_FS" in
        tmpfs*|ramfs*) log "that file system is in memory: a write or an fsync costs next to nothing there; set TMPDIR to a directory on a disk" ;;
      esac
      for mode in mem file fsync; do
        case $mode in
          mem) OURS_ENV=(SWITCHBOARD_PERSIST_HISTORY=false SWITCHBOARD_HISTORY_FSYNC=false); label="history in memory" ;;
          file) OURS_ENV=(SWITCHBOARD_PERSIST_HISTORY=true SWITCHBOARD_HISTORY_FSYNC=false); label="history file" ;;
          fsync) OURS_ENV=(SWITCHBOARD_PERSIST_HISTORY=true SWITCHBOARD_HISTORY_FSYNC=true); label="history file, fsync" ;;
        esac
        ours_fanout "ours-hist$mode" "$WORK/hist$mode-persist-$RATE.json" "$label" --group stream.bench
      done
      OURS_ENV=()
      # Cluster: the stream map on one data member, in memory (no database), then written through
      # to PostgreSQL (each append acknowledged once its row is committed). Fresh processes and a
      # fresh cluster each time; the fanout to a stream group (delivery latency, CPU per
      # delivery), then the sequence scenario (appends per second, publish to ack).
      # PostgreSQL's CPU counts with the others': it forks a backend per connection (the data
      # member's pool opens them when it first needs them, during the warm-up or later) and
      # autovacuum workers that come and go. A list of pids taken before the run would miss the
      # later ones and lose the whole figure once one of them ends (loadgen cannot read it), so
      # loadgen gets the postmaster as "tree:<pid>": every living descendant's CPU plus what the
      # ended ones left in the postmaster's cutime/cstime (loadgen/README.md).
      DATA_ENV=(SWITCHBOARD_HISTORY_DB_URL=)
      persist_cluster pgoff "one data member, history in memory" ""
      if pg_start; then
        DATA_ENV=(SWITCHBOARD_HISTORY_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" SWITCHBOARD_HISTORY_DB_USER=postgres)
        persist_cluster pgon "one data member, history in PostgreSQL" ",tree:$PG_PID"
        pg_stop
      fi
      DATA_ENV=() ;;
    *) log "unknown scenario $scenario (skipped)" ;;
  esac
done

if [ "$CLUSTER" = 1 ]; then
  # Cross-gateway delivery: the same fanout on one clustered gateway (all subscribers local) and
  # on two (subscribers spread over both, publisher on the first), both gateways on the server
  # core. The CPU per delivery is summed over the gateways.
  export SWITCHBOARD_CLUSTER_NAME="bench-$STAMP"
  # Gateways alone in the cluster: they hold its data themselves (by default they are lite
  # members and wait for a chat or simulator process).
  export SWITCHBOARD_CLUSTER_LITE_MEMBER=false
  start_ours "$OURS_PORT" cluster-a -cluster; A=$PID
  log "ours: fanout on one clustered gateway"
  loadgen "$WORK/cluster1-fanout-$RATE.json" fanout --label "one clustered gateway" --url "ws://127.0.0.1:$OURS_PORT" \
    --server-pid "$A" $(fanout_args "$RATE")
  start_ours $((OURS_PORT + 1)) cluster-b -cluster; B=$PID
  sleep 3
  log "ours: fanout across two clustered gateways"
  loadgen "$WORK/cluster2-fanout-$RATE.json" fanout --label "two clustered gateways" \
    --url "ws://127.0.0.1:$OURS_PORT,ws://127.0.0.1:$((OURS_PORT + 1))" --server-pid "$A,$B" $(fanout_args "$RATE")
  if [[ " $SCENARIOS " == *" lowrate "* ]]; then
    log "ours: the trickle across two clustered gateways"
    loadgen "$WORK/cluster2-lowrate-$TRICKLE_RATE.json" fanout --label "two clustered gateways, trickle" \
      --url "ws://127.0.0.1:$OURS_PORT,ws://127.0.0.1:$((OURS_PORT + 1))" --server-pid "$A,$B" $(trickle_args)
  fi
  stop_server "$B"; stop_server "$A"
  unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_LITE_MEMBER
  if [[ " $SCENARIOS " == *" lowrate "* ]]; then
    # A chat room across the cluster as deployed: a chat process (data member) and two gateways
    # (lite members), the sockets spread over both; every process on the server core, all of
    # them counted in the CPU.
    export SWITCHBOARD_CLUSTER_NAME="bench-chat-$STAMP"
    start_data_member $((OURS_PORT + 20)) chat-1; C=$PID
    start_ours "$OURS_PORT" chat-gateway-a -cluster; A=$PID
    start_ours $((OURS_PORT + 1)) chat-gateway-b -cluster; B=$PID
    log "ours: the trickle into a chat room across two gateways and a chat process"
    loadgen "$WORK/chat2-lowrate-$TRICKLE_RATE.json" fanout --label "chat room, cluster" --endpoint chat \
      --url "ws://127.0.0.1:$OURS_PORT,ws://127.0.0.1:$((OURS_PORT + 1))" --server-pid "$A,$B,$C" \
      --timer-urls "http://127.0.0.1:$OURS_PORT/metrics,http://127.0.0.1:$((OURS_PORT + 1))/metrics,http://127.0.0.1:$((OURS_PORT + 20))/metrics" \
      $(trickle_args)
    stop_server "$B"; stop_server "$A"; stop_server "$C"
    unset SWITCHBOARD_CLUSTER_NAME
  fi
fi

LOAD_AFTER=$(cat /proc/loadavg)

# Machine and software, for the record.
JVM_FLAGS=$( (on_core "$SERVER_CORE" java $GATEWAY_JAVA_OPTS -XX:+PrintCommandLineFlags -version) 2>&1 | head -1)
cat >"$WORK/machine.json" <<EOF
{
  "stamp": "$STAMP",
  "nproc": $(nproc),
  "cpuModel": $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(d.toString().trim())))'),
  "memTotalKib": $(awk '/MemTotal/ {print $2}' /proc/meminfo),
  "kernel": "$(uname -r)",
  "java": $(java -version 2>&1 | head -2 | tr '\n' ' ' | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(d.toString().trim())))'),
  "gatewayJar": "$GATEWAY_JAR_INFO",
  "gatewayJavaOpts": "$GATEWAY_JAVA_OPTS",
  "historyFs": $([ -n "$HISTORY_FS" ] && printf '%s' "$HISTORY_FS" | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(d.toString().trim())))' || echo null),
  "gatewayEnv": $(env | grep '^SWITCHBOARD_' | sort | tr '\n' ' ' | node -e 'let s="";process.stdin.on("data",d=>s+=d);process.stdin.on("end",()=>process.stdout.write(JSON.stringify(s.trim())))'),
  "gatewayJvmFlags": $(printf '%s' "$JVM_FLAGS" | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(d.toString().trim())))'),
  "loadgenJavaOpts": "$LOADGEN_JAVA_OPTS",
  "node": "$(node --version)",
  "ws": "$(node -p "require('$ROOT/bench/peer/node_modules/ws/package.json').version")",
  "uws": $([[ " $PEERS " == *" uws "* ]] && echo "\"uWebSockets.js 20.30.0 (npm @trufflesuite/uws-js-unofficial $(node -p "require('$ROOT/bench/peer/node_modules/@trufflesuite/uws-js-unofficial/package.json').version"))\"" || echo null),
  "pinned": $([ "$PIN" = 1 ] && echo "{\"server\": $SERVER_CORE, \"generator\": $GEN_CORE}" || echo null),
  "openFileLimit": "$NOFILE",
  "loadAverageBefore": "$LOAD_BEFORE",
  "loadAverageAfter": "$LOAD_AFTER",
  "gitCommit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+dirty')",
  "command": $(printf '%s' "bench/run.sh $ARGS" | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(d.toString().trim())))'),
  "settings": {"connections": $CONNECTIONS, "connectRate": $CONNECT_RATE, "subscribers": $SUBSCRIBERS, "rate": $RATE,
    "duration": $DURATION, "warmup": $WARMUP, "sweep": "$SWEEP", "hubSockets": $HUB_SOCKETS,
    "roundTrips": $ROUND_TRIPS, "trickle": {"rate": $TRICKLE_RATE, "subscribers": $TRICKLE_SUBSCRIBERS, "duration": $TRICKLE_DURATION, "warmupRate": $TRICKLE_WARMUP_RATE}, "pingWarmup": $PING_WARMUP, "connectWarmup": $CONNECT_WARMUP, "sources": $SOURCES, "scenarios": "$SCENARIOS", "cluster": $CLUSTER}
}
EOF

rm -f "$WORK"/*.jar
node "$ROOT/bench/report.js" "$WORK" "$OUT_DIR/$STAMP.json" "$OUT_DIR/$STAMP.md"
cp "$OUT_DIR/$STAMP.md" "$OUT_DIR/latest.md"
log "raw results: $OUT_DIR/$STAMP.json; table: $OUT_DIR/$STAMP.md (and latest.md)"
rm -rf "$WORK"
