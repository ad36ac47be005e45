#!/usr/bin/python3
"""Migration floor: QEMU's own live migration driven directly over QMP.

For each scenario (mode x guest range size x dirty rate) this starts two
QEMUs with the command line virtmigd generates (source running the test
guest, destination with -incoming defer), waits for the guest's first
serial `pass`, migrates over tcp:127.0.0.3:PORT like a management layer
would (events, optional postcopy-ram/-preempt/-blocktime, bandwidth and
downtime parameters, migrate-incoming, migrate, MIGRATION events,
migrate-start-postcopy, cont on the destination), checks that the guest
runs on at the destination with consistent memory and prints one line
of figures.  See bench/README.md.

    /usr/bin/python3 bench/qmp-migrate.py [--build DIR] [--mode both]
        [--rates 8,32,128,0] [--size-mib 64] [--bandwidth 100] ...
    /usr/bin/python3 bench/qmp-migrate.py --probe
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (BenchError, QmpError, Qemu, WorkDir,  # noqa: E402
                      add_common_args, find_build, log, make_image,
                      pick_accel, print_table, result_line, run_ok,
                      scenarios_from_args)
from qmpbench import run_qmp  # noqa: E402

PROBE_CAPS = ["postcopy-ram", "postcopy-blocktime", "postcopy-preempt"]


def probe(build, accel):
    """Which postcopy capabilities an incoming QEMU accepts (it checks
    userfaultfd when postcopy-ram is set on the destination)."""
    work = WorkDir("virtmig-bench-probe-")
    try:
        image = os.path.join(work.path, "guest.img")
        params = make_image(build, image, 16, 16)
        dst = Qemu(work.path, "dst", image, params["memory-mib"], accel,
                   incoming=True)
        try:
            dst.start()
            for cap in PROBE_CAPS:
                try:
                    dst.qmp.cmd("migrate-set-capabilities",
                                {"capabilities": [{"capability": cap,
                                                   "state": True}]})
                    print("probe accel=%s %s=accepted" % (accel, cap))
                except QmpError as err:
                    print("probe accel=%s %s=refused (%s)"
                          % (accel, cap, err.desc))
        finally:
            dst.stop()
    finally:
        work.cleanup()


def main():
    parser = argparse.ArgumentParser(
        description="QEMU live migration over QMP, figures per run")
    add_common_args(parser)
    parser.add_argument("--libvirt-caps", action="store_true",
                        help="also enable what libvirt 9.0 always enables: "
                        "pause-before-switchover on the source (answered "
                        "with migrate-continue), late-block-activate on "
                        "the destination")
    parser.add_argument("--probe", action="store_true",
                        help="only report which postcopy capabilities a "
                        "destination QEMU accepts")
    args = parser.parse_args()
    try:
        build = find_build(args.build)
        accel = pick_accel(args.accel)
        if args.probe:
            probe(build, accel)
            return 0
        results = []
        log("accel %s, build %s" % (accel, build), args.quiet)
        for scn in scenarios_from_args(args):
            for _ in range(args.repeat):
                start = time.time()
                res = run_qmp(build, accel, scn, args.keep, args.quiet)
                print(result_line(res), flush=True)
                log("  (run took %.1f s)" % (time.time() - start),
                    args.quiet)
                results.append(res)
        if not args.quiet and len(results) > 1:
            print()
            print_table(results)
    except BenchError as err:
        print("qmp-migrate: " + str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0 if all(run_ok(res) for res in results) else 1


if __name__ == "__main__":
    sys.exit(main())
