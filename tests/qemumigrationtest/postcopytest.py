#!/usr/bin/python3
"""Post-copy live migration between two virtmigd daemons with the stock
virsh: a guest that dirties memory faster than the bandwidth cap migrates
only with post-copy.  Run by meson (suite e2e).
"""
import os
import re
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Pair, wait_for  # noqa: E402

BANDWIDTH = "40"        # MiB/s: far below what the unthrottled guest dirties


def read(path):
    with open(path) as f:
        return f.read()


# RPC calls and their failures are logged at debug level: the tests
# read them to see how a call the client does not report ended
RPC_LOG = 'log_filters = "1:rpc.netserverprogram"\n'


class PostcopyTest(unittest.TestCase):
    CONFIG = RPC_LOG

    def setUp(self):
        self.pair = Pair(self.CONFIG, self.CONFIG)
        self.src = self.pair.src
        self.dst = self.pair.dst

    def tearDown(self):
        self.pair.close()

    def start_fast_guest(self, name="pc"):
        # 64 MiB rewritten as fast as the vCPU can (GiB/s under KVM)
        g = Guest(self.pair.workdir, name, size_mib=64, rate_mib=0)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        g.wait_pass_after(0)
        return g

    def migrate_in_thread(self, g, *flags):
        result = {}

        def run():
            result["res"] = self.src.virsh("migrate", "--live", "--unsafe",
                                           "--bandwidth", BANDWIDTH, *flags,
                                           g.name, self.dst.uri, check=False,
                                           timeout=300)
        th = threading.Thread(target=run)
        th.start()
        return th, result

    def wait_migrating(self, g):
        def migrating():
            info = self.src.virsh("domjobinfo", g.name, check=False).stdout
            return "Data processed" in info
        wait_for(migrating, "the migration to start")

    def iteration(self, g):
        info = self.src.virsh("domjobinfo", g.name, check=False).stdout
        m = re.search(r"Iteration: +(\d+)", info)
        return int(m.group(1)) if m else 0

    def assert_arrived(self, g):
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (migrated)")
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "shut off (migrated)")
        n = g.last_pass()
        g.wait_pass_after(n)
        rc, out = g.check_memory(self.dst.uri)
        self.assertEqual(rc, 0, out)

    def test_precopy_does_not_converge(self):
        g = self.start_fast_guest()
        th, result = self.migrate_in_thread(g)
        self.wait_migrating(g)
        # several full passes later it is still copying
        wait_for(lambda: self.iteration(g) >= 3, "precopy iterations", 120)
        self.assertIn("Job type:         Unbounded",
                      self.src.out("domjobinfo", g.name))
        self.src.out("domjobabort", g.name)
        th.join(timeout=120)
        self.assertNotEqual(result["res"].returncode, 0)
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (booted)")

    def test_postcopy_after_precopy(self):
        g = self.start_fast_guest()
        ev_out = open(os.path.join(self.pair.workdir, "events"), "w+")
        ev = subprocess.Popen(["virsh", "-c", self.src.uri, "event", "--all",
                               "--loop"], stdout=ev_out, stderr=subprocess.STDOUT)
        try:
            # virsh event listens once it reports a pause and resume
            # made for it (the events of the migration must not be lost)
            def registered():
                self.src.out("suspend", g.name)
                self.src.out("resume", g.name)
                return "Resumed Unpaused" in read(ev_out.name)
            wait_for(registered, "virsh event to register")
            res = self.src.virsh("migrate", "--live", "--unsafe", "--postcopy",
                                 "--postcopy-after-precopy", "--verbose",
                                 "--bandwidth", BANDWIDTH, g.name, self.dst.uri,
                                 timeout=300)
            self.assertIn("Migration: [100 %]", res.stdout + res.stderr)
            wait_for(lambda: "Stopped Migrated" in read(ev_out.name),
                     "the source's events")
        finally:
            ev.terminate()
            ev.wait()
            ev_out.close()
        events = read(ev_out.name)
        order = ["Suspended Migrated", "Suspended Post-copy", "Stopped Migrated",
                 "event 'job-completed'"]
        pos = [events.find(e) for e in order]
        self.assertTrue(all(p >= 0 for p in pos) and pos == sorted(pos), events)
        info = self.src.out("domjobinfo", "--completed", g.name)
        self.assertIn("Job type:         Completed", info)
        self.assertRegex(info, r"Postcopy requests: +\d+")
        # the figures of the whole migration, not those at the switch
        self.assertIn("Memory remaining: 0.000 B", info)
        self.assertGreaterEqual(int(re.search(r"Iteration: +(\d+)", info).group(1)), 3)
        self.assert_arrived(g)

    def test_migrate_postcopy_from_second_client(self):
        g = self.start_fast_guest()
        th, result = self.migrate_in_thread(g, "--postcopy")
        self.wait_migrating(g)
        self.src.out("migrate-postcopy", g.name)
        th.join(timeout=300)
        self.assertEqual(result["res"].returncode, 0, result["res"].stderr)
        self.assert_arrived(g)

    def test_migrate_postcopy_needs_flag(self):
        g = self.start_fast_guest()
        res = self.src.virsh("migrate-postcopy", g.name, check=False)
        self.assertIn("error: Requested operation is not valid: post-copy can only "
                      "be started while outgoing migration is in progress", res.stderr)
        th, result = self.migrate_in_thread(g)
        self.wait_migrating(g)
        res = self.src.virsh("migrate-postcopy", g.name, check=False)
        self.assertIn("error: Requested operation is not valid: switching to "
                      "post-copy requires migration to be started with "
                      "VIR_MIGRATE_POSTCOPY flag", res.stderr)
        self.src.out("domjobabort", g.name)
        th.join(timeout=120)
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (booted)")

    def start_slow_postcopy(self, g):
        """A post-copy migration whose post-copy phase lasts long enough
        to interfere with (3 MiB/s for the remaining pages)."""
        th, result = self.migrate_in_thread(g, "--postcopy",
                                            "--postcopy-after-precopy",
                                            "--postcopy-bandwidth", "3")
        wait_for(lambda: self.src.virsh("domstate", "--reason", g.name,
                                        check=False).stdout.strip() ==
                 "paused (post-copy)", "the switch to post-copy", 120)
        return th, result

    def test_failure_and_resume(self):
        g = self.start_fast_guest()
        th, result = self.start_slow_postcopy(g)
        # break the stream after the switch-over
        self.src.out("domjobabort", "--postcopy", g.name)
        th.join(timeout=120)
        res = result["res"]
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: operation failed: job 'migration in' failed in "
                      "post-copy phase", res.stderr)
        # nothing resumed, nothing destroyed: both sides wait for recovery
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "paused (post-copy failed)")
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (post-copy failed)")
        self.assertIn("Job type:         Unbounded",
                      self.src.out("domjobinfo", g.name))
        # virsh reported Finish's error, then told the source with
        # Confirm(cancelled); the source accepted it (libvirt keeps the
        # post-copy-failed phase) instead of refusing it
        log = read(os.path.join(self.pair.workdir, "src.log"))
        self.assertRegex(log, r"call \w*MIGRATE_CONFIRM3\w*")
        failed = re.search(r".*MIGRATE_CONFIRM3\w* failed.*", log)
        self.assertIsNone(failed, failed and failed.group(0))
        self.src.out("migrate-setspeed", "--postcopy", g.name, "1000")
        self.src.virsh("migrate", "--live", "--postcopy", "--postcopy-resume",
                       "--unsafe", g.name, self.dst.uri, timeout=300)
        self.assert_arrived(g)

    def test_destination_daemon_restart(self):
        g = self.start_fast_guest()
        th, result = self.start_slow_postcopy(g)
        self.dst.restart()
        th.join(timeout=300)
        # whatever the client saw, the guest ends up on the destination:
        # either the migration completed, or it is recoverable
        state = self.dst.out("domstate", "--reason", g.name)
        if state == "running (post-copy failed)":
            self.src.virsh("migrate", "--live", "--postcopy", "--postcopy-resume",
                           "--unsafe", g.name, self.dst.uri, timeout=300)
        states = []

        def dst_state():
            states.append(self.dst.virsh("domstate", "--reason", g.name,
                                         check=False).stdout.strip())
            return states[-1] == "running (migrated)"
        try:
            wait_for(dst_state, "the migration to complete", 120)
        except AssertionError as e:
            raise AssertionError("%s: the destination was %r after the call, "
                                 "%r at the end" % (e, state, states[-1]))
        wait_for(lambda: self.src.virsh("domstate", "--reason", g.name,
                                        check=False).stdout.strip() ==
                 "shut off (migrated)", "the source to stop", 120)
        self.assert_arrived(g)

    def test_postcopy_needs_live(self):
        g = self.start_fast_guest()
        res = self.src.virsh("migrate", "--postcopy", "--unsafe", g.name,
                             self.dst.uri, check=False)
        self.assertIn("post-copy migration is not supported with non-live or "
                      "paused migration", res.stderr)


