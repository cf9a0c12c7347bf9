#!/usr/bin/env bash
# Builds the examples module and runs the QMP benchmark: qmp4j against a hand-written client,
# both on one throwaway `qemu-system-x86_64 -machine none` that the benchmark starts and removes.
# Arguments go to the benchmark: [--warmup N] [--requests N] [--pipelined N] [--window N] [--rounds N]
# See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package -pl examples -am
exec java -cp examples/target/qmp4j.jar org.qmp4j.examples.bench.QmpBenchmark "$@"
