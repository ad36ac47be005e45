#!/bin/bash
# virtmig demo: builds virtmig, starts two virtmigd "hosts" (source on
# 127.0.0.2, destination on 127.0.0.3, each with its own root), boots the
# built-in test guest on the source through the stock virsh, and
# live-migrates it with post-copy while it rewrites its memory faster
# than the link may carry; then checks the guest runs on the destination
# with its memory intact.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

echo "== building (installs missing Debian packages first)"
bash tools/setup.sh

BUILD=$SRC/build
DEMO=$(mktemp -d /tmp/virtmig-demo-XXXXXX)
SRC_URI="qemu+tcp://127.0.0.2/system"
DST_URI="qemu+tcp://127.0.0.3/system"
SRC_VIRSH="virsh -q -c $SRC_URI"
DST_VIRSH="virsh -q -c $DST_URI"
PIDS=()

cleanup() {
    set +e
    $SRC_VIRSH destroy virtmig-demo >/dev/null 2>&1
    $DST_VIRSH destroy virtmig-demo >/dev/null 2>&1
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    rm -rf "$DEMO"
}
trap cleanup EXIT

start_daemon() {   # NAME ADDR
    "$BUILD/src/virtmigd" --root "$DEMO/$1" --listen-tcp "$2" 2> "$DEMO/$1.log" &
    PIDS+=($!)
    for _ in $(seq 100); do
        [ -S "$DEMO/$1/run/virtmigd-sock" ] && return 0
        sleep 0.1
    done
    cat "$DEMO/$1.log"; return 1
}

passes() { grep -c '^pass' "$DEMO/serial.log" 2>/dev/null || true; }

wait_passes() {   # N
    local deadline=$((SECONDS + 120))
    while [ "$(passes)" -lt "$1" ]; do
        if [ $SECONDS -gt $deadline ]; then
            echo "RESULT: FAILED (the guest printed no pass)"; exit 1
        fi
        sleep 0.2
    done
}

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then VIRTTYPE=kvm; else VIRTTYPE=qemu; fi
echo "== accelerator: $VIRTTYPE"

echo "== preparing the test guest (64 MiB rewritten as fast as it can)"
"$BUILD/tests/guest/virtmig-guest-image" -i "$BUILD/tests/guest/virtmig-guest.img" \
    -o "$DEMO/guest.img" --size-mib 64 --rate 0 >/dev/null
MEMORY=$("$BUILD/tests/guest/virtmig-guest-image" -i "$DEMO/guest.img" --show |
         sed -n 's/.*memory-mib=\([0-9]*\).*/\1/p')
sed -e "s#@VIRTTYPE@#$VIRTTYPE#" -e "s#@IMAGE@#$DEMO/guest.img#" \
    -e "s#@SERIAL@#$DEMO/serial.log#" -e "s#@MEMORY@#$((MEMORY + 64))#" \
    tools/demo-guest.xml > "$DEMO/guest.xml"

echo "== starting virtmigd: source on 127.0.0.2, destination on 127.0.0.3"
start_daemon src 127.0.0.2
start_daemon dst 127.0.0.3
$SRC_VIRSH version | sed 's/^/   /'

echo "== defining and starting the guest on the source"
$SRC_VIRSH define "$DEMO/guest.xml" >/dev/null
$SRC_VIRSH start virtmig-demo >/dev/null
wait_passes 2
echo "   source: $($SRC_VIRSH domstate --reason virtmig-demo); guest at pass $(passes)"

echo "== virsh migrate --live --postcopy --postcopy-after-precopy --bandwidth 40 (MiB/s)"
( $SRC_VIRSH event --all --loop --timeout 120 > "$DEMO/events" 2>&1 & echo $! > "$DEMO/events.pid" )
sleep 0.5
start=$(date +%s%N)
$SRC_VIRSH migrate --live --unsafe --postcopy --postcopy-after-precopy --verbose \
    --bandwidth 40 virtmig-demo "$DST_URI"
end=$(date +%s%N)
kill "$(cat "$DEMO/events.pid")" 2>/dev/null || true
echo "   virsh migrate took $(( (end - start) / 1000000 )) ms"
sed 's/^/   source event: /' "$DEMO/events" | grep -v "^   source event: *$" | grep -v "^   source event: 	" || true

echo "== after the migration"
echo "   source:      $($SRC_VIRSH domstate --reason virtmig-demo)"
echo "   destination: $($DST_VIRSH domstate --reason virtmig-demo)"
$SRC_VIRSH domjobinfo --completed virtmig-demo | sed 's/^/   /'
n=$(passes)
wait_passes $((n + 1))
echo "   the guest keeps running on the destination: pass $(passes)"

echo "== checking the guest's memory on the destination"
dump=$DEMO/guest.dump
/usr/bin/python3 - "$DST_URI" "$dump" "$BUILD" "$DEMO/guest.img" <<'PY'
import re, subprocess, sys
import libvirt
uri, dump, build, image = sys.argv[1:]
show = subprocess.run([build + "/tests/guest/virtmig-guest-image", "-i", image, "--show"],
                      capture_output=True, text=True, check=True).stdout
base = int(re.search(r"base=(\d+)", show).group(1))
size = int(re.search(r"pages=(\d+)", show).group(1)) * 4096
conn = libvirt.open(uri)
dom = conn.lookupByName("virtmig-demo")
dom.suspend()
with open(dump, "wb") as f:
    for off in range(0, size, 1 << 20):
        f.write(dom.memoryPeek(base + off, min(1 << 20, size - off), libvirt.VIR_MEMORY_PHYSICAL))
dom.resume()
PY
if "$BUILD/tests/guest/virtmig-memcheck" --image "$DEMO/guest.img" "$dump"; then
    echo "RESULT: OK (live-migrated with post-copy; the guest runs on the destination, memory intact)"
else
    echo "RESULT: FAILED (memory check)"; exit 1
fi
