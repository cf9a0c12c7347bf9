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

# The QEMU builds the suite runs against: Debian 12's own, and the newer one of bookworm-backports.
# Installed by switching the Debian packages (one QEMU at a time); the test guest follows, since it
# packs the host's qemu-ga.
QEMU_SWITCHED_PACKAGES=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils qemu-block-extra
  qemu-guest-agent)
BACKPORTS_SOURCES=/etc/apt/sources.list.d/qmp4j-bookworm-backports.sources

# qemu_version: the major.minor of the installed qemu-system-x86_64, e.g. 7.2.
qemu_version() {
  qemu-system-x86_64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p'
}

# select_qemu 7.2|10: makes that QEMU the installed one (root only when it must change).
select_qemu() {
  local want=$1 release installed=() pkg
  case "$want" in
    7.2) release=bookworm ;;
    10|10.0) want=10.0; release=bookworm-backports ;;
    *) echo "unknown QEMU version: $1 (use 7.2 or 10)" >&2; exit 2 ;;
  esac
  [ "$(qemu_version)" = "$want" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "QEMU $(qemu_version) is installed; switching to $want needs root: run this as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$release" = bookworm-backports ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm-backports" \
      "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" > "$BACKPORTS_SOURCES"
  fi
  echo "Switching QEMU to $want ($release) ..." >&2
  apt-get -o DPkg::Lock::Timeout=600 update -q >&2
  for pkg in "${QEMU_SWITCHED_PACKAGES[@]}"; do
    installed+=("$pkg/$release")
  done
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends --allow-downgrades \
    "${installed[@]}" >&2
  [ "$(qemu_version)" = "$want" ] || { echo "QEMU is $(qemu_version) after the switch, not $want" >&2; exit 1; }
}
