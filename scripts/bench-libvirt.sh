#!/usr/bin/env bash
# Guest-side freeze window of a quiesced live snapshot: qmp4j (library and CLI), a plain-socket
# client and libvirt (virsh snapshot-create-as --disk-only --atomic --quiesce), two TCG guests
# side by side in one run. Installs libvirt (Debian's libvirt-daemon-system) when it is missing
# and starts its daemons for the run when none runs. See docs/BENCHMARKS.md.
#   scripts/bench-libvirt.sh [ROUNDS]      snapshots per client (default 20); extra args go to Maven
# The figures are printed and kept in examples/target/freeze-window-vs-libvirt.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
rounds=${1:-20}
[ $# -gt 0 ] && shift
case "$rounds" in ''|*[!0-9]*|0) echo "usage: $0 [ROUNDS>0] [maven args...]" >&2; exit 2 ;; esac

ensure_build_tools
ensure_packages "${QEMU_PACKAGES[@]}" "${GUEST_PACKAGES[@]}" libvirt-daemon-system libvirt-clients
mvn -B verify -pl examples -am -Dtest='NONE*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=LibvirtFreezeWindowBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dqmp4j.bench.rounds="$rounds" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
cat examples/target/freeze-window-vs-libvirt.md
