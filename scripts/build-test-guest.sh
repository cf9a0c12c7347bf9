#!/usr/bin/env bash
# Packs a throwaway Linux test guest (kernel + initramfs) for the qmp4j integration tests
# from this Debian machine's own packages. See DESIGN.md, section "Test guest".
#
# Usage: scripts/build-test-guest.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${QMP4J_GUEST_CACHE:-$HOME/.cache/qmp4j/test-guest}.
#
# Outputs (in CACHE_DIR): vmlinuz, initramfs.cpio.gz and a stamp file (hash of the inputs).
# If the stamp matches, nothing is rebuilt. On success the script prints, on stdout only:
#   QMP4J_GUEST_KERNEL=<CACHE_DIR>/vmlinuz
#   QMP4J_GUEST_INITRD=<CACHE_DIR>/initramfs.cpio.gz
# (progress and errors go to stderr). Exit status 1 means a prerequisite is missing.
#
# Boot it with e.g.:
#   qemu-system-x86_64 -machine q35,accel=tcg -m 256 -nodefaults -display none \
#     -kernel vmlinuz -initrd initramfs.cpio.gz -append 'console=ttyS0 quiet' \
#     -serial file:console.log \
#     -device virtio-serial-pci \
#     -chardev socket,id=qga0,path=qga.sock,server=on,wait=off \
#     -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
#     -drive if=none,id=d0,file=d0.qcow2,format=qcow2 -device virtio-blk-pci,drive=d0
#
# Kernel command line options understood by the guest's /init:
#   console=ttyS0      the console (the marker line below is printed there)
#   qmp4j.agent=0      do not start qemu-ga (default 1: started and respawned if it exits)
#   qmp4j.workload=1   start a write workload on every mounted data disk (default 0)
#   qmp4j.verbose=1    run qemu-ga with -v (debug logging into /run/qemu-ga.log)
#   qmp4j.agent_block=CMD,CMD  run qemu-ga with -b CMD,CMD (those commands disabled, as some distributions ship it)
# The guest mounts every virtio disk /dev/vdX holding an ext2/3/4 file system at /mnt/vdX
# (read-only if a read-write mount fails); disks without a file system are left alone.
# When done it prints a line starting with "QMP4J-GUEST-READY" to the console.
# Inside the guest (e.g. via guest-exec):
#   /usr/sbin/qmp4j-workload start|stop|status [DIR...]   controls the write workload
#   /run/qmp4j-init.log                                  the init log
#   /run/qemu-ga.log                                     qemu-ga's log
#   /run/qemu-ga.pid                                     pid of the running qemu-ga
#   /run/qmp4j-fsfreeze.log                              each fsfreeze hook call: freeze|thaw UPTIME NANOS
#   /run/qmp4j-freeze-delay                              (written by tests) seconds the freeze hook sleeps
#   /run/qmp4j-thaw-delay                                (written by tests) seconds the thaw hook sleeps

set -euo pipefail

MODULES=(virtio_pci virtio_blk virtio_console ext4)

log() { printf 'build-test-guest: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

CACHE_DIR=${1:-${QMP4J_GUEST_CACHE:-$HOME/.cache/qmp4j/test-guest}}
SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script needs a Debian-based host"

. "$(dirname "$SCRIPT_PATH")/lib/common.sh"

ensure_packages "${GUEST_PACKAGES[@]}"
# The package's start-up only runs the agent where a virtio port exists, so on a host nothing
# should run; never leave an agent on the host unnoticed.
if pgrep -x qemu-ga >/dev/null 2>&1; then
    log "WARNING: a qemu-ga process is running on this host (pids: $(pgrep -x qemu-ga | tr '\n' ' '))"
fi

# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
KERNEL=
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
    v=${k#/boot/vmlinuz-}
    if [ -d "/lib/modules/$v" ]; then KERNEL=$k; KVER=$v; break; fi
done
[ -n "$KERNEL" ] || die "no /boot/vmlinuz-<ver> with a matching /lib/modules/<ver>"
[ -r "$KERNEL" ] || die "$KERNEL is not readable (run as root or make it readable)"

# Module files in load order (dependencies first, duplicates removed).
DEPS=
for m in "${MODULES[@]}"; do
    DEPS+=$(modprobe -S "$KVER" --show-depends "$m") || die "modprobe --show-depends $m failed for $KVER"
    DEPS+=$'\n'
done
mapfile -t MODFILES < <(awk '$1 == "insmod" && !seen[$2]++ { print $2 }' <<<"$DEPS")
[ "${#MODFILES[@]}" -gt 0 ] || die "no modules found for $KVER"

# Decompressors needed for compressed modules.
extra=()
for f in "${MODFILES[@]}"; do
    case "$f" in
        *.ko.xz) command -v xz >/dev/null 2>&1 || extra+=(xz-utils) ;;
        *.ko.zst) command -v zstd >/dev/null 2>&1 || extra+=(zstd) ;;
        *.ko.gz) ;;
        *.ko) ;;
        *) die "unexpected module file name: $f" ;;
    esac
