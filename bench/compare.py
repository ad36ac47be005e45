#!/usr/bin/python3
"""virtmigd side by side with stock libvirtd 9.0, in one run, interleaved.

Starts two virtmigd daemons (127.0.0.2 -> 127.0.0.3) and two stock
libvirtd 9.0 daemons (127.0.0.4 -> 127.0.0.5, each isolated in its own
mount namespace as the cross-migration tests do: see
tests/qemumigrationtest/libvirtdlib.py), and for each scenario and
repetition runs, in rotating order: the QMP floor (QEMU's own migration,
no management layer: qmpbench.py), `virsh migrate` through virtmigd, and
the same through libvirtd.  Then the daemons' own figures: start ->
first RPC, the first `capabilities` (libvirtd probes QEMU cold, as after
installation), `virsh start`, list latency, RSS idle / with guests /
after the migrations.

Prints a table per scenario and daemon, a table of daemon figures, and
a last line

    overhead_ratio=R downtime_ratio=R rss_ratio=R

(virtmigd / libvirtd; overhead = `virsh migrate` wall time minus the
floor's time until the guest runs on the destination, medians over the
runs; the destination QEMU's start-up, which any management layer pays,
is shown apart).  `--quick` runs a subset in about 5 minutes.  Exits 1
when a run fails or its guest checks fail, 2 on a setup error.  Run as
root with /usr/bin/python3 (python3-libvirt).  See bench/README.md.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "qemumigrationtest"))

from benchlib import (BenchError, Scenario, WorkDir, find_build, fmt,  # noqa: E402
                      free_port, log, make_image, pick_accel, run_ok)
from qmpbench import run_qmp  # noqa: E402
import virshbench  # noqa: E402

LIBVIRTD_ADDRS = ("127.0.0.4", "127.0.0.5")
VIRTMIGD_ADDRS = ("127.0.0.2", "127.0.0.3")
IMPLS = ("virtmigd", "libvirtd")
# guests running on the source for "RSS with guests" and list latency
IDLE_GUESTS = 4
LIST_CALLS = 200


def scenarios(quick):
    """(label, Scenario, p2p).  The guest and caps as virsh-migrate.py's
    matrix; --quick keeps one of each kind."""
    out = [
        ("precopy 8", Scenario("precopy", 64, 8, 64), False),
        ("postcopy max", Scenario("postcopy", 64, 0, 64), False),
        ("p2p precopy 8", Scenario("precopy", 64, 8, 64), True),
    ]
    if not quick:
        out += [
            ("precopy 32", Scenario("precopy", 64, 32, 64), False),
            ("p2p postcopy max", Scenario("postcopy", 64, 0, 64), True),
            ("precopy 8 bw 200", Scenario("precopy", 64, 8, 200), False),
        ]
    return out


# --- the daemons ----------------------------------------------------------

def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as fp:
            for line in fp:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Stock:
    """A libvirtd peer behind virshbench's daemon interface."""

    def __init__(self, workdir, name, addr):
        import libvirtdlib
        self.host = libvirtdlib.LibvirtdHost(workdir, name, addr,
                                             seed_caps=False, wait=False)
        self.uri = self.host.uri
        self.log_path = os.path.join(workdir, name + ".no-phase-log")
        self.pid = self.host.proc.pid

    def stop(self):
        virshbench.Daemon.destroy_all(self)
        self.host.stop()


class Ours(virshbench.Daemon):
    def __init__(self, build, workdir, name, addr):
        super().__init__(build, os.path.join(workdir, name), addr, free_port(addr))
        self.start(wait=False)
        self.pid = self.proc.pid


def first_rpc_ms(uri, t0, deadline=60):
    """Polls until a connection answers one call; ms since @t0."""
    import libvirt
    libvirt.registerErrorHandler(lambda *a: None, None)
    end = time.time() + deadline
    while time.time() < end:
        try:
            conn = libvirt.open(uri)
            conn.getLibVersion()
            conn.close()
            return (time.time() - t0) * 1000.0
        except libvirt.libvirtError:
            time.sleep(0.01)
    raise BenchError("%s does not answer" % uri)


def capabilities_ms(uri):
    import libvirt
    conn = libvirt.open(uri)
    try:
        t = time.time()
        conn.getCapabilities()
        return (time.time() - t) * 1000.0
    finally:
        conn.close()


