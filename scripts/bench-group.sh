#!/usr/bin/env bash
# Group snapshot benchmark: allFrozenMillis and each guest's freeze window (host and guest side)
# for groups of 1, 2 and 4 TCG test guests under write load, next to a single VM's snapshot.
# See docs/BENCHMARKS.md, "Group snapshots".
#   scripts/bench-group.sh [ROUNDS]      rounds (default 10); extra args go to Maven
# The figures are printed and kept in snapshot-api/target/group-snapshot-benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
[ $# -gt 0 ] && shift
case "$rounds" in ''|*[!0-9]*|0) echo "usage: $0 [ROUNDS>0] [maven args...]" >&2; exit 2 ;; esac

mvn -B -o verify -pl snapshot-api -am -Dtest='NONE*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=GroupSnapshotBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dqmp4j.bench.rounds="$rounds" "$@"
cat snapshot-api/target/group-snapshot-benchmark.md
