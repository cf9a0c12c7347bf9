#!/usr/bin/env bash
# Builds qmp4j, starts a throwaway QEMU, and walks through the API and the CLI against it.
# Installs QEMU when it is missing (as root; otherwise prints the apt-get line). Leaves nothing
# running and nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_build_tools
ensure_packages "${QEMU_PACKAGES[@]}"

echo "== building (mvn package, tests skipped: scripts/test.sh runs them)"
mvn -B -q -DskipTests package

work=$(mktemp -d -t qmp4j-demo-XXXXXX)
qemu_pid=
cleanup() {
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

sock="$work/qmp.sock"
echo "== starting QEMU: qemu-system-x86_64 -machine none -nodefaults -display none -qmp unix:$sock,server=on,wait=off"
qemu-system-x86_64 -machine none -nodefaults -display none -qmp "unix:$sock,server=on,wait=off" \
  >"$work/qemu.log" 2>&1 &
qemu_pid=$!
for _ in $(seq 1 200); do
  [ -S "$sock" ] && break
  kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/qemu.log" >&2; exit 1; }
  sleep 0.05
done

echo "== the API: examples/src/main/java/org/qmp4j/examples/QmpTour.java"
java -cp examples/target/qmp4j.jar org.qmp4j.examples.QmpTour "$sock"

echo "== the CLI: examples/bin/qmp4j qmp --socket $sock query-status"
examples/bin/qmp4j qmp --socket "$sock" query-status

echo "== done: QEMU stopped, $work removed"