class PreemptTest(PostcopyTest):
    """The same post-copy migration with postcopy_preempt = 1 on both
    hosts; the completed job reports the destination's blocktime."""
    CONFIG = "postcopy_preempt = 1\n"

    def test_preempt_blocktime(self):
        import libvirt

        g = self.start_fast_guest()
        self.src.virsh("migrate", "--live", "--unsafe", "--postcopy",
                       "--postcopy-after-precopy", "--bandwidth", BANDWIDTH,
                       g.name, self.dst.uri, timeout=300)
        conn = libvirt.open(self.src.uri)
        try:
            stats = conn.lookupByName(g.name).jobStats(
                libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
        finally:
            conn.close()
        self.assertEqual(stats["type"], libvirt.VIR_DOMAIN_JOB_COMPLETED)
        self.assertIn("memory_postcopy_blocktime", stats)
        self.assertGreaterEqual(stats["memory_postcopy_requests"], 0)
        self.assert_arrived(g)


# run only the preempt case, not every inherited one again
for _name in [n for n in dir(PostcopyTest) if n.startswith("test_")]:
    setattr(PreemptTest, _name, None)
PreemptTest.test_preempt_blocktime = PreemptTest.__dict__["test_preempt_blocktime"]


if __name__ == "__main__":
    unittest.main(verbosity=2)
