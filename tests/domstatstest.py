#!/usr/bin/python3
"""Monitoring and simple domain procedures end to end: the real
virtmigd on 127.0.0.21, the built-in test guest in real QEMU, the stock
virsh and python3-libvirt (issue 15).

Checks that the figures are real (they match the image, the definition
and what the guest does, and they grow) and that the list flags, groups,
memory, reset and autostart behave as with libvirt 9.0.
"""
import os
import re
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "qemumigrationtest"))
import migrationlib as ml  # noqa: E402

ADDR = "127.0.0.21"


def parse_domstats(text):
    """virsh domstats output -> {domain: {key: value}}"""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"Domain: '(.*)'", line.strip())
        if m:
            cur = out.setdefault(m.group(1), {})
        elif "=" in line and cur is not None:
            k, v = line.strip().split("=", 1)
            cur[k] = v
    return out


class DomStatsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.workdir = tempfile.mkdtemp(prefix="domstatstest-")
        cls.host = ml.Host(cls.workdir, "host", ADDR)
        # the guest rewrites 16 MiB of its memory at 8 MiB/s
        cls.guest = ml.Guest(cls.workdir, "g", size_mib=16, rate_mib=8)
        with open(cls.guest.xml) as f:
            xml = f.read()
        xml = xml.replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>")
        xml = xml.replace("<memballoon model='none'/>",
                          "<interface type='user'/>\n    <memballoon model='virtio'/>")
        with open(cls.guest.xml, "w") as f:
            f.write(xml)
        cls.host.out("define", cls.guest.xml)
        cls.host.out("start", "g")
        cls.guest.wait_pass_after(0)

    @classmethod
    def tearDownClass(cls):
        import shutil
        cls.host.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def stats(self, *args):
        return parse_domstats(self.host.out("domstats", *args))

    def test_1_running(self):
        s = self.stats("g")["g"]
        mem_kib = str(self.guest.memory * 1024)
        self.assertEqual((s["state.state"], s["state.reason"]), ("1", "1"))
        self.assertGreater(int(s["cpu.time"]), 0)
        self.assertEqual(int(s["cpu.time"]), int(s["cpu.user"]) + int(s["cpu.system"]))
        self.assertEqual(s["balloon.current"], mem_kib)
        self.assertEqual(s["balloon.maximum"], mem_kib)
        # no balloon driver in the guest: the update time stays 0
        self.assertEqual(s["balloon.last-update"], "0")
        self.assertGreater(int(s["balloon.rss"]), 1024)
        self.assertEqual((s["vcpu.current"], s["vcpu.maximum"]), ("2", "2"))
        self.assertEqual((s["vcpu.0.state"], s["vcpu.1.state"]), ("1", "1"))
        self.assertIn("vcpu.1.time", s)
        # user networking: counted, no host interface to name
        self.assertEqual(s["net.count"], "1")
        self.assertNotIn("net.0.name", s)
        st = os.stat(self.guest.image)
        self.assertEqual(s["block.count"], "1")
        self.assertEqual(s["block.0.name"], "hda")
        self.assertEqual(s["block.0.path"], self.guest.image)
        self.assertEqual(s["block.0.backingIndex"], "1")
        self.assertEqual(int(s["block.0.capacity"]), st.st_size)
        for k in ("rd.reqs", "rd.bytes", "rd.times", "wr.reqs", "wr.bytes",
                  "wr.times", "fl.reqs", "fl.times", "allocation", "physical"):
            self.assertIn("block.0." + k, s)
        # the figures move: the guest computes
        first = s

        def moved():
            now = self.stats("g")["g"]
            return (int(now["cpu.time"]) > int(first["cpu.time"]) and
                    int(now["vcpu.0.time"]) > int(first["vcpu.0.time"]))
        ml.wait_for(moved, "CPU times to grow")
        # raw output: same records; groups: only those asked for
        raw = self.stats("--raw", "g")["g"]
        self.assertEqual(set(raw), set(first))
        groups = self.stats("--state", "--vcpu", "g")["g"]
        self.assertEqual({k.split(".")[0] for k in groups}, {"state", "vcpu"})

    def test_2_list_flags(self):
        off = os.path.join(self.workdir, "off.xml")
        image = os.path.join(self.workdir, "off.img")
        with open(image, "wb") as f:
            f.truncate(4 << 20)
        with open(self.guest.xml) as f:
            xml = f.read().replace("<name>g</name>", "<name>off</name>")
        xml = xml.replace(self.guest.image, image)
        with open(off, "w") as f:
            f.write(xml)
        self.host.out("define", off)
        try:
            self.assertEqual(set(self.stats("--list-inactive")), {"off"})
            self.assertEqual(set(self.stats("--list-running")), {"g"})
            self.assertEqual(set(self.stats("--list-shutoff", "--list-paused")), {"off"})
            self.assertEqual(set(self.stats("--list-persistent", "--list-active")), {"g"})
            self.assertEqual(set(self.stats("--list-transient")), set())
            # an inactive domain: state, sizes from its image; cpu.* are
            # the daemon's own times, as libvirt 9.0 gives them
            s = self.stats("off")["off"]
            self.assertEqual(s["state.state"], "5")
            self.assertIn("cpu.time", s)
            self.assertNotIn("net.count", s)
            self.assertNotIn("vcpu.0.state", s)
            self.assertEqual(s["block.0.capacity"], str(4 << 20))
            self.assertEqual(s["block.0.physical"], str(4 << 20))
            self.assertNotIn("block.0.backingIndex", s)
            # enforced groups we answer; NOWAIT on an idle domain
            self.assertIn("state.state", self.stats("--enforce", "--state", "g")["g"])
            self.assertIn("block.0.wr.reqs", self.stats("--nowait", "g")["g"])
        finally:
            self.host.out("undefine", "off")

    def test_3_python(self):
        """python3-libvirt with an event loop, as virt-manager runs it"""
        import libvirt
        libvirt.virEventRegisterDefaultImpl()
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                libvirt.virEventRunDefaultImpl()
        th = threading.Thread(target=loop, daemon=True)
        th.start()
        conn = libvirt.open(self.host.uri)
        try:
            timer = libvirt.virEventAddTimeout(100, lambda *a: None, None)
            dom = conn.lookupByName("g")
            recs = conn.getAllDomainStats(0, 0)
            self.assertEqual([d.name() for d, _ in recs], ["g"])
            first = recs[0][1]
            self.assertEqual(first["state.state"], libvirt.VIR_DOMAIN_RUNNING)
            self.assertIsInstance(first["block.0.name"], str)
            with self.assertRaises(libvirt.libvirtError) as cm:
                conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_DIRTYRATE,
                                       libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
            self.assertEqual(cm.exception.get_error_code(),
                             libvirt.VIR_ERR_OPERATION_UNSUPPORTED)
            listed = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_CPU_TOTAL)
            self.assertEqual(list(listed[0][1]), ["cpu.time", "cpu.user", "cpu.system",
                                               "cpu.cache.monitor.count"])
            ml.wait_for(lambda: conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_CPU_TOTAL)
                        [0][1]["cpu.time"] > first["cpu.time"], "cpu.time to grow")
            info, maps = dom.vcpus()
            self.assertEqual([v[0] for v in info], [0, 1])
            self.assertEqual({v[1] for v in info}, {libvirt.VIR_VCPU_RUNNING})
            self.assertTrue(all(any(m) for m in maps))
            mem = dom.memoryStats()
            self.assertEqual(mem["actual"], self.guest.memory * 1024)
            self.assertGreater(mem["rss"], 0)
            self.assertEqual(dom.maxVcpus(), 2)
            self.assertEqual(dom.listAllSnapshots(), [])
            self.assertEqual(dom.listAllCheckpoints(), [])
            self.assertEqual(dom.hasCurrentSnapshot(), 0)
            libvirt.virEventRemoveTimeout(timer)
        finally:
            conn.close()
            stop.set()

    def test_4_virsh_queries(self):
        blk = dict(line.split()[1:] for line in
                   self.host.out("domblkstat", "g", "hda").splitlines())
        self.assertEqual(set(blk), {"rd_req", "rd_bytes", "wr_req", "wr_bytes",
                                    "flush_operations", "rd_total_times",
                                    "wr_total_times", "flush_total_times"})
        self.assertTrue(all(v.isdigit() for v in blk.values()))
        bad = self.host.virsh("domblkstat", "g", "vdz", check=False)
        self.assertIn("invalid path: vdz", bad.stderr)
        mem = dict(line.split() for line in self.host.out("dommemstat", "g").splitlines())
        self.assertEqual(set(mem), {"actual", "last_update", "rss"})
        vcpu = self.host.out("vcpuinfo", "g")
        self.assertEqual(len(re.findall(r"State:\s+running", vcpu)), 2)
        self.assertEqual(self.host.out("vcpucount", "g", "--maximum", "--live"), "2")
        self.assertEqual(self.host.out("snapshot-list", "g", "--name"), "")
        nosnap = self.host.virsh("snapshot-info", "g", "x", check=False)
        self.assertIn("no domain snapshot with matching name 'x'", nosnap.stderr)

    def test_5_memory_and_reset(self):
        self.host.out("setmem", "g", str((self.guest.memory - 4) * 1024))
        self.host.out("setmem", "g", str((self.guest.memory - 8) * 1024), "--config")
        xml = self.host.out("dumpxml", "--inactive", "g")
        self.assertIn("<currentMemory unit='KiB'>%d</currentMemory>"
                      % ((self.guest.memory - 8) * 1024), xml)
        res = self.host.virsh("setmaxmem", "g", "1000000", check=False)
        self.assertIn("cannot resize the maximum memory on an active domain", res.stderr)
        res = self.host.virsh("setmem", "g", str((self.guest.memory + 4) * 1024),
                              check=False)
        self.assertIn("cannot set memory higher than max memory", res.stderr)
        # reset: the guest boots again (it prints its banner again)
        self.assertEqual(self.banners(), 1)
        self.host.out("reset", "g")
        ml.wait_for(lambda: self.banners() == 2, "the guest to boot again", 180)
        self.assertEqual(self.host.out("domstate", "g"), "running")

    def test_5b_reboot(self):
        """The test guest ignores the ACPI button: the reboot stays
        pending (libvirt's fake reboot), across a daemon restart, until
        a shutdown request cancels it"""
        status = os.path.join(self.host.root, "run", "virtmig", "qemu", "g.xml")

        def pending():
            with open(status) as f:
                return "fakereboot='yes'" in f.read()
        res = self.host.virsh("reboot", "g", "--mode", "agent", check=False)
        self.assertIn("argument unsupported: QEMU guest agent is not configured",
                      res.stderr)
        self.assertFalse(pending())
        self.host.out("reboot", "g")
        self.assertTrue(pending())
        self.host.restart()
        self.assertTrue(pending())
        self.assertEqual(self.host.out("domstate", "g"), "running")
        self.host.out("shutdown", "g")
        self.assertFalse(pending())

    def banners(self):
        with open(self.guest.serial, errors="replace") as f:
            return len(re.findall(r"^virtmig-guest base", f.read(), re.M))

    def test_6_autostart(self):
        host = self.host
        link = os.path.join(host.root, "etc", "virtmig", "qemu", "autostart", "g.xml")
        marker = os.path.join(host.root, "run", "virtmig", "qemu", "autostarted")
        host.out("autostart", "g")
        self.assertTrue(os.path.islink(link))
        self.assertIn("Autostart:      enable", host.out("dominfo", "g"))
        self.assertEqual(host.out("list", "--autostart", "--name", "--all"), "g")
        host.out("destroy", "g")
        # a daemon restart in the same host boot starts nothing again
        host.restart()
        self.assertEqual(host.out("domstate", "g"), "shut off")
        # a new host boot (the marker gone): the guest is started
        host.kill(ml.signal.SIGTERM)
        os.unlink(marker)
        host.start_again()
        self.assertEqual(host.out("domstate", "g"), "running")
        pid = host.qemu_pid("g")
        # ... once: a restart while it runs leaves it alone
        os.unlink(marker)
        host.restart()
        self.assertEqual(host.qemu_pid("g"), pid)
        host.out("autostart", "--disable", "g")
        self.assertFalse(os.path.lexists(link))
        self.assertIn("Autostart:      disable", host.out("dominfo", "g"))

    def test_7_during_migration(self):
        """virt-manager polls every 3 s while its Migrate dialog runs"""
        # the guest has filled its range since it last booted and keeps
        # dirtying it (8 MiB/s): at 1 MiB/s the migration cannot converge
        # until it is sped up
        def filled():
            with open(self.guest.serial, errors="replace") as f:
                since_boot = f.read().rsplit("virtmig-guest base", 1)[-1]
            return re.search(r"^pass 2$", since_boot, re.M) is not None
        ml.wait_for(filled, "a full pass since the guest booted")
        dst = ml.Host(self.workdir, "dst", "127.0.0.22")
        try:
            result = {}

            def run():
                result["res"] = self.host.virsh("migrate", "--live", "--unsafe",
                                                "--bandwidth", "1", "g", dst.uri,
                                                check=False, timeout=300)
            th = threading.Thread(target=run)
            th.start()
            ml.wait_for(lambda: "Data processed" in
                        self.host.virsh("domjobinfo", "g", check=False).stdout,
                        "the migration to start")
            for args in (("--nowait",), (), ("--nowait", "--list-active")):
                t0 = time.monotonic()
                s = self.stats(*args)["g"]
                self.assertLess(time.monotonic() - t0, 5)
                # running, or paused for the switch-over
                self.assertIn(s["state.state"], ("1", "3"))
                self.assertIn("cpu.time", s)
                self.assertIn("block.0.name", s)
            self.host.out("migrate-setspeed", "g", "1000")
            th.join(timeout=300)
            self.assertEqual(result["res"].returncode, 0, result["res"].stderr)
            s = parse_domstats(dst.out("domstats", "g"))["g"]
            self.assertEqual(s["state.state"], "1")
            self.assertIn("vcpu.1.time", s)
        finally:
            dst.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
