#!/usr/bin/python3
"""The RPC protocol over TLS (listen_tls), with the stock virsh and
python3-libvirt as clients and libvirt's PKI layout: lifecycle and
migration (client-managed and peer-to-peer, where the source daemon
shows its own client certificate), the certificate checks of the server
(another CA, tls_allowed_dn_list), a client stalling in the handshake.
Real QEMU.  Run by meson (suite e2e).
"""
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import PKI, Guest, Pair, wait_for  # noqa: E402

# The clients the servers accept: the test's admin and the daemons
# themselves (P2P; their CN is their address).  Mallory has a good
# certificate from our CA, but a DN outside the list.
CONFIG = """tls_allowed_dn_list = ["O=virtmig,CN=admin", "O=virtmig,CN=127.0.0.*"]
anonymous_client_timeout = 3
"""



class TLSTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pair = Pair(CONFIG, CONFIG, tls=True)
        cls.src = cls.pair.src
        cls.dst = cls.pair.dst

    @classmethod
    def tearDownClass(cls):
        cls.pair.close()

    def start_guest(self, name):
        g = Guest(self.pair.workdir, name)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        g.wait_pass_after(0)
        return g

    def test_secure_connection(self):
        import libvirt

        conn = libvirt.open(self.src.uri)
        try:
            self.assertEqual(conn.isSecure(), 1)
            self.assertEqual(conn.isEncrypted(), 1)
        finally:
            conn.close()
        conn = libvirt.open(self.src.tcp_uri)
        try:
            self.assertEqual(conn.isSecure(), 0)
            self.assertEqual(conn.isEncrypted(), 0)
        finally:
            conn.close()

    def test_lifecycle_and_migration(self):
        """Over TLS only, RPC and migration stream: define, start,
        migrate client-managed to the destination, then back
        peer-to-peer with post-copy allowed (the destination daemon
        connects to the source with its own client certificate)."""
        g = self.start_guest("tlsguest")
        self.assertEqual(self.src.out("domstate", g.name), "running")
        self.src.out("migrate", "--live", "--unsafe", "--tls", g.name, self.dst.uri)
        self.assertEqual(self.dst.out("domstate", "--reason", g.name),
                         "running (migrated)")
        n = g.last_pass()
        g.wait_pass_after(n)
        self.dst.out("migrate", "--live", "--p2p", "--unsafe", "--tls",
                     "--postcopy", "--postcopy-after-precopy", g.name,
                     self.src.peer_uri)
        self.assertEqual(self.src.out("domstate", "--reason", g.name),
                         "running (migrated)")
        self.assertEqual(self.dst.running_qemus(), [])
        n = g.last_pass()
        g.wait_pass_after(n)
        rc, out = g.check_memory(self.src.uri)
        self.assertEqual(rc, 0, out)
        self.src.out("destroy", g.name)
        self.src.out("undefine", g.name)

    def test_p2p_peer_refused(self):
        """A destination that refuses the source daemon's certificate (a
        DN outside its list): the P2P migration fails before anything
        starts, guest running, nothing on the destination."""
        import shutil

        g = self.start_guest("p2prefused")
        pki = os.path.join(self.src.root, "etc", "pki", "libvirt")
        saved = os.path.join(self.pair.workdir, "saved-client")
        rogue = self.pair.pki.client("rogue")
        shutil.copytree(pki, saved)
        try:
            shutil.copy(os.path.join(rogue, "clientcert.pem"),
                        os.path.join(pki, "clientcert.pem"))
            shutil.copy(os.path.join(rogue, "clientkey.pem"),
                        os.path.join(pki, "private", "clientkey.pem"))
            res = self.src.virsh("migrate", "--live", "--p2p", "--unsafe",
                                 g.name, self.dst.peer_uri, check=False)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("refused the TLS connection", res.stderr)
            self.assertEqual(self.src.out("domstate", g.name), "running")
            self.assertEqual(self.dst.running_qemus(), [])
        finally:
            shutil.rmtree(pki)
            shutil.copytree(saved, pki)
            self.src.virsh("destroy", g.name, check=False)
            self.src.virsh("undefine", g.name, check=False)

    def test_other_ca_refused(self):
        """A client whose certificate another CA signed.  It trusts our CA
        as well (both in its cacert.pem), so only the server can refuse."""
        other = PKI(self.pair.workdir, "other-ca")
        pkipath = other.client("eve")
        with open(os.path.join(pkipath, "cacert.pem"), "a") as f:
            with open(os.path.join(self.pair.pki.dir, "cacert.pem")) as ours:
                f.write(ours.read())
        res = self.src.virsh("list", uri=self.src.tls_uri(pkipath), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("Unable to read TLS confirmation", res.stderr)

    def test_dn_not_allowed(self):
        pkipath = self.pair.pki.client("mallory")
        res = self.src.virsh("list", uri=self.src.tls_uri(pkipath), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("Unable to read TLS confirmation", res.stderr)
        with open(self.src.log.name) as f:
            self.assertIn("Client's Distinguished Name 'O=virtmig,CN=mallory' "
                          "is not on the list of allowed clients", f.read())

    def test_stalled_handshake(self):
        """A client that connects and sends nothing blocks nobody: another
        client is served while it is still connected (had the server
        waited for its handshake, it would only serve the other after
        dropping it); then it is dropped after anonymous_client_timeout."""
        silent = socket.create_connection((self.src.addr, self.src.tls_port))
        try:
            self.src.out("list", "--all")
            silent.setblocking(False)
            with self.assertRaises(BlockingIOError,
                                   msg="still connected when the other was served"):
                silent.recv(1)
            silent.setblocking(True)
            silent.settimeout(30)
            self.assertEqual(silent.recv(1), b"", "the server drops it")
        finally:
            silent.close()


class DaemonRefusesTest(unittest.TestCase):
    """Start-up refusals: nothing half-started."""

    def run_daemon(self, root, *args):
        os.makedirs(os.path.join(root, "etc", "virtmig"), exist_ok=True)
        return subprocess.run([os.path.join(os.environ.get("VIRTMIG_BUILD_DIR",
                                                           "build"),
                                            "src", "virtmigd"),
                               "--root", root] + list(args),
                              capture_output=True, text=True, timeout=30)

    def test_fresh_root_wildcard(self):
        """`--listen-tcp 0.0.0.0` on a fresh root: its auth_tcp is "sasl"
        and there is no SASL configuration, so nobody could get in: the
        daemon refuses to start."""
        import tempfile
        with tempfile.TemporaryDirectory() as root:
            res = self.run_daemon(root, "--listen-tcp", "0.0.0.0:16599")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("a listener asks for SASL", res.stderr)

    def test_open_door(self):
        """Plain TCP beyond loopback without authentication is refused
        (SASL with its security layer is allowed there: rpcsasltest)."""
        import tempfile
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "etc", "virtmig"))
            with open(os.path.join(root, "etc", "virtmig", "virtmigd.conf"), "w") as f:
                f.write('auth_tcp = "none"\n')
            res = self.run_daemon(root, "--listen-tcp", "0.0.0.0:16599")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("refusing to listen on '0.0.0.0:16599': plain TCP beyond "
                          "loopback with auth_tcp = \"none\"", res.stderr)

    def test_missing_certificates(self):
        import tempfile
        with tempfile.TemporaryDirectory() as root:
            res = self.run_daemon(root, "--listen-tls", "127.0.0.2:16598")
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(os.path.join(root, "etc/pki/CA/cacert.pem"), res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
