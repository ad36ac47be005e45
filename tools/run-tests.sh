#!/bin/bash
# Builds virtmig (normal and ASan+UBSan) and runs the whole test suite.
# Ends with one line: "N passed, N failed".
#
# The two builds' suites run side by side: the ASan+UBSan one in a
# network namespace of its own (unshare --net, with its own loopback),
# so both may use the same 127.0.0.x addresses and ports.  Without
# unshare they run one after the other.
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh --asan || { echo "0 passed, 1 failed"; exit 1; }

# Normal build: every suite.  ASan+UBSan build: the same tests (the
# daemons' exit status carries leaks and errors), except the test
# guest's own boot tests, which exercise QEMU and the guest rather than
# virtmig's code, and the tests between two stock libvirtd daemons
# (suite stockpeers), whose only virtmig code is a command the normal
# run already covers.
run_normal() {
    meson test -C build --num-processes 2 --print-errorlogs
}
run_asan() {
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-asan --num-processes 2 --print-errorlogs \
        --no-suite guest --no-suite stockpeers
}

status=0
if [ "${VIRTMIG_TESTS_SEQUENTIAL:-0}" != 1 ] && unshare --net true 2>/dev/null; then
    asan_out=build-asan/meson-logs/run-tests.out
    export -f run_asan
    unshare --net bash -c 'ip link set lo up && run_asan' >"$asan_out" 2>&1 &
    asan_pid=$!
    run_normal || status=1
    wait "$asan_pid" || status=1
    echo "== ASan+UBSan build"
    cat "$asan_out"
else
    run_normal || status=1
    run_asan || status=1
fi

/usr/bin/python3 tools/test-summary.py build/meson-logs/testlog.json \
    build-asan/meson-logs/testlog.json
exit $status
