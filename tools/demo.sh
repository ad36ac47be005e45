#!/bin/bash
# virtmig demo: builds virtmig, starts a virtmigd "host" in a private
# root listening on 127.0.0.2, and boots the built-in test guest through
# the stock virsh, printing progress and the result.
#
# (Milestone 1 turns this into a live migration with postcopy between
# two daemons once the migration issues land.)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

echo "== building (installs missing Debian packages first)"
bash tools/setup.sh

BUILD=$SRC/build
DEMO=$(mktemp -d /tmp/virtmig-demo-XXXXXX)
HOST=127.0.0.2
URI="qemu+tcp://$HOST/system"
VIRSH="virsh -q -c $URI"
DAEMON_PID=

cleanup() {
    set +e
    if [ -n "$DAEMON_PID" ]; then
        $VIRSH destroy virtmig-demo >/dev/null 2>&1
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    rm -rf "$DEMO"
}
trap cleanup EXIT

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then VIRTTYPE=kvm; else VIRTTYPE=qemu; fi
echo "== accelerator: $VIRTTYPE"

echo "== preparing the test guest (64 MiB dirtied at 32 MiB/s)"
"$BUILD/tests/guest/virtmig-guest-image" -i "$BUILD/tests/guest/virtmig-guest.img" \
    -o "$DEMO/guest.img" --size-mib 64 --rate-mib 32
MEMORY=$("$BUILD/tests/guest/virtmig-guest-image" -i "$DEMO/guest.img" --show |
         sed -n 's/.*memory-mib=\([0-9]*\).*/\1/p')
MEMORY=$((MEMORY + 64))
sed -e "s#@VIRTTYPE@#$VIRTTYPE#" -e "s#@IMAGE@#$DEMO/guest.img#" \
    -e "s#@SERIAL@#$DEMO/serial.log#" -e "s#@MEMORY@#$MEMORY#" \
    tools/demo-guest.xml > "$DEMO/guest.xml"

echo "== starting virtmigd (root $DEMO/src, listening on $HOST)"
"$BUILD/src/virtmigd" --root "$DEMO/src" --listen-tcp "$HOST" \
    2> "$DEMO/virtmigd.log" &
DAEMON_PID=$!
for _ in $(seq 100); do
    [ -S "$DEMO/src/run/virtmigd-sock" ] && break
    kill -0 "$DAEMON_PID" || { cat "$DEMO/virtmigd.log"; exit 1; }
    sleep 0.1
done
echo "   virsh -c $URI version:"
$VIRSH version | sed 's/^/     /'

echo "== defining and starting the guest"
$VIRSH define "$DEMO/guest.xml"
$VIRSH start virtmig-demo
echo "   state: $($VIRSH domstate --reason virtmig-demo)"

echo "== waiting for the guest's memory passes on its serial port"
deadline=$((SECONDS + 120))
while [ "$(grep -c '^pass' "$DEMO/serial.log" 2>/dev/null || true)" -lt 3 ]; do
    if [ $SECONDS -gt $deadline ]; then
        echo "RESULT: FAILED (no passes on the serial port)"; cat "$DEMO/serial.log"; exit 1
    fi
    sleep 0.2
done
sed 's/^/   serial: /' "$DEMO/serial.log" | tr -d '\r'

echo "== dominfo"
$VIRSH dominfo virtmig-demo | sed 's/^/   /'
echo "== suspend / resume"
$VIRSH suspend virtmig-demo >/dev/null
echo "   state: $($VIRSH domstate --reason virtmig-demo)"
$VIRSH resume virtmig-demo >/dev/null
echo "   state: $($VIRSH domstate --reason virtmig-demo)"
$VIRSH destroy virtmig-demo >/dev/null
echo "   state: $($VIRSH domstate --reason virtmig-demo)"
echo "RESULT: OK (the test guest booted under virtmigd and dirtied memory pass after pass)"
