#!/bin/bash
# Builds virtmig (normal and ASan+UBSan) and runs the whole test suite.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh --asan || { echo "0 passed, 1 failed"; exit 1; }

status=0
# Normal build: every suite.  ASan+UBSan build: the same tests (the
# daemons' exit status carries leaks and errors), except the test
# guest's own boot tests, which exercise QEMU and the guest rather than
# virtmig's code.
meson test -C build --num-processes 2 --print-errorlogs || status=1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --num-processes 2 --print-errorlogs \
    --no-suite guest || status=1

/usr/bin/python3 tools/test-summary.py build/meson-logs/testlog.json \
    build-asan/meson-logs/testlog.json
exit $status