def start_pair(impl, build, work):
    """The two daemons of @impl and their start-up figures."""
    figures = {}
    t0 = time.time()
    if impl == "virtmigd":
        pair = [Ours(build, work, n, a) for n, a in zip(("src", "dst"), VIRTMIGD_ADDRS)]
    else:
        pair = [Stock(work, n, a) for n, a in zip(("lsrc", "ldst"), LIBVIRTD_ADDRS)]
    figures["first_rpc_ms"] = first_rpc_ms(pair[0].uri, t0)
    first_rpc_ms(pair[1].uri, t0)
    figures["first_caps_ms"] = capabilities_ms(pair[0].uri)
    capabilities_ms(pair[1].uri)
    figures["rss_idle_kib"] = sum(rss_kib(d.pid) or 0 for d in pair)
    return pair, figures


def guests_figures(impl, pair, build, accel, work):
    """RSS with IDLE_GUESTS running on the source and list latency."""
    import libvirt
    figures = {}
    names = []
    try:
        for i in range(IDLE_GUESTS):
            name = "cmp-idle-%d" % i
            image = os.path.join(work, name + ".img")
            params = make_image(build, image, 16, 8)
            xml = os.path.join(work, name + ".xml")
            virshbench.write_xml(xml, name, accel, params["memory-mib"], image,
                                 os.path.join(work, name + ".serial"))
            virshbench.virsh(pair[0].uri, "define", xml, check=True)
            names.append(name)
            t = time.time()
            virshbench.virsh(pair[0].uri, "start", name, check=True, timeout=120)
            figures.setdefault("starts", []).append((time.time() - t) * 1000.0)
        figures["rss_guests_kib"] = sum(rss_kib(d.pid) or 0 for d in pair)
        conn = libvirt.open(pair[0].uri)
        try:
            times = []
            for _ in range(LIST_CALLS):
                t = time.perf_counter()
                conn.listAllDomains(0)
                times.append((time.perf_counter() - t) * 1e6)
            figures["list_us"] = statistics.median(times)
        finally:
            conn.close()
    finally:
        for name in names:
            virshbench.virsh(pair[0].uri, "destroy", name, timeout=60)
            virshbench.virsh(pair[0].uri, "undefine", name, timeout=60)
    figures["virsh_start_ms"] = statistics.median(figures.pop("starts"))
    return figures


# --- the runs --------------------------------------------------------------

def run_one(kind, build, accel, scn, p2p, pairs, seq, args):
    if kind == "floor":
        return run_qmp(build, accel, scn, args.keep, True)
    return virshbench.run_virsh(build, accel, scn, pairs[kind], seq, args.keep,
                                args.quiet, p2p)


def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def summarize(runs):
    """Per scenario and kind: medians of the figures of completed runs."""
    table = {}
    for (label, kind), results in runs.items():
        done = [r for r in results if r.get("result") == "completed"]
        row = {"runs": "%d/%d" % (len(done), len(results))}
        for key in ("virsh_ms", "wall_ms", "downtime_ms", "iterations",
                    "dst_start_ms", "virsh_start_ms"):
            row[key] = median([r.get(key) for r in done])
        table[(label, kind)] = row
    for (label, kind), row in table.items():
        floor = table.get((label, "floor"), {})
        if kind != "floor" and floor.get("wall_ms") and row.get("virsh_ms"):
            row["overhead_ms"] = row["virsh_ms"] - floor["wall_ms"]
            row["to_running_ms"] = row["wall_ms"] - floor["wall_ms"] \
                if row.get("wall_ms") else None
    return table


