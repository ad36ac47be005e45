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
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Host, virttype  # noqa: E402
from libvirtdlib import LibvirtdHost, relax_cpu_check  # noqa: E402

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# XML as stock libvirt 9.0 prints it: the reference `virsh dumpxml` of a
# running guest, and a guest with a USB tablet, VNC + VGA, virtio disk,
# NIC, balloon and RNG and a guest agent channel (libvirt's own output,
# see tests/qemuxmlargv-libvirt.py)
EXAMPLE_XML = os.path.join(TESTS, "qemuxmlargvdata", "libvirt-dumpxml-example.xml")
RICH_XML = os.path.join(TESTS, "qemuxmlargvdata-libvirt", "rich.xml")


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
        relax_cpu_check(g.xml)
        return g

    def libvirt_guest(self, template, name, size_mib=32, rate_mib=8):
        """The test guest in clothes libvirt printed: @template's devices,
        with the test image as IDE boot disk, its serial log as serial
        port, its memory size and this host's virt type."""
        g = Guest(self.workdir, name, size_mib, rate_mib)
        root = ET.parse(template).getroot()
        root.set("type", virttype())
        root.attrib.pop("id", None)
        root.find("name").text = name
        root.remove(root.find("uuid"))
        for tag in ("memory", "currentMemory"):
            root.find(tag).text = str(g.memory * 1024)
        root.find("cpu").set("check", "none")
        devices = root.find("devices")
        for disk in devices.findall("disk"):
            if disk.find("target").get("bus") == "ide":
                devices.remove(disk)
            else:
                extra = os.path.join(self.workdir, name + "-data.img")
                subprocess.run(["truncate", "-s", "16M", extra], check=True)
                disk.find("driver").set("type", "raw")
                disk.find("source").set("file", extra)
        devices.insert(1, ET.fromstring(
            "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='%s'/><target dev='hda' bus='ide'/></disk>" % g.image))
        for tag in ("serial", "console"):
            for chr_ in devices.findall(tag):
                chr_.set("type", "file")
                for child in chr_.findall("source") + chr_.findall("alias"):
                    chr_.remove(child)
                src = ET.Element("source", path=g.serial)
                chr_.insert(0, src)
        with open(g.xml, "w") as f:
            f.write(ET.tostring(root, encoding="unicode"))
        return g

    def arrived(self, g, host):
        self.assertEqual(host.out("domstate", "--reason", g.name),
                         "running (migrated)")
        n = g.last_pass()
        g.wait_pass_after(n)

    def migrate_and_check(self, g, src, dst, *flags):
        src.out("migrate", "--live", "--unsafe", *flags, g.name, dst.uri)
        self.arrived(g, dst)
        if src is self.virtmigd:
            self.assertEqual(src.running_qemus(), [])
        rc, out = g.check_memory(dst.uri)
        self.assertEqual(rc, 0, out)

    def test_libvirt_example(self):
        """libvirt's reference dumpxml: peer-to-peer both ways (precopy,
        then post-copy), then client-managed post-copy there, precopy
        back."""
        g = self.libvirt_guest(EXAMPLE_XML, "crossex", size_mib=64, rate_mib=0)
        self.libvirtd.out("define", g.xml)
        self.libvirtd.out("start", g.name)
        g.wait_pass_after(0)
        postcopy = ("--postcopy", "--postcopy-after-precopy", "--bandwidth", "40")
        try:
            self.migrate_and_check(g, self.libvirtd, self.virtmigd, "--p2p")
            self.migrate_and_check(g, self.virtmigd, self.libvirtd, "--p2p", *postcopy)
            self.migrate_and_check(g, self.libvirtd, self.virtmigd, *postcopy)
            self.migrate_and_check(g, self.virtmigd, self.libvirtd)
        finally:
            self.libvirtd.virsh("destroy", g.name, check=False)
            self.libvirtd.virsh("undefine", g.name, check=False)
            self.virtmigd.virsh("destroy", g.name, check=False)

    def test_rich_guest(self):
        """USB tablet, VNC + VGA, virtio disk/net/balloon/rng and a guest
        agent channel, as libvirt printed them: precopy and post-copy in
        both directions; the devices arrive with libvirt's addresses."""
        g = self.libvirt_guest(RICH_XML, "crossrich", size_mib=64, rate_mib=0)
        self.libvirtd.out("define", g.xml)
        self.libvirtd.out("start", g.name)
        g.wait_pass_after(0)
        postcopy = ("--postcopy", "--postcopy-after-precopy", "--bandwidth", "40")
        try:
            self.migrate_and_check(g, self.libvirtd, self.virtmigd)
            xml = self.virtmigd.out("dumpxml", g.name)
            # libvirt leaves its default USB controller out of the XML it
            # sends; virtmigd must build it (the stream holds its state)
            for want in ("<controller type='usb' index='0' model='piix3-uhci'>",
                         "<input type='tablet' bus='usb'>",
                         "<address type='usb' bus='0' port='1'/>",
                         "<target type='virtio' name='org.qemu.guest_agent.0'/>",
                         "<address type='virtio-serial' controller='0' bus='0' port='1'/>",
                         "<backend model='random'>/dev/urandom</backend>",
                         "slot='0x07' function='0x0'/>\n    </rng>",
                         "<model type='vga' vram='16384' heads='1' primary='yes'/>"):
                self.assertIn(want, xml)
            self.migrate_and_check(g, self.virtmigd, self.libvirtd, *postcopy)
            self.migrate_and_check(g, self.libvirtd, self.virtmigd, *postcopy)
            self.migrate_and_check(g, self.virtmigd, self.libvirtd)
        finally:
            self.libvirtd.virsh("destroy", g.name, check=False)
            self.libvirtd.virsh("undefine", g.name, check=False)
            self.virtmigd.virsh("destroy", g.name, check=False)

    def test_q35_defined_here(self):
        """A q35 guest defined on virtmigd without any address (virtmig's
        root ports, bridge and slots) moves to libvirtd and back."""
        g = Guest(self.workdir, "crossq35", 64, 0)
        root = ET.parse(g.xml).getroot()
        root.find("os/type").set("machine", "q35")
        root.find("cpu").set("check", "none")
        devices = root.find("devices")
        devices.find("disk/target").set("dev", "sda")
        devices.find("disk/target").set("bus", "sata")
        devices.remove(devices.find("memballoon"))
        for extra in (
                "<interface type='user'><model type='virtio'/></interface>",
                "<interface type='user'><model type='e1000'/></interface>",
                "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
                "<input type='tablet' bus='usb'/>",
                "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>",
                "<sound model='ich9'/>",
                "<video><model type='virtio' heads='1' primary='yes'/></video>",
                "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"):
            devices.append(ET.fromstring(extra))
        with open(g.xml, "w") as f:
            f.write(ET.tostring(root, encoding="unicode"))
        self.virtmigd.out("define", g.xml)
        xml = self.virtmigd.out("dumpxml", g.name)
        self.assertIn("machine='pc-q35-7.2'", xml)
        self.assertIn("<controller type='pci' index='1' model='pcie-root-port'>", xml)
        self.assertIn("model='pcie-to-pci-bridge'", xml)
        self.virtmigd.out("start", g.name)
        g.wait_pass_after(0)
        postcopy = ("--postcopy", "--postcopy-after-precopy", "--bandwidth", "40")
        try:
            self.migrate_and_check(g, self.virtmigd, self.libvirtd)
            self.migrate_and_check(g, self.libvirtd, self.virtmigd, *postcopy)
        finally:
            self.virtmigd.virsh("destroy", g.name, check=False)
            self.virtmigd.virsh("undefine", g.name, check=False)
            self.libvirtd.virsh("destroy", g.name, check=False)

    def test_copy_storage(self):
        """--copy-storage-all both ways: libvirtd's NBD export names and
        cookie are virtmig's.  virtmigd creates the missing image;
        libvirtd (outside a storage pool) needs it there beforehand."""
        g = self.guest("crossstor")
        self.libvirtd.out("define", g.xml)
        self.libvirtd.out("start", g.name)
        g.wait_pass_after(0)
        with open(g.image, "rb") as f:
            original = f.read()
        here = os.path.join(self.workdir, "virtmigd-" + os.path.basename(g.image))
        back = os.path.join(self.workdir, "libvirtd-" + os.path.basename(g.image))
        try:
            for src, dst, path in ((self.libvirtd, self.virtmigd, here),
                                   (self.virtmigd, self.libvirtd, back)):
                xml = src.out("dumpxml", "--migratable", g.name)
                xml = xml.replace("'%s'" % (g.image if src is self.libvirtd else here),
                                  "'%s'" % path)
                xmlpath = os.path.join(self.workdir, "crossstor-dst.xml")
                with open(xmlpath, "w") as f:
                    f.write(xml)
                if dst is self.libvirtd:
                    with open(path, "wb") as f:
                        f.truncate(len(original))
                src.out("migrate", "--live", "--copy-storage-all", "--xml", xmlpath,
                        g.name, dst.uri)
                self.arrived(g, dst)
                self.assertIn("<source file='%s'" % path, dst.out("dumpxml", g.name))
                rc, out = g.check_memory(dst.uri)
                self.assertEqual(rc, 0, out)
            self.libvirtd.out("destroy", g.name)
            for path in (here, back):
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), original, path)
        finally:
            self.libvirtd.virsh("destroy", g.name, check=False)
            self.libvirtd.virsh("undefine", g.name, check=False)
            self.virtmigd.virsh("destroy", g.name, check=False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
