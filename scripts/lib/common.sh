# Shared by the project's scripts: package checks that install what is missing, or say exactly
# which line to run when we are not root.

# ensure_packages PKG...: installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${missing[*]}" >&2
    echo "Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a concurrent apt (e.g. unattended upgrades) instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
  for pkg in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || { echo "still missing after apt-get install: $pkg" >&2; exit 1; }
  done
}

# ensure_build_tools: a JDK 17+ and Maven.
ensure_build_tools() {
  local need=()
  command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  [ ${#need[@]} -eq 0 ] || ensure_packages "${need[@]}"
}

# The QEMU packages the library is tested against.
QEMU_PACKAGES=(qemu-system-x86 qemu-utils)

# What scripts/build-test-guest.sh packs into the test guest, and the file system tools the
# tests use to check guest disks from the outside.
GUEST_PACKAGES=(linux-image-amd64 busybox-static qemu-guest-agent e2fsprogs kmod cpio)
