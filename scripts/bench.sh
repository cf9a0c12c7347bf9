#!/usr/bin/env bash
# Builds the examples module and runs the QMP benchmark: qmp4j against a hand-written client,
# both on one throwaway `qemu-system-x86_64 -machine none` that the benchmark starts and removes.
# Arguments go to the benchmark: [--warmup N] [--requests N] [--pipelined N] [--window N] [--rounds N]
#   [--connections alone|plain-first|qmp4j-first]
# Exit status: 0 PASS, 1 FAIL (qmp4j outside the 5% target), 2 the benchmark could not run.
# See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Maven 3.8 prints colour resets even with -B -q; strip them (pipefail keeps mvn's status).
mvn -B -q -DskipTests package -pl examples -am 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
exec java -cp examples/target/qmp4j.jar org.qmp4j.examples.bench.QmpBenchmark "$@"
