#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests that start real QEMU processes.
# Installs what the tests need when it is missing (as root; otherwise prints the apt-get line).
#   scripts/test.sh [--qemu 7.2|10] [maven args...]
# --qemu picks the QEMU to test against: 7.2, Debian 12's (the default), or 10 (10.0 from
# bookworm-backports); the Debian packages are switched to it, and the test guest is rebuilt
# with the matching qemu-ga. Extra arguments go to Maven, e.g.
#   scripts/test.sh -pl qmp-core -Dit.test=QmpClientIT
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

qemu=7.2
if [ "${1:-}" = --qemu ]; then
  [ $# -ge 2 ] || { echo "usage: $0 [--qemu 7.2|10] [maven args...]" >&2; exit 2; }
  qemu=$2
  shift 2
fi

ensure_build_tools
ensure_packages "${QEMU_PACKAGES[@]}" "${GUEST_PACKAGES[@]}"
select_qemu "$qemu"
echo "Testing against $(qemu-system-x86_64 --version | head -1)" >&2
# The test guest (kernel + initramfs, cached): built here once so that no test pays for it.
scripts/build-test-guest.sh >/dev/null

exec mvn -B verify "$@"