done
if [ "${#extra[@]}" -gt 0 ]; then
    mapfile -t extra < <(printf '%s\n' "${extra[@]}" | sort -u)
    ensure_packages "${extra[@]}"
fi

STAMP=$(
    {
        echo "script:"; cat "$SCRIPT_PATH"
        echo "kernel: $KVER"; sha256sum < "$KERNEL"
        echo "modules: ${MODFILES[*]}"
        dpkg-query -W -f='${Package} ${Version}\n' busybox-static qemu-guest-agent
    } | sha256sum | cut -d' ' -f1
)

OUT_KERNEL=$CACHE_DIR/vmlinuz
OUT_INITRD=$CACHE_DIR/initramfs.cpio.gz
OUT_STAMP=$CACHE_DIR/stamp

print_result() {
    echo "QMP4J_GUEST_KERNEL=$OUT_KERNEL"
    echo "QMP4J_GUEST_INITRD=$OUT_INITRD"
}

is_current() {
    [ -f "$OUT_KERNEL" ] && [ -f "$OUT_INITRD" ] && [ -f "$OUT_STAMP" ] \
        && [ "$(cat "$OUT_STAMP")" = "$STAMP" ]
}

if is_current; then print_result; exit 0; fi

mkdir -p "$CACHE_DIR"
# Serialise concurrent builds (e.g. parallel test JVMs) on the same cache dir.
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if is_current; then print_result; exit 0; fi

TMP=$(mktemp -d "$CACHE_DIR/.build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
ROOT=$TMP/root
log "building test guest for kernel $KVER in $CACHE_DIR"

mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,mnt,root,var,lib/modules/"$KVER"}
ln -s ../run "$ROOT/var/run"
chmod 1777 "$ROOT/tmp"

# --- busybox ---------------------------------------------------------------------------------
cp /bin/busybox "$ROOT/bin/busybox"
while read -r applet; do
    [ -n "$applet" ] || continue
    [ "$applet" = "bin/busybox" ] && continue
    mkdir -p "$ROOT/$(dirname "$applet")"
    [ -e "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done < <(/bin/busybox --list-full)
[ -e "$ROOT/bin/sh" ] || ln -s /bin/busybox "$ROOT/bin/sh"

# --- qemu-ga and its libraries ---------------------------------------------------------------
cp /usr/sbin/qemu-ga "$ROOT/usr/sbin/qemu-ga"
while read -r lib; do
    [ -n "$lib" ] || continue
    mkdir -p "$ROOT/$(dirname "$lib")"
    cp -L "$lib" "$ROOT/$lib"
done < <(ldd /usr/sbin/qemu-ga | awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }')
[ -n "$(ls "$ROOT"/lib64/ld-linux* 2>/dev/null)" ] || die "dynamic loader not found in ldd output"

# --- kernel modules (decompressed, busybox insmod may not handle compressed ones) -------------
: > "$ROOT/etc/qmp4j-modules"
for f in "${MODFILES[@]}"; do
    base=$(basename "$f")
    name=${base%%.ko*}
    dst=$ROOT/lib/modules/$KVER/$name.ko
    case "$f" in
        *.ko.xz) xz -dc "$f" > "$dst" ;;
        *.ko.zst) zstd -q -dc "$f" > "$dst" ;;
        *.ko.gz) gzip -dc "$f" > "$dst" ;;
        *) cp "$f" "$dst" ;;
    esac
    echo "/lib/modules/$KVER/$name.ko" >> "$ROOT/etc/qmp4j-modules"
