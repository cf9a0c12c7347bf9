#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests that start real QEMU processes.
# Installs what the tests need when it is missing (as root; otherwise prints the apt-get line).
# Extra arguments go to Maven, e.g. scripts/test.sh -pl qmp-core -Dit.test=QmpClientIT
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_build_tools
ensure_packages "${QEMU_PACKAGES[@]}" "${GUEST_PACKAGES[@]}"
# The test guest (kernel + initramfs, cached): built here once so that no test pays for it.
scripts/build-test-guest.sh >/dev/null

exec mvn -B verify "$@"
