#!/usr/bin/python3
"""Live migration (protocol v3, precopy) between two virtmigd daemons,
driven by the stock virsh and by python3-libvirt, with the built-in test
guest.  Run by meson (suite e2e); KVM when usable, else TCG.
"""
import os
import re
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Pair, PairTest, wait_for  # noqa: E402


class MigrationTest(PairTest):
    def migrate(self, name, *extra, check=True):
        return self.src.virsh("migrate", "--live", "--unsafe", *extra, name,
                              self.dst.uri, check=check, timeout=300)

    def assert_on_destination(self, g):
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (migrated)")
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "shut off (migrated)")
        self.assertEqual(self.src.running_qemus(), [])
        n = g.last_pass()
        g.wait_pass_after(n)
        rc, out = g.check_memory(self.dst.uri)
        self.assertEqual(rc, 0, out)

    def assert_still_on_source(self, g, reason="booted"):
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (%s)" % reason)
        self.assertEqual(self.dst.out("list", "--all"), "")
        self.assertEqual(self.dst.running_qemus(), [])
        n = g.last_pass()
        g.wait_pass_after(n)

    def test_precopy_verbose(self):
        g = self.start_guest()
        res = self.migrate(g.name, "--verbose")
        self.assertIn("Migration: [100 %]", res.stdout + res.stderr)
        self.assert_on_destination(g)
        info = self.src.out("domjobinfo", "--completed", g.name)
        self.assertIn("Job type:         Completed", info)
        self.assertIn("Operation:        Outgoing migration", info)
        total = re.search(r"Memory total: +([0-9.]+) MiB", info)
        self.assertIsNotNone(total, info)
        self.assertGreater(float(total.group(1)), 32)
        self.assertRegex(info, r"Total downtime: +\d+ +ms")
        # consumed by the first read, as libvirt does
        self.assertIn("Job type:         None",
                      self.src.out("domjobinfo", "--completed", g.name))

    def test_persist_undefine_rename(self):
        g = self.start_guest()
        self.migrate(g.name, "--persistent", "--undefinesource", "--dname", "moved")
        self.assertEqual(self.dst.out("domstate", "--reason", "moved"),
                         "running (migrated)")
        self.assertIn("Persistent:     yes", self.dst.out("dominfo", "moved"))
        res = self.src.virsh("dominfo", g.name, check=False)
        self.assertIn("failed to get domain 'mig'", res.stderr)

    def test_transient_destination(self):
        g = self.start_guest()
        self.migrate(g.name)
        self.assertIn("Persistent:     no", self.dst.out("dominfo", g.name))
        res = self.dst.virsh("undefine", g.name, check=False)
        self.assertIn("cannot undefine transient domain", res.stderr)

    def test_paused_arrival(self):
        g = self.start_guest()
        self.migrate(g.name, "--suspend")
        self.assertEqual(self.dst.out("domstate", g.name), "paused")

    def test_job_info_and_abort(self):
        g = self.start_guest(size_mib=64, rate_mib=64)
        result = {}

        def run():
            result["res"] = self.migrate(g.name, "--bandwidth", "4", check=False)

        th = threading.Thread(target=run)
        th.start()

        def migrating():
            info = self.src.virsh("domjobinfo", g.name, check=False).stdout
            return "Data processed" in info
        wait_for(migrating, "the migration to start")
        info = self.src.out("domjobinfo", g.name)
        self.assertIn("Job type:         Unbounded", info)
        self.assertIn("Operation:        Outgoing migration", info)
        # settings reach QEMU during the migration
        self.src.out("migrate-setmaxdowntime", g.name, "750")
        self.assertEqual(self.src.out("migrate-getmaxdowntime", g.name), "750")
        self.src.out("migrate-setspeed", g.name, "6")
        self.assertEqual(self.src.out("migrate-getspeed", g.name), "6")
        # modifying the domain waits for the migration job
        self.src.out("domjobabort", g.name)
        th.join(timeout=120)
        res = result["res"]
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("operation aborted: job 'migration out' canceled by client",
                      res.stderr)
        self.assert_still_on_source(g)

    def test_params_reset_after_failure(self):
        """What a migration sets in QEMU (here the XBZRLE cache and a
        downtime changed mid-migration) is put back when it fails, as
        libvirt's qemuMigrationParamsReset does."""
        g = self.start_guest(size_mib=64, rate_mib=64)
        cache0 = self.src.out("migrate-compcache", g.name)
        downtime0 = self.src.out("migrate-getmaxdowntime", g.name)
        cache = str(32 * 1024 * 1024)
        self.assertNotEqual(cache0.split()[0], cache)
        result = {}

        def run():
            result["res"] = self.migrate(g.name, "--bandwidth", "4", "--compressed",
                                         "--comp-methods", "xbzrle",
                                         "--comp-xbzrle-cache", cache, check=False)

        th = threading.Thread(target=run)
        th.start()
        wait_for(lambda: "Data processed" in self.src.virsh(
            "domjobinfo", g.name, check=False).stdout, "the migration to start")
        # the migration's settings are in QEMU while it runs
        self.assertIn("32.000 MiB", self.src.out("migrate-compcache", g.name))
        self.src.out("migrate-setmaxdowntime", g.name, "750")
        self.src.out("domjobabort", g.name)
        th.join(timeout=120)
        self.assertNotEqual(result["res"].returncode, 0)
        self.assertEqual(self.src.out("migrate-compcache", g.name), cache0)
        self.assertEqual(self.src.out("migrate-getmaxdowntime", g.name), downtime0)
        self.assert_still_on_source(g)

    def test_destination_qemu_killed(self):
        g = self.start_guest(size_mib=64, rate_mib=64)
        result = {}

        def run():
            result["res"] = self.migrate(g.name, "--bandwidth", "4", check=False)

        th = threading.Thread(target=run)
        th.start()
        wait_for(lambda: self.dst.running_qemus() != [], "the destination QEMU")

        def migrating():
            info = self.src.virsh("domjobinfo", g.name, check=False).stdout
            return "Data processed" in info
        wait_for(migrating, "the migration to start")
        os.kill(self.dst.qemu_pid(g.name), 9)
        th.join(timeout=120)
        res = result["res"]
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("job 'migration out' failed", res.stderr)
        wait_for(lambda: self.dst.running_qemus() == [], "destination cleanup")
        self.assert_still_on_source(g)

    def test_destroy_during_migration(self):
        g = self.start_guest(size_mib=64, rate_mib=64)
        th, result = self.migrate_slowly(g)
        # destroy interrupts the migration job at once
        self.src.out("destroy", g.name)
        th.join(timeout=120)
        self.assertNotEqual(result["res"].returncode, 0)
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "shut off (destroyed)")
        wait_for(lambda: self.dst.running_qemus() == [], "destination cleanup")
        self.assertEqual(self.dst.out("list", "--all"), "")

    def migrate_slowly(self, g):
        result = {}

        def run():
            result["res"] = self.migrate(g.name, "--bandwidth", "4", check=False)

        th = threading.Thread(target=run)
        th.start()

        def migrating():
            info = self.src.virsh("domjobinfo", g.name, check=False).stdout
            return "Data processed" in info
        wait_for(migrating, "the migration to start")
        return th, result

    def test_speed_and_downtime_before_migration(self):
        g = self.start_guest()
        self.src.out("migrate-setspeed", g.name, "50")
        self.assertEqual(self.src.out("migrate-getspeed", g.name), "50")
        self.src.out("migrate-setmaxdowntime", g.name, "400")
        self.assertEqual(self.src.out("migrate-getmaxdowntime", g.name), "400")

    def test_unsafe_and_bad_params(self):
        g = self.start_guest()
        res = self.src.virsh("migrate", "--live", g.name, self.dst.uri, check=False)
        self.assertIn("error: Unsafe migration: Migration without shared storage is unsafe",
                      res.stderr)
        res = self.migrate(g.name, "--tunnelled", "--p2p", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assert_still_on_source(g)

    def test_offline(self):
        g = Guest(self.pair.workdir, "off")
        self.src.out("define", g.xml)
        res = self.src.virsh("migrate", "--offline", g.name, self.dst.uri,
                             check=False)
        self.assertIn("offline migration requires VIR_MIGRATE_PERSIST_DEST",
                      res.stderr)
        self.src.out("migrate", "--offline", "--persistent", "--undefinesource",
                     g.name, self.dst.uri)
        self.assertEqual(self.dst.out("domstate", g.name), "shut off")
        self.assertIn("Persistent:     yes", self.dst.out("dominfo", g.name))
        self.assertEqual(self.src.out("list", "--all"), "")
        self.assertEqual(self.dst.running_qemus(), [])
        self.dst.out("start", g.name)
        g.wait_pass_after(0)

    def test_python_migrate3(self):
        import libvirt

        g = self.start_guest()
        sconn = libvirt.open(self.src.uri)
        dconn = libvirt.open(self.dst.uri)
        try:
            dom = sconn.lookupByName(g.name)
            params = {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: 1000}
            ddom = dom.migrate3(dconn, params, libvirt.VIR_MIGRATE_LIVE |
                                libvirt.VIR_MIGRATE_UNSAFE)
            self.assertEqual(ddom.name(), g.name)
            self.assertEqual(ddom.state()[0], libvirt.VIR_DOMAIN_RUNNING)
            stats = dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
            self.assertEqual(stats["type"], libvirt.VIR_DOMAIN_JOB_COMPLETED)
            self.assertGreater(stats["memory_total"], 0)
        finally:
            sconn.close()
            dconn.close()
        self.assert_on_destination(g)


class SameHostTest(unittest.TestCase):
    def test_same_host_uuid_refused(self):
        conf = 'host_uuid = "5a1e0000-0000-4000-8000-00000000aaaa"\n'
        pair = Pair(conf, conf)
        try:
            g = Guest(pair.workdir, "same")
            pair.src.out("define", g.xml)
            pair.src.out("start", g.name)
            res = pair.src.virsh("migrate", "--live", "--unsafe", g.name,
                                 pair.dst.uri, check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("Attempt to migrate guest to the same host", res.stderr)
            self.assertEqual(pair.src.out("domstate", g.name), "running")
            self.assertEqual(pair.dst.running_qemus(), [])
        finally:
            pair.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