done

# --- small /etc --------------------------------------------------------------------------------
cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
EOF
cat > "$ROOT/etc/os-release" <<'EOF'
NAME="qmp4j test guest"
ID=qmp4j-test-guest
PRETTY_NAME="qmp4j test guest (busybox initramfs)"
VERSION_ID=1
EOF
echo qmp4j-guest > "$ROOT/etc/hostname"

# --- /sbin/shutdown (qemu-ga's guest-shutdown runs "/sbin/shutdown -P|-H|-r +0 ...") ----------
rm -f "$ROOT/sbin/shutdown"
cat > "$ROOT/sbin/shutdown" <<'EOF'
#!/bin/sh
# Minimal shutdown(8) for qemu-ga's guest-shutdown: there is no real init to signal.
action=poweroff
for a in "$@"; do
    case "$a" in
        -r) action=reboot ;;
        -H) action=halt ;;
        -P|-h) action=poweroff ;;
    esac
done
sync
(
    exec </dev/null >/dev/null 2>&1
    sleep 1
    # Clean like a real shutdown: stop the workload, unmount the data disks (read-only if busy),
    # so their ext4 journals need no recovery afterwards.
    qmp4j-workload stop
    for m in /mnt/vd*; do
        [ -d "$m" ] || continue
        umount "$m" || mount -o remount,ro "$m"
    done
    sync
    $action -f
) &
exit 0
EOF
chmod 755 "$ROOT/sbin/shutdown"

# --- the write workload ------------------------------------------------------------------------
cat > "$ROOT/usr/sbin/qmp4j-workload" <<'EOF'
#!/bin/sh
# qmp4j-workload start|stop|status [MOUNTPOINT...]   (default: every /mnt/vd*)
# Per mount point, a background loop in MOUNTPOINT/qmp4j-workload/ rewrites 64 numbered files of
# 32 KiB from /dev/urandom, appends a line to "log" and updates "counter" (the iteration number).
# It calls sync only every 16th iteration, so an unquiesced snapshot usually catches dirty data
# and an ext4 journal needing recovery.
cmd=${1:-status}; [ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- $(ls -d /mnt/vd* 2>/dev/null)

loop() {
    d=$1/qmp4j-workload
    mkdir -p "$d" || exit 1
    n=$(cat "$d/counter" 2>/dev/null); case "$n" in ''|*[!0-9]*) n=0 ;; esac
    while [ ! -e "/run/qmp4j-workload.$2.stop" ]; do
        n=$((n + 1))
        dd if=/dev/urandom of="$d/f$((n % 64))" bs=4096 count=8 2>/dev/null
        echo "$n $(date +%s)" >> "$d/log"
        echo "$n" > "$d/counter.tmp" && mv "$d/counter.tmp" "$d/counter"
        if [ $((n % 1024)) -eq 0 ] && [ "$(stat -c %s "$d/log")" -gt 1048576 ]; then : > "$d/log"; fi
        [ $((n % 16)) -eq 0 ] && sync
        usleep 20000
    done
    rm -f "/run/qmp4j-workload.$2.stop" "/run/qmp4j-workload.$2.pid"
}

