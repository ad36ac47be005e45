#!/usr/bin/python3
"""SASL authentication of virtmigd with the stock virsh and python3-libvirt.

One daemon (private --root, no QEMU needed) asks for SASL on its
read-write UNIX socket, on a loopback TCP listener (auth_tcp = "sasl"
set explicitly) and, when certtool is there, on a TLS listener; its
libsasl2 configuration is ROOT/etc/sasl2/virtmigd.conf (SCRAM-SHA-256,
a sasldb made with saslpasswd2).  Credentials reach virsh through
libvirt's auth.conf (LIBVIRT_AUTH_FILE or ?authfile=), never a prompt.
Checked: the right password, a wrong one, an unknown user, a user
outside sasl_allowed_username_list, no credentials at all, a raw client
calling before it authenticated, the read-only socket (auth none), SASL
over TLS, and a second daemon with the defaults (loopback TCP keeps auth
none).  SASL over plain TCP needs a security layer (SSF >= 56): a third
daemon offers DIGEST-MD5 there; virsh and python3-libvirt work through
it (large calls both ways, many calls), a wrong password is refused, and
a proxy between virsh and the daemon sees a guest's name on the wire
with auth none but not through the layer.  A daemon asked to listen on
0.0.0.0 with the defaults (auth_tcp = "sasl") and no SASL configuration
refuses to start (libvirtd would start a listener nobody can use).

  rpcsasltest.py BUILD/src/virtmigd      (run by meson, suite rpc)
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

DAEMON = None
DEADLINE = 10.0
SKIP = 77
SOURCE = os.environ.get("VIRTMIG_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CERTS_TOOL = os.path.join(SOURCE, "tools", "virtmig-certs.sh")
AUTH_FAILED = "error: authentication failed: authentication failed"
VIR_ERR_RPC = 39

USERS = {"alice": "secret", "ops-1": "ops-pw", "bob": "bob-pw"}
CONFIG = """auth_unix_rw = "sasl"
auth_tcp = "sasl"
auth_tls = "sasl"
sasl_allowed_username_list = [ "alice", "ops-*" ]
"""


def saslpasswd2():
    return shutil.which("saslpasswd2") or (
        "/usr/sbin/saslpasswd2" if os.access("/usr/sbin/saslpasswd2", os.X_OK)
        else None)


def free_port(addr):
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def wait_for(pred, what):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def can_connect(family, addr):
    try:
        with socket.socket(family) as s:
            s.connect(addr)
        return True
    except OSError:
        return False


class Daemon:
    """virtmigd on its own root: UNIX sockets and a TCP listener on
    @addr, TLS too when @pki (a CA directory) is given, and libsasl2's
    configuration with @users (as docs/security.md says) before it
    starts."""

    def __init__(self, workdir, name, addr, config, users=None, pki=None,
                 mech="scram-sha-256"):
        self.root = os.path.join(workdir, name)
        # a wildcard listener is reached on loopback
        self.addr = "127.0.0.1" if addr == "0.0.0.0" else addr
        os.makedirs(os.path.join(self.root, "etc", "virtmig"))
        with open(os.path.join(self.root, "etc", "virtmig", "virtmigd.conf"), "w") as f:
            f.write(config)
        if users:
            self.setup_sasl(users, mech)
        self.port = free_port(addr)
        argv = [DAEMON, "--root", self.root, "--listen-tcp", "%s:%d" % (addr, self.port)]
        self.tls_port = None
        if pki:
            subprocess.run(["bash", CERTS_TOOL, "host", pki, self.root, addr, addr],
                           check=True, capture_output=True)
            self.tls_port = free_port(addr)
            argv += ["--listen-tls", "%s:%d" % (addr, self.tls_port)]
        self.sock = os.path.join(self.root, "run", "virtmigd-sock")
        self.sock_ro = self.sock + "-ro"
        self.log = os.path.join(workdir, name + ".log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
        wait_for(lambda: self.proc.poll() is not None or
                 (can_connect(socket.AF_UNIX, self.sock) and
                  can_connect(socket.AF_INET, (self.addr, self.port))),
                 "virtmigd on " + self.root)
        if self.proc.poll() is not None:
            raise AssertionError("virtmigd exited: " + self.read_log())

    def read_log(self):
        with open(self.log) as f:
            return f.read()

    def setup_sasl(self, users, mech):
        """ROOT/etc/sasl2/virtmigd.conf and the users' sasldb (in the
        default realm, the host name, which DIGEST-MD5's server offers
        and the stock client takes)."""
        etc = os.path.join(self.root, "etc")
        db = os.path.join(etc, "virtmig", "passwd.db")
        os.makedirs(os.path.join(etc, "sasl2"), exist_ok=True)
        with open(os.path.join(etc, "sasl2", "virtmigd.conf"), "w") as f:
            f.write("mech_list: %s\nsasldb_path: %s\n" % (mech, db))
        for user, password in users.items():
            subprocess.run([saslpasswd2(), "-p", "-c", "-f", db, "-a", "virtmigd", user],
                           input=password, text=True, check=True)

    def uri(self, readonly=False):
        return "qemu+unix:///system?socket=" + (self.sock_ro if readonly else self.sock)

    def tcp_uri(self, port=None):
        return "qemu+tcp://%s:%d/system" % (self.addr, port or self.port)

    def stop(self):
        """Stops the daemon: its exit status (0 for a clean stop; the
        sanitizers of an ASan build make it fail on a leak)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class SASLTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="rpcsasltest-")
        cls.env = dict(os.environ, LC_ALL="C",
                       XDG_CONFIG_HOME=os.path.join(cls.workdir, "config"))
        cls.env.pop("LIBVIRT_AUTH_FILE", None)
        cls.env.pop("LIBVIRT_DEFAULT_URI", None)
        cls.pki = None
        if shutil.which("certtool"):
            cls.pki = os.path.join(cls.workdir, "ca")
            subprocess.run(["bash", CERTS_TOOL, "ca", cls.pki, "virtmig sasl test"],
                           check=True, capture_output=True)
            cls.pkipath = os.path.join(cls.workdir, "pki-admin")
            subprocess.run(["bash", CERTS_TOOL, "client", cls.pki, cls.pkipath, "admin"],
                           check=True, capture_output=True)
        cls.daemons = {}
        cls.daemon = cls.start(Daemon, "sasl", "127.0.0.51", CONFIG, USERS, cls.pki)
        cls.plain = cls.start(Daemon, "plain", "127.0.0.52", "")
        cls.digest = cls.start(Daemon, "digest", "127.0.0.53", CONFIG, USERS,
                               mech="digest-md5")

    @classmethod
    def start(cls, factory, name, *args, **kwargs):
        """A daemon that tearDownClass stops even if a later one fails."""
        try:
            cls.daemons[name] = factory(cls.workdir, name, *args, **kwargs)
        except BaseException:
            cls.tearDownClass()
            raise
        return cls.daemons[name]

    @classmethod
    def tearDownClass(cls):
        status = {name: d.stop() for name, d in cls.daemons.items()}
        logs = {name: d.read_log() for name, d in cls.daemons.items()}
        if os.environ.get("VIRTMIG_TEST_KEEP"):
            sys.stderr.write("kept %s\n" % cls.workdir)
        else:
            shutil.rmtree(cls.workdir, ignore_errors=True)
        for name, rc in status.items():
            if rc != 0:
                raise AssertionError("daemon %s exited with %d:\n%s"
                                     % (name, rc, logs[name][-3000:]))

    def authfile(self, user, password, host="localhost"):
        path = os.path.join(self.workdir, "auth-%s-%s.conf" % (user, host))
        with open(path, "w") as f:
            f.write("[credentials-virtmig]\nauthname=%s\npassword=%s\n\n"
                    "[auth-libvirt-%s]\ncredentials=virtmig\n" % (user, password, host))
        return path

    def virsh(self, uri, *args, authfile=None):
        env = dict(self.env)
        if authfile:
            env["LIBVIRT_AUTH_FILE"] = authfile
        return subprocess.run(["virsh", "-q", "-c", uri] + list(args),
                              capture_output=True, text=True, timeout=60,
                              env=env, stdin=subprocess.DEVNULL)

    def assertRefused(self, res, message=AUTH_FAILED):
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("error: failed to connect to the hypervisor", res.stderr)
        self.assertIn(message, res.stderr)

    # ---- the read-write UNIX socket ------------------------------------

    def test_right_password(self):
        res = self.virsh(self.daemon.uri(), "uri",
                         authfile=self.authfile("alice", "secret"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.strip(), self.daemon.uri())
        res = self.virsh(self.daemon.uri(), "list", "--all",
                         authfile=self.authfile("alice", "secret"))
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_authfile_in_uri(self):
        """?authfile= in the URI, a user matching "ops-*"."""
        uri = self.daemon.uri() + "&authfile=" + self.authfile("ops-1", "ops-pw")
        res = self.virsh(uri, "hostname")
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_wrong_password(self):
        self.assertRefused(self.virsh(self.daemon.uri(), "list",
                                      authfile=self.authfile("alice", "wrong")))

    def test_unknown_user(self):
        self.assertRefused(self.virsh(self.daemon.uri(), "list",
                                      authfile=self.authfile("mallory", "secret")))

    def test_user_not_allowed(self):
        """bob has the right password, but is not on
        sasl_allowed_username_list."""
        self.assertRefused(self.virsh(self.daemon.uri(), "list",
                                      authfile=self.authfile("bob", "bob-pw")))
        self.assertIn("SASL client identity 'bob' not allowed",
                      self.daemon.read_log())

    def test_no_credentials(self):
        """No auth file and no terminal: libsasl2's client has no
        username to send."""
        res = self.virsh(self.daemon.uri(), "list")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: authentication failed", res.stderr)

    def test_python_openauth(self):
        conn = open_auth(self.daemon.uri(), "alice", "secret")
        try:
            self.assertEqual(conn.getURI(), self.daemon.uri())
            self.assertEqual(conn.listAllDomains(), [])
        finally:
            conn.close()

    def test_raw_call_before_auth(self):
        """A client that skips authentication: AUTH_LIST says SASL,
        CONNECT_OPEN and CONNECT_LIST_ALL_DOMAINS are refused with
        libvirt's "authentication required" (VIR_ERR_RPC)."""
        with RawClient(self.daemon.sock) as c:
            status, body = c.call(66)                       # AUTH_LIST
            self.assertEqual(status, 0)
            self.assertEqual(struct.unpack(">II", body[:8]), (1, 1))   # [SASL]
            status, body = c.call(1, xdr_string("qemu:///system") + struct.pack(">I", 0))
            self.assertEqual((status,) + error_of(body), (1, VIR_ERR_RPC, "authentication required"))
            status, body = c.call(273, struct.pack(">iI", 1, 0))  # LIST_ALL_DOMAINS
            self.assertEqual((status,) + error_of(body), (1, VIR_ERR_RPC, "authentication required"))

    # ---- other listeners ------------------------------------------------

    def test_readonly_socket(self):
        """auth_unix_ro is "none" (the default)."""
        res = self.virsh(self.daemon.uri(readonly=True), "list")
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_plain_tcp_no_layer(self):
        """auth_tcp = "sasl" on plain TCP with SCRAM only: no mechanism
        with a security layer of SSF >= 56, which both ends demand there,
        so the stock client finds none it may use."""
        res = self.virsh(self.daemon.tcp_uri(), "list",
                         authfile=self.authfile("alice", "secret", self.daemon.addr))
        self.assertRefused(res, "error: authentication failed: Failed to start "
                           "SASL negotiation: -4 (SASL(-4): no mechanism available")

    def digest_virsh(self, *args, port=None, password="secret"):
        return self.virsh(self.digest.tcp_uri(port), *args,
                          authfile=self.authfile("alice", password, self.digest.addr))

    def test_plain_tcp_digest(self):
        """DIGEST-MD5 over plain TCP: a few calls, a define and a
        dumpxml far larger than one SASL chunk (64 KiB)."""
        res = self.digest_virsh("uri")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.strip(), self.digest.tcp_uri())
        name = "digest-big"
        xml = big_domain_xml(self.workdir, name, "5a1e0000-0000-4000-8000-0000000000b1",
                             300 * 1024)
        res = self.digest_virsh("define", xml)
        self.assertEqual(res.returncode, 0, res.stderr)
        try:
            res = self.digest_virsh("dumpxml", name)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("<name>%s</name>" % name, res.stdout)
            self.assertIn("y" * (300 * 1024), res.stdout)
            res = self.digest_virsh("list", "--all", "--name")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn(name, res.stdout.split())
        finally:
            self.digest_virsh("undefine", name)

    def test_plain_tcp_digest_wrong_password(self):
        self.assertRefused(self.digest_virsh("list", password="wrong"))

    def test_plain_tcp_digest_python(self):
        """python3-libvirt: many calls through the layer on one
        connection."""
        conn = open_auth(self.digest.tcp_uri(), "alice", "secret")
        try:
            # the layer makes plain TCP secure and encrypted (as libvirtd)
            self.assertEqual((conn.isSecure(), conn.isEncrypted()), (1, 1))
            caps = conn.getCapabilities()
            for _ in range(200):
                self.assertEqual(conn.getURI(), self.digest.tcp_uri())
                self.assertEqual(conn.getCapabilities(), caps)
                conn.listAllDomains()
        finally:
            conn.close()

    def test_wire_encrypted(self):
        """A proxy between virsh and the daemon looks for a guest's name
        (sent with define, received with list and dumpxml): in clear with
        auth none, so that the test can fail; not through the layer."""
        for daemon, found in ((self.plain, True), (self.digest, False)):
            name = "wire-%s-c0ffee" % os.path.basename(daemon.root)
            xml = big_domain_xml(self.workdir, name,
                                 "5a1e0000-0000-4000-8000-0000000000c%d" % found, 16)
            with Proxy(daemon.addr, daemon.port) as proxy:
                uri = daemon.tcp_uri(proxy.port)
                auth = self.authfile("alice", "secret", daemon.addr)
                out = ""
                for args in (("define", xml), ("list", "--all", "--name"),
                             ("dumpxml", name), ("undefine", name)):
                    res = self.virsh(uri, *args, authfile=auth)
                    self.assertEqual(res.returncode, 0, res.stderr)
                    out += res.stdout
                self.assertIn("<name>%s</name>" % name, out)
                received, sent = proxy.traffic()
            self.assertEqual(name.encode() in received, found, daemon.root)
            self.assertEqual(name.encode() in sent, found, daemon.root)

    def test_wildcard_defaults(self):
        """--listen-tcp 0.0.0.0 on a fresh root: auth_tcp is "sasl" by
        default beyond loopback, and without ROOT/etc/sasl2/virtmigd.conf
        nobody could authenticate: the daemon does not start, and says
        what to set up."""
        root = os.path.join(self.workdir, "fresh")
        res = subprocess.run([DAEMON, "--root", root, "--listen-tcp",
                              "0.0.0.0:%d" % free_port("0.0.0.0")],
                             capture_output=True, text=True, timeout=DEADLINE)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("its configuration %s does not exist"
                      % os.path.join(root, "etc", "sasl2", "virtmigd.conf"),
                      res.stderr)

    def test_tls(self):
        if not self.pki:
            self.skipTest("certtool (gnutls-bin) not installed")
        uri = "qemu+tls://%s:%d/system?pkipath=%s" % (self.daemon.addr,
                                                      self.daemon.tls_port, self.pkipath)
        good = self.authfile("alice", "secret", self.daemon.addr)
        res = self.virsh(uri, "uri", authfile=good)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.strip(), uri)
        self.assertRefused(self.virsh(uri, "list", authfile=self.authfile(
            "alice", "wrong", self.daemon.addr)))

    def test_plain_tcp_not_secure(self):
        """Plain TCP without SASL is neither secure nor encrypted."""
        conn = open_auth(self.plain.tcp_uri(), "alice", "secret")
        try:
            self.assertEqual((conn.isSecure(), conn.isEncrypted()), (0, 0))
        finally:
            conn.close()

    def test_defaults(self):
        """No auth keys: the UNIX socket and the loopback TCP listener
        keep auth none (libvirtd's auth_tcp = "sasl" spares loopback)."""
        for uri in (self.plain.uri(),
                    "qemu+tcp://%s:%d/system" % (self.plain.addr, self.plain.port)):
            res = self.virsh(uri, "list")
            self.assertEqual(res.returncode, 0, res.stderr)
        with RawClient(self.plain.sock) as c:
            status, body = c.call(66)
            self.assertEqual(struct.unpack(">II", body[:8]), (1, 0))   # [NONE]


