#!/usr/bin/python3
"""virtmig-migrate (tools/virtmig-migrate) between two virtmigd daemons:
a slowly dirtying guest completes in precopy without a switch, a guest
dirtying faster than the bandwidth cap is switched to post-copy by the
adaptive policy and completes, and with post-copy forbidden a migration
without progress is aborted by --progress-timeout.  The same cases run
between two stock libvirtd 9.0 daemons (libvirtdlib): the command is a
libvirt tool, on libvirt.so's public API only.  Run by meson (suite e2e)
as `migratetooltest.py COMMAND virtmigd|libvirtd`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Pair  # noqa: E402
from libvirtdlib import LibvirtdHost, relax_cpu_check  # noqa: E402

TOOL = None
PEER = "virtmigd"
BANDWIDTH = "40"        # MiB/s: far below what the unthrottled guest dirties


class LibvirtdPair:
    """Two isolated stock libvirtd daemons, source and destination."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="migratetooltest-")
        self.src = self.dst = None
        try:
            self.src = LibvirtdHost(self.workdir, "lsrc", "127.0.0.8")
            self.dst = LibvirtdHost(self.workdir, "ldst", "127.0.0.9")
        except BaseException:
            self.close()
            raise

    def close(self):
        for h in (self.src, self.dst):
            if h:
                h.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class MigrateToolTest(unittest.TestCase):
    # virtmigd: a fresh pair per case.  libvirtd: one pair for the class
    # (a stock libvirtd takes seconds to start), cleaned between cases.
    shared = None

    @classmethod
    def setUpClass(cls):
        if PEER == "libvirtd":
            cls.shared = LibvirtdPair()

    @classmethod
    def tearDownClass(cls):
        if cls.shared:
            cls.shared.close()

    def setUp(self):
        self.pair = self.shared or Pair()
        self.src = self.pair.src
        self.dst = self.pair.dst
        self.timeline = os.path.join(self.pair.workdir, "timeline.jsonl")

    def tearDown(self):
        if not self.shared:
            self.pair.close()
            return
        for h in (self.src, self.dst):
            for name in h.out("list", "--all", "--name").split():
                h.virsh("destroy", name, check=False)
                h.virsh("undefine", name, check=False)

    def start_guest(self, rate_mib, size_mib=32):
        # rate 0: rewrites its range as fast as the vCPU can
        g = Guest(self.pair.workdir, "mt", size_mib=size_mib, rate_mib=rate_mib)
        if PEER == "libvirtd":
            relax_cpu_check(g.xml)
        self.src.out("define", g.xml)
        self.src.out("start", g.name)
        g.wait_pass_after(0)
        return g

    def migrate(self, g, *options):
        """Runs the command with --json; returns its exit code, the
        objects it printed and its stderr."""
        res = subprocess.run([TOOL, "-c", self.src.uri, "--json", "--unsafe",
                              "--bandwidth", BANDWIDTH, "--timeline", self.timeline]
                             + list(options) + [g.name, self.dst.uri],
                             capture_output=True, text=True, timeout=120)
        objs = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
        return res.returncode, objs, res.stderr

    def events(self, objs, name):
        return [o for o in objs if o["event"] == name]

    def assert_timeline(self):
        with open(self.timeline) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        self.assertGreater(len(lines), 3, "the timeline has samples")

    def assert_arrived(self, g):
        self.assertEqual(self.dst.out("domstate", g.name), "running")
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "shut off (migrated)")
        g.wait_pass_after(g.last_pass())
        rc, out = g.check_memory(self.dst.uri)
        self.assertEqual(rc, 0, out)

    def test_slow_guest_precopy(self):
        g = self.start_guest(rate_mib=8, size_mib=16)
        rc, objs, err = self.migrate(g)
        self.assertEqual(rc, 0, err)
        outcome = self.events(objs, "outcome")
        self.assertEqual(outcome[-1]["outcome"], "completed in precopy", objs[-3:])
        self.assertFalse([d for d in self.events(objs, "decision")
                          if d.get("action") == "postcopy"], objs)
        self.assertFalse(self.events(objs, "postcopy"))
        self.assertTrue(self.events(objs, "stats"))
        self.assertTrue(self.events(objs, "completed"))
        self.assert_timeline()
        self.assert_arrived(g)

    def test_fast_guest_switches_to_postcopy(self):
        g = self.start_guest(rate_mib=0, size_mib=64)
        # the plot is kept as an artifact, to be looked at
        artifacts = os.path.join(os.environ.get("VIRTMIG_BUILD_DIR", "build"), "tests",
                                 "migratetooltest")
        os.makedirs(artifacts, exist_ok=True)
        plot = os.path.join(artifacts, "postcopy-auto-%s.png" % PEER)
        if os.path.exists(plot):
            os.unlink(plot)
        rc, objs, err = self.migrate(g, "--postcopy", "auto", "--plot", plot)
        self.assertEqual(rc, 0, err)
        switches = [d for d in self.events(objs, "decision")
                    if d.get("action") == "postcopy"]
        self.assertEqual(len(switches), 1, objs)
        self.assertNotIn("refused", switches[0]["text"])
        # the source reported the switch, after the decision
        self.assertTrue(self.events(objs, "postcopy"))
        self.assertEqual(self.events(objs, "outcome")[-1]["outcome"],
                         "completed in post-copy")
        self.assertNotIn("cannot draw", err)
        self.assertGreater(os.path.getsize(plot), 0)
        shutil.copy(self.timeline, os.path.join(artifacts, "postcopy-auto-%s.jsonl" % PEER))
        self.assert_timeline()
        self.assert_arrived(g)

    def test_no_progress_aborts(self):
        g = self.start_guest(rate_mib=0, size_mib=64)
        rc, objs, err = self.migrate(g, "--postcopy", "never", "--progress-timeout", "3")
        self.assertEqual(rc, 3, err + str(objs[-3:]))
        aborts = [d for d in self.events(objs, "decision") if d.get("action") == "abort"]
        self.assertEqual(len(aborts), 1, objs)
        self.assertFalse(self.events(objs, "postcopy"))
        self.assertTrue(self.events(objs, "outcome")[-1]["outcome"].startswith("aborted"))
        self.assertEqual(self.src.out("domstate", "--reason", g.name), "running (booted)")
        self.assertNotIn(g.name, self.dst.out("list", "--all", "--name").split())
        # still dirtying its memory on the source
        g.wait_pass_after(g.last_pass())
        self.assert_timeline()


if __name__ == "__main__":
    TOOL = sys.argv.pop(1)
    if len(sys.argv) > 1 and sys.argv[1] in ("virtmigd", "libvirtd"):
        PEER = sys.argv.pop(1)
    unittest.main(verbosity=2)
