#!/usr/bin/env bash
# The README's first command: builds qmp4j, then shows its main job on a real throwaway guest
# (examples/src/main/java/org/qmp4j/examples/SnapshotTour.java): boot a Linux guest with two ext4
# disks under a write workload, take a quiesced live snapshot, show that the guest kept writing,
# check each base image from the outside, show the chain, merge, revert and boot the reverted
# disks. Then a short tour of the QMP API and the CLI on a second, empty QEMU. Installs what it
# needs when it is missing (as root; otherwise prints the apt-get line). Leaves nothing running
# and nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_build_tools
ensure_packages "${QEMU_PACKAGES[@]}" "${GUEST_PACKAGES[@]}"

echo "== building (mvn package, tests skipped: scripts/test.sh runs them)"
mvn -B -q -DskipTests package
testkit=$(ls testkit/target/qmp4j-testkit-*.jar | grep -v -e sources -e javadoc -e tests | head -1)

echo "== the main job: examples/src/main/java/org/qmp4j/examples/SnapshotTour.java"
start=$(date +%s)
java -cp "examples/target/qmp4j.jar:$testkit" org.qmp4j.examples.SnapshotTour
echo "   (the tour took $(( $(date +%s) - start )) s)"

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
echo
echo "== the QMP API on an empty QEMU: qemu-system-x86_64 -machine none -nodefaults -display none -qmp unix:$sock,server=on,wait=off"
qemu-system-x86_64 -machine none -nodefaults -display none -qmp "unix:$sock,server=on,wait=off" \
  >"$work/qemu.log" 2>&1 &
qemu_pid=$!
for _ in $(seq 1 200); do
  [ -S "$sock" ] && break
  kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/qemu.log" >&2; exit 1; }
  sleep 0.05
done

echo "== examples/src/main/java/org/qmp4j/examples/QmpTour.java"
java -cp examples/target/qmp4j.jar org.qmp4j.examples.QmpTour "$sock"

echo "== the CLI: examples/bin/qmp4j qmp --socket $sock query-status"
examples/bin/qmp4j qmp --socket "$sock" query-status

echo "== done: QEMU stopped, $work removed"
