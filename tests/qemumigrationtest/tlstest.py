#!/usr/bin/python3
"""The migration stream over TLS (`virsh migrate --tls`, VIR_MIGRATE_TLS)
between two virtmigd daemons, stock virsh, real QEMU: precopy, P2P
post-copy, post-copy recovery, multifd, migrate_tls_force, missing
certificates, and what actually travels on the wire (a proxy between
the two QEMUs looks for the guest's memory pattern).  The daemons'
RPC runs over TLS as well (virsh with a pkipath; P2P with the source
daemon's own client certificate), one PKI for both: everything a real
deployment encrypts is encrypted.  Run by meson (suite e2e).
"""
import os
import socket
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Pair, in_thread, wait_for  # noqa: E402

BANDWIDTH = "40"
TLS_LOG = 'log_filters = "1:qemu.qemu_migration_tls"\n'
FORCE_ERROR = ("error: Requested operation is not valid: this libvirtd instance "
               "allows migration only with VIR_MIGRATE_TLS flag")

# What the test guest has in RAM, in clear: its parameter block (boot
# sector at 0x7c00) and the header of pages 0 and 1 of its range.
PATTERNS = [b"VMGUEST1", b"VMGP" + struct.pack("<I", 0), b"VMGP" + struct.pack("<I", 1)]


def read(path):
    with open(path) as f:
        return f.read()