rc=0
for m in "$@"; do
    key=$(echo "$m" | tr / _)
    pidf=/run/qmp4j-workload.$key.pid
    case "$cmd" in
        start)
            if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
                echo "$m: already running"; continue
            fi
            rm -f "/run/qmp4j-workload.$key.stop"
            # "exec" redirections: ash would keep saved copies of the caller's stdout/stderr
            # (e.g. guest-exec's pipes) open in a redirected background function call.
            ( exec </dev/null >/dev/null 2>&1; loop "$m" "$key" ) &
            echo $! > "$pidf"
            echo "$m: started"
            ;;
        stop)
            if [ -f "$pidf" ]; then
                touch "/run/qmp4j-workload.$key.stop"
                i=0; while [ -f "$pidf" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
                [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
                rm -f "$pidf" "/run/qmp4j-workload.$key.stop"
            fi
            echo "$m: stopped"
            ;;
        status)
            if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then s=running; else s=stopped; fi
            echo "$m: $s counter=$(cat "$m/qmp4j-workload/counter" 2>/dev/null || echo 0)"
            ;;
        *) echo "usage: $0 start|stop|status [MOUNTPOINT...]" >&2; exit 2 ;;
    esac
done
exit $rc
EOF
chmod 755 "$ROOT/usr/sbin/qmp4j-workload"

# --- the fsfreeze hook (qemu-ga --fsfreeze-hook) --------------------------------------------------
# qemu-ga runs it with "freeze" before it freezes and with "thaw" after it thawed, and answers
# nothing meanwhile. It logs each call with the guest's uptime and its monotonic clock in
# nanoseconds (/proc/timer_list's "now at N nsecs": /proc/uptime counts in 10 ms steps, too coarse
# for the freeze window that benchmarks read from this log); a number of seconds in
# /run/qmp4j-freeze-delay makes the freeze wait that long first, like a database flushing: the
# slow freeze of the thaw tests. /run/qmp4j-thaw-delay likewise holds back the thaw's reply.
cat > "$ROOT/etc/qmp4j-fsfreeze-hook" <<'EOF'
#!/bin/sh
echo "$1 $(cut -d' ' -f1 /proc/uptime) $(sed -n '3{s/[^0-9]//g;p;q}' /proc/timer_list)" >> /run/qmp4j-fsfreeze.log
if [ "$1" = freeze ] && [ -f /run/qmp4j-freeze-delay ]; then
    sleep "$(cat /run/qmp4j-freeze-delay)"
fi
if [ "$1" = thaw ] && [ -f /run/qmp4j-thaw-delay ]; then
    sleep "$(cat /run/qmp4j-thaw-delay)"
fi
exit 0
EOF
chmod 755 "$ROOT/etc/qmp4j-fsfreeze-hook"

# --- /init ---------------------------------------------------------------------------------------
cat > "$ROOT/init" <<'EOF'
#!/bin/sh
# qmp4j test guest init (PID 1; must never exit).
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node: reattach stdio to the console now.
exec </dev/console >/dev/console 2>&1
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
hostname -F /etc/hostname 2>/dev/null

LOG=/run/qmp4j-init.log
say() { echo "qmp4j: $*"; echo "$*" >> $LOG; }

# Kernel command line options.
AGENT=1 WORKLOAD=0 VERBOSE=0 AGENT_BLOCK=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        qmp4j.agent=*) AGENT=${arg#*=} ;;
        qmp4j.workload=*) WORKLOAD=${arg#*=} ;;
        qmp4j.verbose=*) VERBOSE=${arg#*=} ;;
        qmp4j.agent_block=*) AGENT_BLOCK=${arg#*=} ;;
    esac
done

# Modules, dependencies first. Failures of optional accelerators (e.g. crc32c-intel on a CPU
# without SSE4.2) are harmless and only logged.
while read -r mod; do
    [ -n "$mod" ] || continue
    out=$(insmod "$mod" 2>&1) || echo "insmod $mod failed: $out" >> $LOG
done < /etc/qmp4j-modules

link_ports() {
    mkdir -p /dev/virtio-ports
    for p in /sys/class/virtio-ports/*; do
        [ -r "$p/name" ] || continue
        n=$(cat "$p/name" 2>/dev/null)
        [ -n "$n" ] && [ -e "/dev/${p##*/}" ] || continue
        [ "$(readlink "/dev/virtio-ports/$n")" = "../${p##*/}" ] || ln -sfn "../${p##*/}" "/dev/virtio-ports/$n"
    done
}

