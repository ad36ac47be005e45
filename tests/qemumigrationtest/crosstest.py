#!/usr/bin/python3
"""Cross-migration between a stock libvirtd 9.0 (isolated, libvirtdlib)
and virtmigd, with the stock virsh: a guest started by libvirtd moves to
virtmigd and back, and runs on each side with its memory intact.
Run by meson (suite e2e).

What made libvirtd -> virtmigd fail before: libvirt leaves the default
USB controller (piix3-uhci) out of the XML it sends for a migration and
its destination adds it back; virtmigd's QEMU had none and refused the
stream ("Unknown savevm section or instance '0000:00:01.2/uhci'").
"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Host  # noqa: E402
from libvirtdlib import LibvirtdHost  # noqa: E402


class CrossTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="crosstest-")
        cls.libvirtd = None
        cls.virtmigd = None
        try:
            cls.libvirtd = LibvirtdHost(cls.workdir, "libvirtd", "127.0.0.4")
            cls.virtmigd = Host(cls.workdir, "virtmigd", "127.0.0.3")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for h in (cls.libvirtd, cls.virtmigd):
            if h:
                h.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def guest(self, name, size_mib=32, rate_mib=8):
        g = Guest(self.workdir, name, size_mib, rate_mib)
        # libvirtd checks qemu64's features against this host's CPU
        # ("Host CPU does not provide required features: svm")
        with open(g.xml) as f:
            xml = f.read()
        with open(g.xml, "w") as f:
            f.write(xml.replace("<cpu mode='custom' match='exact'>",
                                "<cpu mode='custom' match='exact' check='none'>"))
        return g

    def arrived(self, g, host):
        self.assertEqual(host.out("domstate", "--reason", g.name),
                         "running (migrated)")
        n = g.last_pass()
        g.wait_pass_after(n)

    def test_precopy_there_and_back(self):
        g = self.guest("cross")
        self.libvirtd.out("define", g.xml)
        self.libvirtd.out("start", g.name)
        g.wait_pass_after(0)
        try:
            self.libvirtd.out("migrate", "--live", "--unsafe", g.name,
                              self.virtmigd.uri)
            self.arrived(g, self.virtmigd)
            rc, out = g.check_memory(self.virtmigd.uri)
            self.assertEqual(rc, 0, out)
            # what libvirt sent: no USB controller; what virtmigd built
            self.assertIn("<controller type='usb' index='0' model='piix3-uhci'>",
                          self.virtmigd.out("dumpxml", g.name))
            self.virtmigd.out("migrate", "--live", "--unsafe", g.name,
                              self.libvirtd.uri)
            self.arrived(g, self.libvirtd)
            self.assertEqual(self.virtmigd.running_qemus(), [])
            rc, out = g.check_memory(self.libvirtd.uri)
            self.assertEqual(rc, 0, out)
        finally:
            self.libvirtd.virsh("destroy", g.name, check=False)
            self.libvirtd.virsh("undefine", g.name, check=False)
            self.virtmigd.virsh("destroy", g.name, check=False)


    def test_postcopy_there_and_back(self):
        """A guest rewriting 64 MiB as fast as it can: only post-copy
        ends, in both directions."""
        g = self.guest("crosspc", size_mib=64, rate_mib=0)
        self.libvirtd.out("define", g.xml)
        self.libvirtd.out("start", g.name)
        g.wait_pass_after(0)
        try:
            for src, dst in ((self.libvirtd, self.virtmigd),
                             (self.virtmigd, self.libvirtd)):
                src.out("migrate", "--live", "--unsafe", "--postcopy",
                        "--postcopy-after-precopy", "--bandwidth", "40",
                        g.name, dst.uri)
                self.arrived(g, dst)
                rc, out = g.check_memory(dst.uri)
                self.assertEqual(rc, 0, out)
        finally:
            self.libvirtd.virsh("destroy", g.name, check=False)
            self.libvirtd.virsh("undefine", g.name, check=False)
            self.virtmigd.virsh("destroy", g.name, check=False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
