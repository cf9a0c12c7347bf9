#!/usr/bin/env bash
# Freeze-window benchmark: qmp4j against a minimal plain-socket client on one TCG test guest
# (2 data disks under write load), alternating rounds. See docs/BENCHMARKS.md, "Freeze window".
#   scripts/bench-freeze.sh [ROUNDS]      rounds per side (default 20); extra args go to Maven
# The figures are printed and kept in snapshot-api/target/freeze-window-benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
[ $# -gt 0 ] && shift
case "$rounds" in ''|*[!0-9]*|0) echo "usage: $0 [ROUNDS>0] [maven args...]" >&2; exit 2 ;; esac

mvn -B -o verify -pl snapshot-api -am -Dtest='NONE*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=FreezeWindowBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dqmp4j.bench.rounds="$rounds" "$@"
cat snapshot-api/target/freeze-window-benchmark.md