def print_rows(header, rows):
    rows = [header] + [[fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b <= 0:
        return None
    return a / b


def fmt_ratio(r):
    return "-" if r is None else "%.2f" % r


def report(labels, table, daemon_figs):
    print()
    print("== migrations (medians; ms; overhead = virsh migrate - floor's "
          "time to running; dst QEMU start-up is the floor's)")
    rows = []
    for label in labels:
        floor = table.get((label, "floor"), {})
        rows.append([label, "floor", floor.get("runs"), "-", floor.get("wall_ms"), "-",
                     floor.get("downtime_ms"), floor.get("iterations"),
                     floor.get("dst_start_ms")])
        for kind in IMPLS:
            row = table.get((label, kind), {})
            rows.append([label, kind, row.get("runs"), row.get("virsh_ms"),
                         row.get("wall_ms"), row.get("overhead_ms"),
                         row.get("downtime_ms"), row.get("iterations"), "-"])
    print_rows(["scenario", "who", "ok", "virsh", "running", "overhead", "downtime",
                "iter", "dst-qemu-start"], rows)

    print()
    print("== daemons (source + destination)")
    keys = [("first_rpc_ms", "start -> first RPC (ms)"),
            ("first_caps_ms", "first capabilities (ms)"),
            ("virsh_start_ms", "virsh start (ms)"),
            ("list_us", "list all domains (us, %d guests)" % IDLE_GUESTS),
            ("rss_idle_kib", "RSS idle (KiB)"),
            ("rss_guests_kib", "RSS with %d guests (KiB)" % IDLE_GUESTS),
            ("rss_after_kib", "RSS after the migrations (KiB)")]
    rows = []
    for key, title in keys:
        a, b = daemon_figs["virtmigd"].get(key), daemon_figs["libvirtd"].get(key)
        rows.append([title, a, b, fmt_ratio(ratio(a, b))])
    print_rows(["figure", "virtmigd", "libvirtd", "ratio"], rows)

    over = [ratio(table.get((lb, "virtmigd"), {}).get("overhead_ms"),
                  table.get((lb, "libvirtd"), {}).get("overhead_ms")) for lb in labels]
    down = [ratio(table.get((lb, "virtmigd"), {}).get("downtime_ms"),
                  table.get((lb, "libvirtd"), {}).get("downtime_ms")) for lb in labels]
    rss = ratio(daemon_figs["virtmigd"].get("rss_after_kib"),
                daemon_figs["libvirtd"].get("rss_after_kib"))
    print()
    print("overhead_ratio=%s downtime_ratio=%s rss_ratio=%s"
          % (fmt_ratio(median([r for r in over if r is not None])),
             fmt_ratio(median([r for r in down if r is not None])), fmt_ratio(rss)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", help="build directory (default: $VIRTMIG_BUILD "
                        "or SOURCE/build)")
    parser.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="auto")
    parser.add_argument("--quick", action="store_true",
                        help="3 scenarios, 1 run each (about 5 minutes)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each scenario and daemon (default 3, "
                        "--quick 1)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)

    def on_signal(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    status = 0
    pairs = {}
    work = None
    try:
        build = find_build(args.build)
        os.environ.setdefault("VIRTMIG_BUILD_DIR", build)
        accel = pick_accel(args.accel)
        work = WorkDir("virtmig-compare-", args.keep)
        log("accel %s, build %s, work %s" % (accel, build, work.path), args.quiet)
        daemon_figs = {}
        for impl in IMPLS:
            pairs[impl], daemon_figs[impl] = start_pair(impl, build, work.path)
            log("%s: %s" % (impl, daemon_figs[impl]), args.quiet)
        for impl in IMPLS:
            daemon_figs[impl].update(guests_figures(impl, pairs[impl], build, accel,
                                                    work.path))
        runs = {}
        labels = []
        seq = 0
        order = ["floor"] + list(IMPLS)
        for label, scn, p2p in scenarios(args.quick):
            labels.append(label)
            for rep in range(repeat):
                # rotate: no daemon always runs right after the floor
                turn = order[rep % 3:] + order[:rep % 3]
                for kind in turn:
                    seq += 1
                    log("%s: %s, run %d" % (kind, label, rep + 1), args.quiet)
                    res = run_one(kind, build, accel, scn, p2p, pairs, seq, args)
                    runs.setdefault((label, kind), []).append(res)
                    if not run_ok(res):
                        status = 1
                        log("  %s: %s, check %s" % (kind, res.get("result"),
                                                    res.get("check")), args.quiet)
        for impl in IMPLS:
            daemon_figs[impl]["rss_after_kib"] = sum(rss_kib(d.pid) or 0
                                                     for d in pairs[impl])
        report(labels, summarize(runs), daemon_figs)
    except BenchError as err:
        print("compare: " + str(err), file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        status = 130
    finally:
        for pair in pairs.values():
            for d in reversed(pair):
                try:
                    d.stop()
                except (subprocess.SubprocessError, OSError, AssertionError) as err:
                    log("stopping %s: %s" % (d.uri, err))
        if work is not None:
            virshbench.kill_leftover_qemus(work.path)
            work.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
