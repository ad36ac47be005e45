"""The serial console over RPC streams: python3-libvirt's
virDomainOpenConsole and the stock `virsh console` against virtmigd with
the built-in test guest on a <serial type='pty'> (it prints "pass N").

Asserts the guest's live output arrives
through the stream, writing works, a second session is refused without
VIR_DOMAIN_CONSOLE_FORCE and takes over with it (the first one gets a
stream error), `virsh console` under a pty shows the output and leaves
on Ctrl-], the stream ends with EOF when the guest migrates away (to a
second daemon on 127.0.0.62) and when it stops, and libvirt's errors for
the other cases.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import DEADLINE, Guest, Host  # noqa: E402

import libvirt  # noqa: E402

ADDR = "127.0.0.61"
DST_ADDR = "127.0.0.62"
PASS = re.compile(rb"pass (\d+)")

# libvirt's events must run for streams and keepalive; errors are
# asserted, not printed
libvirt.virEventRegisterDefaultImpl()
libvirt.registerErrorHandler(lambda ctx, err: None, None)


def event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=event_loop, daemon=True).start()


def pty_guest_xml(xml):
    """The test guest's XML with serial0 on a pty and a file-backed
    serial1 (what "not using a PTY" is about)."""
    with open(xml) as f:
        text = f.read()
    m = re.search(r"<serial type='file'>\s*<source path='([^']*)'/>", text)
    serial = ("<serial type='pty'>\n      <target port='0'/>\n    </serial>\n"
              "    <serial type='file'>\n      <source path='%s'/>\n"
              "      <target port='1'/>\n    </serial>" % m.group(1))
    text = re.sub(r"<serial type='file'>.*?</serial>", serial, text, flags=re.S)
    with open(xml, "w") as f:
        f.write(text)


def read_until(st, pred, what, deadline=DEADLINE):
    """Reads the non-blocking stream @st until pred(all bytes read)."""
    data = b""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        got = st.recv(65536)
        if got == -2:
            time.sleep(0.05)
            continue
        if got == b"":
            raise AssertionError("EOF while waiting for %s (read %r)" % (what, data[-200:]))
        data += got
        if pred(data):
            return data
    raise AssertionError("timed out waiting for %s (read %r)" % (what, data[-200:]))


def wait_eof(st, what):
    """Reads @st until its end (b"")."""
    end = time.monotonic() + DEADLINE
    while True:
        got = st.recv(65536)
        if got == b"":
            return
        if got == -2:
            if time.monotonic() > end:
                raise AssertionError("no EOF after " + what)
            time.sleep(0.05)


def passes(data):
    return [int(m) for m in PASS.findall(data)]


class ConsoleTest(unittest.TestCase):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="consoletest-")
        self.host = Host(self.workdir, "con", ADDR)
        self.dst = None
        self.guest = Guest(self.workdir, "con", size_mib=4, rate_mib=64)
        pty_guest_xml(self.guest.xml)
        self.host.out("define", self.guest.xml)
        self.host.out("start", "con")
        self.conn = libvirt.open(self.host.uri)
        self.dom = self.conn.lookupByName("con")

    def tearDown(self):
        self.conn.close()
        self.host.stop()
        if self.dst:
            self.dst.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def open_console(self, flags=0, devname=None):
        st = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        self.dom.openConsole(devname, st, flags)
        return st

    def assert_error(self, code, message, fn, *args):
        with self.assertRaises(libvirt.libvirtError) as cm:
            fn(*args)
        self.assertEqual(cm.exception.get_error_code(), code, str(cm.exception))
        self.assertEqual(str(cm.exception), message)

    def virsh_console(self):
        """`virsh console con` under a pty: its output once the guest's
        passes went on, then Ctrl-] and its exit status."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe("virsh", ["virsh", "-c", self.host.uri, "console", "con"],
                       dict(os.environ, LC_ALL="C"))
        out = b""
        end = time.monotonic() + DEADLINE
        try:
            while time.monotonic() < end and len(set(passes(out))) < 2:
                if select.select([fd], [], [], 0.5)[0]:
                    out += os.read(fd, 65536)
            os.write(fd, b"\x1d")
            while time.monotonic() < end:
                wpid, status = os.waitpid(pid, os.WNOHANG)
                if wpid:
                    return out, os.waitstatus_to_exitcode(status)
                if select.select([fd], [], [], 0.2)[0]:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        pass
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError("virsh console did not leave on Ctrl-]: %r" % out[-300:])
        finally:
            os.close(fd)

    def test_console(self):
        # the live XML names the terminal QEMU chose, also on the console
        # libvirt adds for the serial port
        xml = self.dom.XMLDesc(0)
        pts = re.search(r"<serial type='pty'>\s*<source path='(/dev/pts/\d+)'/>", xml)
        self.assertIsNotNone(pts, xml)
        self.assertIn("<console type='pty' tty='%s'>" % pts.group(1), xml)

        # the guest's output, live: two passes in a row
        st1 = self.open_console()
        data = read_until(st1, lambda d: len(set(passes(d))) >= 2, "two passes")
        first = passes(data)
        st1.send(b"hello\r")
        data = read_until(st1, lambda d: passes(d) and passes(d)[-1] > first[-1],
                          "a pass after writing")

        # one session per device
        st2 = self.conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        self.assert_error(libvirt.VIR_ERR_OPERATION_FAILED,
                          "operation failed: Active console session exists for this domain",
                          self.dom.openConsole, None, st2, 0)
        # FORCE takes over; the first session gets a stream error
        st2 = self.open_console(libvirt.VIR_DOMAIN_CONSOLE_FORCE)
        with self.assertRaises(libvirt.libvirtError) as cm:
            read_until(st1, lambda d: False, "the first session's error", 30)
        self.assertIn("stream had I/O failure", str(cm.exception))
        read_until(st2, lambda d: len(set(passes(d))) >= 1, "a pass on the new session")
        st2.abort()

        # the stock virsh console, until Ctrl-]
        out, status = self.virsh_console()
        self.assertIn(b"Connected to domain 'con'", out)
        self.assertGreaterEqual(len(set(passes(out))), 2, out[-300:])
        self.assertEqual(status, 0, out[-300:])

        # libvirt's errors
        st = self.conn.newStream(0)
        self.assert_error(libvirt.VIR_ERR_INTERNAL_ERROR,
                          "internal error: character device serial1 is not using a PTY",
                          self.dom.openConsole, "serial1", st, 0)
        self.assert_error(libvirt.VIR_ERR_INTERNAL_ERROR,
                          "internal error: cannot find character device console7",
                          self.dom.openConsole, "console7", st, 0)

        # the guest migrates away: EOF, then a clean finish; its console
        # is on the destination now
        st3 = self.open_console(0, "serial0")
        read_until(st3, lambda d: passes(d), "a pass on serial0")
        self.dst = Host(self.workdir, "dst", DST_ADDR)
        self.host.out("migrate", "--live", "--unsafe", "con", self.dst.uri)
        wait_eof(st3, "the guest migrated")
        st3.finish()
        self.assert_error(libvirt.VIR_ERR_OPERATION_INVALID,
                          "Requested operation is not valid: domain is not running",
                          self.dom.openConsole, None, st, 0)

        # the guest stops: EOF
        dconn = libvirt.open(self.dst.uri)
        try:
            ddom = dconn.lookupByName("con")
            st4 = dconn.newStream(libvirt.VIR_STREAM_NONBLOCK)
            ddom.openConsole(None, st4, 0)
            read_until(st4, lambda d: passes(d), "a pass on the destination")
            ddom.destroy()
            wait_eof(st4, "the guest stopped")
            st4.abort()
        finally:
            dconn.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
