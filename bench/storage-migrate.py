#!/usr/bin/python3
"""Storage migration: copy time against disk size, with and without the
guest writing its disk.

Starts two virtmigd daemons (127.0.0.2 -> 127.0.0.3, the end-to-end
tests' harness, tests/qemumigrationtest/migrationlib.py) and for each
data disk size migrates the test guest with

    virsh migrate --live --copy-storage-all --xml DEST.xml GUEST DEST

where the guest has its 1 MiB boot disk and a data disk of SIZE MiB
filled with non-zero data (so that nothing is skipped as zeros), the
destination XML puts both at new paths (the destination creates them).
"writing" runs the guest with its disk writer on (256 sectors rewritten
at 64 sectors/s on the boot disk).  Printed per run: the wall time of
virsh migrate, the copy's size from domjobinfo (disk_total), the time
the whole job took (time_elapsed) and the memory part's own time as
QEMU reports it, so the storage part is the difference; then a
baseline migration of the same guest without storage copy (--unsafe).
Every image, daemon and QEMU is removed at the end.

  VIRTMIG_BUILD_DIR=build /usr/bin/python3 bench/storage-migrate.py \
      [--sizes 64,256,1024] [--runs 2]
"""
import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "qemumigrationtest"))
from migrationlib import Guest, Pair  # noqa: E402

MIB = 1024 * 1024


def data_disk(path, size_mib):
    block = bytes(range(256)) * 4096          # 1 MiB, no zero runs
    with open(path, "wb") as f:
        for i in range(size_mib):
            f.write(block[i % 256:] + block[:i % 256])


def raw_stats(host, name):
    out = host.out("domjobinfo", "--completed", "--rawstats", name)
    stats = {}
    for line in out.splitlines():
        m = re.match(r"(\w+):\s+(\S+)", line)
        if m:
            stats[m.group(1)] = m.group(2)
    return stats


def run(pair, size_mib, writing, copy, index):
    name = "bench%d" % index
    g = Guest(pair.workdir, name, 32, 8, *((256, 64) if writing else (0, 0)))
    data = os.path.join(pair.workdir, name + "-data.img")
    data_disk(data, size_mib)
    with open(g.xml) as f:
        xml = f.read().replace("    <serial", (
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='raw'/>\n"
            "      <source file='%s'/>\n"
            "      <target dev='vdb' bus='virtio'/>\n"
            "    </disk>\n    <serial") % data, 1)
    with open(g.xml, "w") as f:
        f.write(xml)
    pair.src.out("define", g.xml)
    pair.src.out("start", name)
    g.wait_pass_after(0)
    dxml = pair.src.out("dumpxml", "--migratable", name)
    for path in (g.image, data):
        dxml = dxml.replace("'%s'" % path, "'%s'" % (path + ".dst"))
    dpath = os.path.join(pair.workdir, name + "-dst.xml")
    with open(dpath, "w") as f:
        f.write(dxml)
    flags = ["--copy-storage-all", "--xml", dpath] if copy else ["--unsafe"]
    start = time.monotonic()
    pair.src.virsh("migrate", "--live", *flags, name, pair.dst.uri, timeout=900)
    wall = (time.monotonic() - start) * 1000
    stats = raw_stats(pair.src, name)
    pair.dst.out("destroy", name)
    pair.src.virsh("undefine", name, check=False)
    for path in (g.image, data, g.image + ".dst", data + ".dst"):
        if os.path.exists(path):
            os.unlink(path)
    return {
        "disk_mib": size_mib if copy else 0,
        "writing": "yes" if writing else "no",
        "wall_ms": wall,
        "job_ms": float(stats.get("time_elapsed", "nan")),
        "copied_mib": int(stats.get("disk_total", "0")) / MIB,
        "memory_mib": int(stats.get("memory_processed", "0")) / MIB,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="64,256,1024",
                    help="data disk sizes in MiB (comma separated)")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pair = Pair()
    rows = []
    index = 0
    try:
        for r in range(args.runs):
            for size in sizes:
                for writing in (False, True):
                    index += 1
                    rows.append(run(pair, size, writing, True, index))
                    print("run %d: %s" % (r + 1, rows[-1]), flush=True)
            index += 1
            rows.append(run(pair, 0, False, False, index))
            print("run %d: %s" % (r + 1, rows[-1]), flush=True)
    finally:
        pair.close()
    print("\n%-9s %-8s %11s %10s %11s %11s %12s" % (
        "disk_MiB", "writing", "copied_MiB", "memory_MiB", "job_ms", "wall_ms",
        "MiB/s_disk"))
    for row in rows:
        rate = (row["copied_mib"] / (row["wall_ms"] / 1000)) if row["copied_mib"] else 0
        print("%-9d %-8s %11.1f %10.1f %11.0f %11.0f %12.0f" % (
            row["disk_mib"], row["writing"], row["copied_mib"], row["memory_mib"],
            row["job_ms"], row["wall_ms"], rate))


if __name__ == "__main__":
    main()