def open_auth(uri, user, password):
    """python3-libvirt's openAuth with a callback that answers the
    username and password."""
    import libvirt

    def request(creds, opaque):
        for cred in creds:
            if cred[0] == libvirt.VIR_CRED_AUTHNAME:
                cred[4] = user
            elif cred[0] == libvirt.VIR_CRED_PASSPHRASE:
                cred[4] = password
            else:
                return -1
        return 0

    auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], request, None]
    return libvirt.openAuth(uri, auth, 0)


def big_domain_xml(workdir, name, uuid, size):
    """A domain definition of @size bytes of description at least."""
    with open(os.path.join(SOURCE, "tests", "rpcdata", "domain-demo.xml")) as f:
        xml = f.read()
    xml = xml.replace("<name>demo</name>", "<name>%s</name>\n  <description>%s</description>"
                      % (name, "y" * size))
    xml = xml.replace("5a1e0000-0000-4000-8000-00000000d1d1", uuid)
    path = os.path.join(workdir, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    return path


class Proxy:
    """Forwards TCP connections from a port of its own to (@addr,
    @port), keeping every byte each way."""

    def __init__(self, addr, port):
        self.target = (addr, port)
        self.listener = socket.socket()
        self.listener.bind((addr, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.received = bytearray()    # daemon to client
        self.sent = bytearray()        # client to daemon
        self.threads = []
        self.socks = []
        self.accepter = threading.Thread(target=self.accept, daemon=True)
        self.accepter.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.accepter.join(DEADLINE)
        for t in self.threads:
            t.join(DEADLINE)
        for s in self.socks:
            s.close()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target, timeout=DEADLINE)
            self.socks += [client, server]
            for src, dst, buf in ((client, server, self.sent),
                                  (server, client, self.received)):
                t = threading.Thread(target=self.pump, args=(src, dst, buf), daemon=True)
                t.start()
                self.threads.append(t)

    def pump(self, src, dst, buf):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    buf.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def traffic(self):
        """(received, sent) so far."""
        with self.lock:
            return bytes(self.received), bytes(self.sent)


# ---- a raw client of the remote program (libvirt's wire format) ----------

def xdr_string(s):
    data = s.encode()
    pad = (4 - len(data) % 4) % 4
    return struct.pack(">II", 1, len(data)) + data + b"\0" * pad   # non-NULL remote_string


def error_of(body):
    """(code, message) of a remote_error."""
    code, _domain, present = struct.unpack(">iiI", body[:12])
    if not present:
        return code, None
    length = struct.unpack(">I", body[12:16])[0]
    return code, body[16:16 + length].decode()


class RawClient:
    PROGRAM, VERSION = 0x20008086, 1

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(DEADLINE)
        self.sock.connect(path)
        self.serial = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def recv(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise AssertionError("connection closed")
            data += chunk
        return data

    def call(self, proc, args=b""):
        """(status, body) of the reply: 0 OK, 1 error."""
        self.serial += 1
        header = struct.pack(">IIiiII", self.PROGRAM, self.VERSION, proc, 0,
                             self.serial, 0)
        self.sock.sendall(struct.pack(">I", 4 + len(header) + len(args)) + header + args)
        while True:
            length = struct.unpack(">I", self.recv(4))[0]
            packet = self.recv(length - 4)
            prog, _vers, rproc, mtype, serial, status = struct.unpack(">IIiiII", packet[:24])
            if prog == self.PROGRAM and mtype == 1 and serial == self.serial:
                self.assertEqualProc(rproc, proc)
                return status, packet[24:]

    @staticmethod
    def assertEqualProc(got, want):
        if got != want:
            raise AssertionError("reply to procedure %d, not %d" % (got, want))


def main():
    global DAEMON
    if len(sys.argv) < 2:
        sys.stderr.write("usage: rpcsasltest.py BUILD/src/virtmigd\n")
        return 2
    DAEMON = sys.argv.pop(1)
    if not shutil.which("virsh") or not saslpasswd2():
        sys.stderr.write("virsh or saslpasswd2 (sasl2-bin) missing: skipped\n")
        return SKIP
    try:
        import libvirt  # noqa: F401
    except ImportError:
        sys.stderr.write("python3-libvirt missing: skipped\n")
        return SKIP
    result = unittest.main(exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