# Wait briefly for the block device nodes and for named virtio ports (port names arrive
# asynchronously over the virtio-serial control queue).
i=0
while [ $i -lt 50 ]; do
    ok=1
    for b in /sys/block/vd*; do
        [ -e "$b" ] || continue
        [ -b "/dev/${b##*/}" ] || ok=0
    done
    for p in /sys/class/virtio-ports/*; do
        [ -e "$p" ] || continue
        [ -n "$(cat "$p/name" 2>/dev/null)" ] || ok=0
    done
    [ $ok = 1 ] && break
    usleep 100000
    i=$((i + 1))
done
link_ports

# Mount every whole virtio disk holding an ext2/3/4 file system (magic 0xEF53 at offset 1080).
MOUNTED=
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    dev=/dev/${b##*/}
    magic=$(dd if="$dev" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')
    if [ "$magic" != "53ef" ]; then
        say "$dev: no ext4 file system, not mounted"
        continue
    fi
    mnt=/mnt/${b##*/}
    mkdir -p "$mnt"
    if mount -t ext4 "$dev" "$mnt" 2>>$LOG || mount -t ext4 -o ro "$dev" "$mnt" 2>>$LOG; then
        MOUNTED="$MOUNTED ${b##*/}"
    else
        rmdir "$mnt"
        say "$dev: mount failed"
    fi
done

# The guest agent, respawned whenever it exits.
if [ "$AGENT" != 0 ]; then
    GA_ARGS="-m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -f /run/qemu-ga.pid -t /run/qemu-ga -l /run/qemu-ga.log --fsfreeze-hook=/etc/qmp4j-fsfreeze-hook"
    [ "$VERBOSE" != 0 ] && GA_ARGS="$GA_ARGS -v"
    [ -n "$AGENT_BLOCK" ] && GA_ARGS="$GA_ARGS -b $AGENT_BLOCK"
    mkdir -p /run/qemu-ga
    (
        while :; do
            link_ports
            if [ -e /dev/virtio-ports/org.qemu.guest_agent.0 ]; then
                # qemu-ga writes its -f pid file only with -d, so record the pid here.
                qemu-ga $GA_ARGS </dev/null >>/run/qemu-ga.log 2>&1 &
                echo $! > /run/qemu-ga.pid
                wait $!
                rc=$?
                rm -f /run/qemu-ga.pid
                echo "qmp4j: qemu-ga exited (status $rc), restarting"
            fi
            sleep 1
        done
    ) &
fi

if [ "$WORKLOAD" != 0 ] && [ -n "$MOUNTED" ]; then
    # Let the agent get going first (the single TCG vCPU is slow): wait up to 5 s for it to
    # create its state file.
    if [ "$AGENT" != 0 ] && [ -e /dev/virtio-ports/org.qemu.guest_agent.0 ]; then
        i=0; while [ ! -e /run/qemu-ga/qga.state ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
    fi
    qmp4j-workload start >> $LOG 2>&1
fi

echo "QMP4J-GUEST-READY agent=$AGENT workload=$WORKLOAD disks=$(echo $MOUNTED | tr ' ' ',') uptime=$(cut -d' ' -f1 /proc/uptime)"

# PID 1 must never exit; the shell also reaps orphaned children while waiting here.
while :; do
    sleep 3600 &
    wait
done
EOF
chmod 755 "$ROOT/init"

# --- pack ---------------------------------------------------------------------------------------
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
    | gzip -6 > "$TMP/initramfs.cpio.gz"
cp "$KERNEL" "$TMP/vmlinuz"
echo "$STAMP" > "$TMP/stamp"
chmod 644 "$TMP/vmlinuz" "$TMP/initramfs.cpio.gz" "$TMP/stamp"

# Each rename is atomic; the stamp goes last, so an interrupted update is never seen as current.
rm -f "$OUT_STAMP"
mv -f "$TMP/vmlinuz" "$OUT_KERNEL"
mv -f "$TMP/initramfs.cpio.gz" "$OUT_INITRD"
mv -f "$TMP/stamp" "$OUT_STAMP"
log "built $(du -h "$OUT_INITRD" | cut -f1) initramfs; modules in load order: $(printf '%s ' "${MODFILES[@]##*/}")"
print_result
