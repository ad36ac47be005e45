#!/usr/bin/python3
"""Storage migration (--copy-storage-all, --migrate-disks) between two
virtmigd daemons with the stock virsh: the destination XML puts the
disks at other paths, as on a host that has none of the guest's
storage; the destination creates the images, the source mirrors its
disks into them over NBD and completes the mirrors at the switch-over.
Run by meson (suite e2e).
"""
import hashlib
import os
import re
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, PairTest, free_port, in_thread, wait_for  # noqa: E402

DATA_DISK_MIB = 8


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class StorageTest(PairTest):
    def start(self, name, rate_mib=8, disk_sectors=0, disk_rate=0):
        """The test guest with a second, data disk (vdb) full of a
        pattern, running on the source (and rewriting @disk_sectors of
        its boot disk at @disk_rate per second)."""
        g = Guest(self.pair.workdir, name, 32, rate_mib, disk_sectors, disk_rate)
        g.data = os.path.join(self.pair.workdir, name + "-data.img")
        with open(g.data, "wb") as f:
            for i in range(DATA_DISK_MIB * 256):
                f.write(("%s block %08d " % (name, i)).encode().ljust(4096, b"."))
        with open(g.xml) as f:
            xml = f.read()
        xml = xml.replace("    <serial", "    <disk type='file' device='disk'>\n"
                          "      <driver name='qemu' type='raw'/>\n"
                          "      <source file='%s'/>\n"
                          "      <target dev='vdb' bus='virtio'/>\n"
                          "    </disk>\n    <serial" % g.data, 1)
        with open(g.xml, "w") as f:
            f.write(xml)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        g.wait_pass_after(0)
        g.digests = {p: digest(p) for p in (g.image, g.data)}
        return g

    def dest_xml(self, g, *disks):
        """The migratable XML with @disks (source paths) moved to
        dst-NAME paths; returns the XML file and the moves."""
        xml = self.src.out("dumpxml", "--migratable", g.name)
        moves = {}
        for path in disks:
            moves[path] = os.path.join(os.path.dirname(path),
                                       "dst-" + os.path.basename(path))
            xml = xml.replace("'%s'" % path, "'%s'" % moves[path])
        out = os.path.join(self.pair.workdir, g.name + "-dst.xml")
        with open(out, "w") as f:
            f.write(xml)
        return out, moves

    def migrate(self, g, *flags, check=True):
        return self.src.virsh("migrate", "--live", "--verbose", *flags, g.name,
                              self.dst.uri, check=check, timeout=300)

    def assert_copied(self, g, moves):
        """The guest runs on the destination from the copies, which hold
        what the source's disks held; the source's are untouched (the
        guest does not write its disks)."""
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (migrated)")
        self.assertEqual(self.src.running_qemus(), [])
        xml = self.dst.out("dumpxml", g.name)
        for path, copy in moves.items():
            self.assertIn("<source file='%s'" % copy, xml)
        n = g.last_pass()
        g.wait_pass_after(n)
        rc, out = g.check_memory(self.dst.uri)
        self.assertEqual(rc, 0, out)
        self.dst.out("destroy", g.name)
        for path, copy in moves.items():
            self.assertEqual(digest(copy), g.digests[path], copy)
            self.assertEqual(digest(path), g.digests[path], path)

    def assert_still_on_source(self, g, created):
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (booted)")
        self.assertEqual(self.dst.out("list", "--all"), "")
        self.assertEqual(self.dst.running_qemus(), [])
        for path in created:
            self.assertFalse(os.path.exists(path), path + " left behind")
        n = g.last_pass()
        g.wait_pass_after(n)

    def test_copy_storage_all(self):
        g = self.start("stor")
        xml, moves = self.dest_xml(g, g.image, g.data)
        self.migrate(g, "--copy-storage-all", "--xml", xml)
        # the copy's size in the job statistics (virsh: "File ...")
        info = self.src.out("domjobinfo", "--completed", g.name)
        total = os.path.getsize(g.image) + os.path.getsize(g.data)
        self.assertRegex(info, r"File total:\s+%.3f MiB" % (total / 1048576.0))
        self.assertRegex(info, r"File remaining:\s+0\.000 B")
        self.assertRegex(info, r"File bandwidth:\s+[1-9][0-9.]* [KMG]iB/s")
        self.assert_copied(g, moves)

    def migrate_writing(self, g, *flags):
        """Migrates @g, which keeps rewriting its boot disk while it is
        copied: the copy it runs on afterwards holds every write of the
        source side and goes on from there; the source's image stays
        consistent."""
        g.wait_disk_round_after(0)
        xml, moves = self.dest_xml(g, g.image, g.data)
        before = g.disk_rounds()[-1]
        self.migrate(g, "--copy-storage-all", "--xml", xml, *flags)
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (migrated)")
        # the destination truncated the serial log: the next round printed
        # is one the guest wrote on the copy
        g.wait_disk_round_after(0)
        self.dst.out("suspend", g.name)
        rc, out = g.check_disk(moves[g.image], before)
        self.assertEqual(rc, 0, out)
        rc, out = g.check_memory(self.dst.uri)
        self.assertEqual(rc, 0, out)
        self.dst.out("destroy", g.name)
        rc, out = g.check_disk(g.image, before)
        self.assertEqual(rc, 0, "source image: " + out)
        self.assertEqual(digest(moves[g.data]), g.digests[g.data])

    def test_guest_writes_during_copy(self):
        g = self.start("storw", disk_sectors=256, disk_rate=64)
        self.migrate_writing(g)

    def test_copy_storage_postcopy(self):
        """A guest rewriting its memory as fast as it can, and its disk:
        the disks are in sync before the switch to post-copy."""
        g = self.start("storpc", rate_mib=0, disk_sectors=256, disk_rate=64)
        self.migrate_writing(g, "--postcopy", "--postcopy-after-precopy",
                             "--bandwidth", "40")

    def test_copy_storage_p2p(self):
        """Peer-to-peer, with the NBD server where --disks-uri says and
        guest writes waiting for the copy (synchronous writes)."""
        g = self.start("storp2p")
        xml, moves = self.dest_xml(g, g.image, g.data)
        port = free_port("127.0.0.3")
        res = self.migrate(g, "--p2p", "--copy-storage-all", "--xml", xml,
                           "--disks-uri", "tcp://127.0.0.3:%d" % port,
                           "--disks-port", "1", check=False)
        self.assertIn("Both 'disks_uri' and 'disks_port' are specified", res.stderr)
        self.migrate(g, "--p2p", "--copy-storage-all", "--xml", xml,
                     "--copy-storage-synchronous-writes",
                     "--disks-uri", "tcp://127.0.0.3:%d" % port)
        self.assert_copied(g, moves)

    def test_copy_storage_inc(self):
        """--copy-storage-inc: the boot disk is a qcow2 overlay over the
        guest image, which both hosts share; only the overlay's data is
        copied, into the destination's own overlay over the same base,
        while the guest keeps writing."""
        g = Guest(self.pair.workdir, "storinc", 32, 8, 256, 64)
        overlay = os.path.join(self.pair.workdir, "storinc-overlay.qcow2")
        copy = os.path.join(self.pair.workdir, "dst-storinc-overlay.qcow2")
        for path in (overlay, copy):
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", g.image,
                            "-F", "raw", path], check=True)
        with open(g.xml) as f:
            xml = f.read().replace(
                "<driver name='qemu' type='raw'/>\n      <source file='%s'/>" % g.image,
                "<driver name='qemu' type='qcow2'/>\n      <source file='%s'/>" % overlay)
        with open(g.xml, "w") as f:
            f.write(xml)
        base = digest(g.image)
        self.src.out("define", g.xml)
        self.src.out("start", g.name)
        g.wait_disk_round_after(0)
        xml, _ = self.dest_xml(g)
        with open(xml) as f:
            text = f.read().replace("'%s'" % overlay, "'%s'" % copy)
        with open(xml, "w") as f:
            f.write(text)
        before = g.disk_rounds()[-1]
        self.migrate(g, "--copy-storage-inc", "--xml", xml)
        g.wait_disk_round_after(0)
        self.dst.out("suspend", g.name)
        flat = os.path.join(self.pair.workdir, "storinc-flat.img")
        subprocess.run(["qemu-img", "convert", "-U", "-O", "raw", copy, flat], check=True)
        rc, out = g.check_disk(flat, before)
        self.assertEqual(rc, 0, out)
        self.dst.out("destroy", g.name)
        self.assertEqual(digest(g.image), base)

    def test_migrate_disks(self):
        """Only the named disk is copied; the other one is left to shared
        storage (here: the same path, hence --unsafe)."""
        g = self.start("stordisks")
        xml, moves = self.dest_xml(g, g.data)
        res = self.migrate(g, "--copy-storage-all", "--migrate-disks", "vdz",
                           "--unsafe", "--xml", xml, check=False)
        self.assertIn("disk target vdz not found", res.stderr)
        res = self.migrate(g, "--migrate-disks", "vdb", "--unsafe", check=False)
        self.assertIn("requires copying storage", res.stderr)
        res = self.migrate(g, "--copy-storage-all", "--tls", "--xml", xml, check=False)
        self.assertIn("copying storage over TLS", res.stderr)
        self.migrate(g, "--copy-storage-all", "--migrate-disks", "vdb", "--unsafe",
                     "--xml", xml)
        self.assert_copied(g, moves)

    def start_slow_copy(self, name):
        """A migration whose data disk is mirrored at 1 MiB/s (libvirt
        applies --bandwidth to its mirrors): returns once the copy is
        under way (disk progress in domjobinfo), with the virsh thread
        and the images the destination created."""
        g = self.start(name)
        xml, moves = self.dest_xml(g, g.image, g.data)
        th, res = in_thread(self.migrate, g, "--copy-storage-all", "--bandwidth", "1",
                            "--xml", xml, check=False)

        def copying():
            info = self.src.virsh("domjobinfo", g.name, check=False).stdout
            m = re.search(r"File processed:\s+([0-9.]+) (\S+)", info)
            return m and float(m.group(1)) > 0
        wait_for(copying, "the disk copy to start", 60)
        return g, th, res, list(moves.values())

    def qemu_pid(self, host, name):
        path = os.path.join(host.root, "run", "virtmig", "qemu", name + ".xml")
        with open(path) as f:
            return int(re.search(r" pid='(\d+)'", f.read()).group(1))

    def test_abort_during_copy(self):
        """virsh domjobabort while the disks are mirrored: the guest goes
        on on the source with its disks untouched, the destination keeps
        nothing."""
        g, th, res, created = self.start_slow_copy("storabort")
        self.src.out("domjobabort", g.name)
        th.join(120)
        self.assertNotEqual(res["res"].returncode, 0)
        self.assertIn("canceled by client", res["res"].stderr)
        self.assert_still_on_source(g, created)
        self.assertEqual({p: digest(p) for p in g.digests}, g.digests)

    def test_destination_qemu_killed_during_copy(self):
        """The destination's QEMU dies while the disks are mirrored: the
        migration fails, the guest goes on on the source with its disks
        untouched, the destination keeps nothing."""
        g, th, res, created = self.start_slow_copy("storkill")
        os.kill(self.qemu_pid(self.dst, g.name), signal.SIGKILL)
        th.join(120)
        self.assertNotEqual(res["res"].returncode, 0)
        self.assert_still_on_source(g, created)
        self.assertEqual({p: digest(p) for p in g.digests}, g.digests)

    def test_destination_refuses(self):
        """A target too small, or one that cannot be created: the
        migration fails before anything moves, the guest stays on the
        source and nothing created is left on the destination."""
        g = self.start("storfail")
        xml, moves = self.dest_xml(g, g.image, g.data)
        with open(moves[g.data], "wb") as f:
            f.truncate(4096)
        res = self.migrate(g, "--copy-storage-all", "--xml", xml, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("is smaller (4096 bytes) than the disk it receives", res.stderr)
        self.assert_still_on_source(g, [moves[g.image]])
        os.unlink(moves[g.data])

        bad = os.path.join(self.pair.workdir, "no-such-dir", "disk.img")
        with open(xml) as f:
            text = f.read().replace("'%s'" % moves[g.data], "'%s'" % bad)
        with open(xml, "w") as f:
            f.write(text)
        res = self.migrate(g, "--copy-storage-all", "--xml", xml, check=False)
        self.assertIn("cannot create the storage copy's target", res.stderr)
        self.assert_still_on_source(g, [moves[g.image], bad])

        res = self.migrate(g, "--copy-storage-inc", "--xml", xml, check=False)
        self.assertIn("must exist on the destination for --copy-storage-inc",
                      res.stderr)
        self.assert_still_on_source(g, [moves[g.image]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
