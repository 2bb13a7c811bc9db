#!/usr/bin/env bash
# The chaos soak (docs/cluster.md, "Chaos soak"): random kill -9, SIGSTOP and network splits of
# a six-process cluster for N minutes under checked chat and score traffic. Needs root (network
# namespaces) and the fat jars (mvn -B install -DskipTests). Not part of `mvn verify`.
#   cluster-tests/chaos-soak.sh [minutes, default 10] [seed]
set -euo pipefail
cd "$(dirname "$0")"
minutes="${1:-10}"
seed="${2:-}"
args=(-o -B test -Dtest=ChaosSoak -Dchaos.minutes="$minutes" -Dsurefire.failIfNoSpecifiedTests=false)
if [ -n "$seed" ]; then
  args+=(-Dchaos.seed="$seed")
fi
SWITCHBOARD_TEST_LOG=INFO mvn "${args[@]}" | grep -E "chaos|Tests run|BUILD|ERROR" || true
echo
cat target/chaos-report.md
grep -q "violations: 0" target/chaos-report.md