class StreamProxy:
    """Forwards TCP connections from LISTEN:port to TARGET:port (the
    same port) and scans what the migration source sends for
    PATTERNS.  Records the first bytes of each connection."""

    def __init__(self, listen, target):
        self.target = target
        self.sock = socket.socket()
        self.sock.bind((listen, 0))
        self.port = self.sock.getsockname()[1]
        # the destination QEMU will listen on the target with that port
        with socket.socket() as probe:
            probe.bind((target, self.port))
        self.sock.listen(8)
        self.found = set()
        self.heads = []
        self.bytes = 0
        self.lock = threading.Lock()
        self.threads = []
        self.closed = False
        th = threading.Thread(target=self.accept_loop, daemon=True)
        th.start()
        self.threads.append(th)

    def accept_loop(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection((self.target, self.port))
            except OSError:
                client.close()
                continue
            for a, b, scan in ((client, server, True), (server, client, False)):
                th = threading.Thread(target=self.pump, args=(a, b, scan),
                                      daemon=True)
                th.start()
                self.threads.append(th)

    def pump(self, src, dst, scan):
        carry = b""
        head = b""
        try:
            while True:
                data = src.recv(256 * 1024)
                if not data:
                    break
                if scan:
                    if len(head) < 16:
                        head += data[:16 - len(head)]
                    buf = carry + data
                    with self.lock:
                        self.bytes += len(data)
                        for p in PATTERNS:
                            if p in buf:
                                self.found.add(p)
                    carry = buf[-16:]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            if scan:
                with self.lock:
                    self.heads.append(head)
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class TLSTest(unittest.TestCase):
    SRC_CONFIG = TLS_LOG
    DST_CONFIG = TLS_LOG

    def setUp(self):
        # each host's identity (ROOT/etc/pki/{libvirt,qemu}); the
        # destination's is checked against the address the source QEMU
        # connects to
        self.pair = Pair(self.SRC_CONFIG, self.DST_CONFIG, tls=True)
        self.src = self.pair.src
        self.dst = self.pair.dst

    def tearDown(self):
        self.pair.close()

    def pki(self, host, name):
        return os.path.join(host.root, "etc", "pki", "qemu", name)

    def start_guest(self, name, size_mib=16, rate_mib=32):
        g = Guest(self.pair.workdir, name, size_mib, rate_mib)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        g.wait_pass_after(0)
        return g

    def migrate(self, g, *extra, check=True, src=None, dst=None):
        src = src or self.src
        dst = dst or self.dst
        # P2P: the source daemon connects with its own certificate
        uri = dst.peer_uri if "--p2p" in extra else dst.uri
        return src.virsh("migrate", "--live", "--unsafe", *extra, g.name, uri,
                         check=check, timeout=300)

    def assert_arrived(self, g, host=None, src=None):
        host = host or self.dst
        src = src or self.src
        self.assertEqual(host.out("domstate", "--reason", g.name), "running (migrated)")
        # a persistent source keeps its definition, a transient one is gone
        left = src.virsh("domstate", "--reason", g.name, check=False)
        if left.returncode == 0:
            self.assertEqual(left.stdout.strip(), "shut off (migrated)")
        else:
            self.assertIn("failed to get domain", left.stderr)
        n = g.last_pass()
        g.wait_pass_after(n)
        rc, out = g.check_memory(host.uri)
        self.assertEqual(rc, 0, out)

    def assert_still_on_source(self, g):
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (booted)")
        wait_for(lambda: self.dst.running_qemus() == [],
                 "no QEMU on the destination")
        n = g.last_pass()
        g.wait_pass_after(n)

    def tls_log(self, host):
        return read(os.path.join(self.pair.workdir, host.name + ".log"))

    def assert_tls_cleaned(self, host, count=1):
        """@host's job ended and removed the TLS object @count times."""
        wait_for(lambda: self.tls_log(host).count("migration TLS object removed") >= count,
                 "the TLS object's removal on " + host.name)

    # ---- the tests ----

    def test_wire_plain_then_tls(self):
        """A proxy between the QEMUs sees the guest's memory in clear
        without --tls (so this test can fail) and not with --tls; then
        the TLS migration goes back the other way."""
        g = self.start_guest("wire")
        times = {}
        for label, src, dst, extra in (("plain", self.src, self.dst, ()),
                                       ("tls", self.dst, self.src, ("--tls",))):
            proxy = StreamProxy(dst.addr, "127.0.0.4")
            try:
                start = time.monotonic()
                self.migrate(g, *extra, "--migrateuri",
                             "tcp:%s:%d" % (dst.addr, proxy.port),
                             "--listen-address", "127.0.0.4", src=src, dst=dst)
                times[label] = time.monotonic() - start
            finally:
                proxy.close()
            self.assertGreater(proxy.bytes, 1024 * 1024, label)
            self.assertTrue(proxy.heads, label)
            if label == "plain":
                self.assertEqual(proxy.found, set(PATTERNS))
                self.assertTrue(any(h.startswith(b"QEVM") for h in proxy.heads),
                                proxy.heads)
            else:
                self.assertEqual(proxy.found, set(), "clear text on the wire")
                # a TLS handshake record opens every connection
                self.assertTrue(all(h.startswith(b"\x16\x03") for h in proxy.heads),
                                proxy.heads)
            self.assert_arrived(g, host=dst, src=src)
        # the destination's job ended: credentials reset, object deleted
        self.assert_tls_cleaned(self.src)
        self.assertIn("migration over TLS (client, hostname '127.0.0.2')",
                      self.tls_log(self.dst))
        print("migration of a %d MiB guest over loopback: plain %.2f s, TLS %.2f s"
              % (g.pages * 4 // 1024, times["plain"], times["tls"]), file=sys.stderr)

    def test_precopy_multifd(self):
        g = self.start_guest("par")
        res = self.migrate(g, "--tls", "--parallel", "--parallel-connections", "2",
                           "--verbose")
        self.assertIn("Migration: [100 %]", res.stdout + res.stderr)
        self.assert_arrived(g)
        self.assert_tls_cleaned(self.dst)

    def test_p2p_postcopy(self):
        # 64 MiB rewritten as fast as the vCPU can: only post-copy ends
        g = self.start_guest("p2ppc", size_mib=64, rate_mib=0)
        self.migrate(g, "--tls", "--p2p", "--postcopy", "--postcopy-after-precopy",
                     "--bandwidth", BANDWIDTH)
        wait_for(lambda: self.dst.virsh("domstate", "--reason", g.name,
                                        check=False).stdout.strip() ==
                 "running (migrated)", "the post-copy migration to complete")
        self.assert_arrived(g)
        self.assert_tls_cleaned(self.dst)

    def test_postcopy_failure_and_resume(self):
        g = self.start_guest("rs", size_mib=64, rate_mib=0)
        th, result = in_thread(self.migrate, g, "--tls", "--postcopy",
                               "--postcopy-after-precopy", "--bandwidth", BANDWIDTH,
                               "--postcopy-bandwidth", "3", check=False)
        wait_for(lambda: self.src.virsh("domstate", "--reason", g.name,
                                        check=False).stdout.strip() ==
                 "paused (post-copy)", "the switch to post-copy", 120)
        self.src.out("domjobabort", "--postcopy", g.name)
        th.join(timeout=120)
        self.assertIn("failed in post-copy phase", result["res"].stderr)
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "paused (post-copy failed)")
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (post-copy failed)")
        # the objects stay for recovery, which must use TLS too
        self.assertNotIn("migration TLS object removed", self.tls_log(self.dst))
        res = self.migrate(g, "--postcopy", "--postcopy-resume", check=False)
        self.assertIn("must be resumed with it", res.stderr)
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (post-copy failed)")
        self.src.out("migrate-setspeed", "--postcopy", g.name, "1000")
        self.migrate(g, "--tls", "--postcopy", "--postcopy-resume")
        self.assert_arrived(g)
        self.assert_tls_cleaned(self.dst)

    def test_missing_certificates(self):
        g = self.start_guest("nocert")
        # without its client certificate the source passes its own check
        # (QEMU's client needs the CA only) but the destination, which
        # verifies its peer, refuses the handshake: Perform fails, the
        # guest keeps running, the source's job ends with the object
        # removed and the parameters restored
        for name in ("client-cert.pem", "client-key.pem"):
            os.unlink(self.pki(self.src, name))
        res = self.migrate(g, "--tls", check=False)
        # Perform's error (QEMU's), not Finish(cancelled)'s
        self.assertIn("error: operation failed: job 'migration out' failed: ", res.stderr)
        self.assert_still_on_source(g)
        self.assert_tls_cleaned(self.src)
        # the destination cannot serve without its key: refused at
        # Prepare, before its QEMU starts
        key = self.pki(self.dst, "server-key.pem")
        os.unlink(key)
        res = self.migrate(g, "--tls", check=False)
        self.assertIn("Unable to access migration TLS credentials %s: "
                      "No such file or directory" % key, res.stderr)
        self.assert_still_on_source(g)
        # the source cannot check the destination without the CA:
        # refused at Begin
        ca = self.pki(self.src, "ca-cert.pem")
        os.unlink(ca)
        res = self.migrate(g, "--tls", "--p2p", check=False)
        self.assertIn("Unable to access migration TLS credentials %s: "
                      "No such file or directory" % ca, res.stderr)
        self.assert_still_on_source(g)
        res = self.migrate(g, "--tls", check=False)
        self.assertIn("Unable to access migration TLS credentials %s" % ca, res.stderr)
        self.assert_still_on_source(g)
        # only the first attempt got as far as QEMU
        self.assertEqual(self.tls_log(self.src).count("migration over TLS"), 1)


class ForceTest(TLSTest):
    """migrate_tls_force = 1 on the destination, then on the source."""
    DST_CONFIG = TLS_LOG + "migrate_tls_force = 1\n"

    def test_force(self):
        g = self.start_guest("force")
        # refused by the destination's Prepare: nothing started there
        res = self.migrate(g, check=False)
        self.assertIn(FORCE_ERROR, res.stderr)
        self.assert_still_on_source(g)
        res = self.migrate(g, "--p2p", check=False)
        self.assertIn(FORCE_ERROR, res.stderr)
        self.assert_still_on_source(g)
        # the source's own setting refuses it at Begin
        self.src.kill(sig=15)
        with open(os.path.join(self.src.root, "etc", "virtmig", "virtmigd.conf"),
                  "a") as f:
            f.write("migrate_tls_force = 1\n")
        self.src.start_again()
        wait_for(lambda: self.src.virsh("domstate", "--reason", g.name,
                                        check=False).stdout.strip() ==
                 "running (booted)", "the guest after the source's restart")
        res = self.migrate(g, check=False)
        self.assertIn(FORCE_ERROR, res.stderr)
        self.assert_still_on_source(g)
        # with --tls it goes
        self.migrate(g, "--tls")
        self.assert_arrived(g)

    # the other tests run once, in TLSTest
    test_wire_plain_then_tls = None
    test_precopy_multifd = None
    test_p2p_postcopy = None
    test_postcopy_failure_and_resume = None
    test_missing_certificates = None


class TimedResult(unittest.TextTestResult):
    """Prints how long each test took (the file's budget is small)."""

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def addSuccess(self, test):
        self.stream.write("(%.1f s) " % (time.monotonic() - self._started))
        super().addSuccess(test)


if __name__ == "__main__":
    unittest.main(verbosity=2,
                  testRunner=unittest.TextTestRunner(resultclass=TimedResult,
                                                    verbosity=2))
