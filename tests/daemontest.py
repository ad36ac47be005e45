#!/usr/bin/python3
"""virtmigd as a process: --root layout, pid file, config errors, signals.

Run by meson with VIRTMIG_BUILD_DIR set; uses only the standard library.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.environ.get("VIRTMIG_BUILD_DIR", "build")
DAEMON = os.path.join(BUILD, "src", "virtmigd")
DEADLINE = 20


def wait_for(pred, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class DaemonBase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="daemontest-")
        self.root = self.tmp.name
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.tmp.cleanup()

    def start(self, *args):
        p = subprocess.Popen([DAEMON, "--root", self.root, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        self.procs.append(p)
        return p

    def pidfile(self):
        return os.path.join(self.root, "run", "virtmigd.pid")

    def wait_running(self, p):
        def ready():
            self.assertIsNone(p.poll(), "daemon exited: %s" % (p.stderr.read()
                                                                if p.poll() is not None else ""))
            try:
                with open(self.pidfile()) as f:
                    return f.read().strip() == str(p.pid)
            except OSError:
                return False
        wait_for(ready, "the pid file")


class DaemonTest(DaemonBase):
    def test_version(self):
        out = subprocess.run([DAEMON, "--version"], capture_output=True,
                             text=True, check=True).stdout
        self.assertRegex(out, r"^virtmigd \d+\.\d+\.\d+\n$")

    def test_root_layout_and_sigterm(self):
        p = self.start()
        self.wait_running(p)
        for sub in ("etc/virtmig/qemu", "run/virtmig/qemu", "var/lib/virtmig",
                    "var/log/virtmig/qemu"):
            self.assertTrue(os.path.isdir(os.path.join(self.root, sub)), sub)
        # written after the pid file: wait for it
        host_uuid = os.path.join(self.root, "var/lib/virtmig/host-uuid")
        wait_for(lambda: os.path.exists(host_uuid), "the host UUID file")
        with open(host_uuid) as f:
            uuid = f.read().strip()
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)
        self.assertFalse(os.path.exists(self.pidfile()))
        # the host UUID is stable across restarts of the same root
        p = self.start()
        self.wait_running(p)
        # written after the pid file: wait for it
        host_uuid = os.path.join(self.root, "var/lib/virtmig/host-uuid")
        wait_for(lambda: os.path.exists(host_uuid), "the host UUID file")
        with open(host_uuid) as f:
            self.assertEqual(f.read().strip(), uuid)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)

    def test_second_daemon_refused(self):
        p = self.start()
        self.wait_running(p)
        q = self.start()
        self.assertNotEqual(q.wait(timeout=DEADLINE), 0)
        err = q.stderr.read()
        self.assertIn("another daemon (pid %d) is already running" % p.pid, err)
        self.assertIsNone(p.poll())
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)

    def test_bad_config(self):
        conf = os.path.join(self.root, "bad.conf")
        with open(conf, "w") as f:
            f.write('log_level = 2\nmigration_portmin = 5\n')
        q = self.start("--config", conf)
        self.assertNotEqual(q.wait(timeout=DEADLINE), 0)
        self.assertIn("configuration file syntax error: %s: unknown setting "
                      "'migration_portmin'" % conf, q.stderr.read())

    def test_missing_config(self):
        q = self.start("--config", os.path.join(self.root, "nope.conf"))
        self.assertNotEqual(q.wait(timeout=DEADLINE), 0)
        self.assertIn("nope.conf", q.stderr.read())

    def test_bad_option(self):
        q = self.start("--no-such-option")
        self.assertNotEqual(q.wait(timeout=DEADLINE), 0)
        self.assertIn("no-such-option", q.stderr.read())

    def test_config_host_uuid(self):
        etc = os.path.join(self.root, "etc", "virtmig")
        os.makedirs(etc)
        with open(os.path.join(etc, "virtmigd.conf"), "w") as f:
            f.write('host_uuid = "5a1e0000-0000-4000-8000-0000000000aa"\n')
        p = self.start()
        self.wait_running(p)
        self.assertFalse(os.path.exists(os.path.join(self.root,
                                                     "var/lib/virtmig/host-uuid")))
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)


GUEST_XML = """<domain type='%(virttype)s'>
  <name>restart</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%(image)s'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='file'><source path='%(serial)s'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


@unittest.skipUnless(os.environ.get("VIRTMIG_GUEST_IMAGE"), "no guest image")
class DaemonRestartTest(DaemonBase):
    """A guest outlives the daemon; a guest that dies meanwhile is noticed."""

    def virsh(self, *args, check=True):
        uri = "qemu+unix:///system?socket=%s/run/virtmigd-sock" % self.root
        r = subprocess.run(["virsh", "-q", "-c", uri, *args],
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError("virsh %s: %s" % (" ".join(args), r.stderr))
        return r.stdout.strip()

    def start_daemon(self):
        p = self.start()
        self.wait_running(p)
        wait_for(lambda: os.path.exists(os.path.join(self.root, "run",
                                                     "virtmigd-sock")),
                 "the RPC socket")
        return p

    def stop_daemon(self, p):
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)
        return time.monotonic() - t0

    def serial_passes(self):
        try:
            with open(os.path.join(self.root, "serial.log")) as f:
                return f.read().count("pass ")
        except OSError:
            return 0

    def qemu_pid(self):
        with open(os.path.join(self.root, "run/virtmig/qemu/restart.xml")) as f:
            text = f.read()
        return int(text.split(" pid='")[1].split("'")[0])

    def test_restart(self):
        virttype = "kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "qemu"
        xml = os.path.join(self.root, "guest.xml")
        with open(xml, "w") as f:
            f.write(GUEST_XML % {"virttype": virttype,
                                 "image": os.environ["VIRTMIG_GUEST_IMAGE"],
                                 "serial": os.path.join(self.root, "serial.log")})
        p = self.start_daemon()
        self.virsh("define", xml)
        self.virsh("start", "restart")
        pid = self.qemu_pid()
        try:
            wait_for(lambda: self.serial_passes() >= 1, "guest output", 90)
            self.stop_daemon(p)
            os.kill(pid, 0)     # QEMU survived the daemon
            p = self.start_daemon()
            self.assertEqual(self.virsh("domstate", "--reason", "restart"),
                             "running (booted)")
            self.assertIn("restart", self.virsh("list"))
            self.virsh("suspend", "restart")
            self.assertEqual(self.virsh("domstate", "--reason", "restart"),
                             "paused (user)")
            self.virsh("resume", "restart")
            n = self.serial_passes()
            wait_for(lambda: self.serial_passes() > n, "more guest output", 60)
            self.assertEqual(self.qemu_pid(), pid)

            # QEMU dies while no daemon runs
            self.stop_daemon(p)
            os.kill(pid, signal.SIGKILL)
            p = self.start_daemon()
            self.assertEqual(self.virsh("domstate", "--reason", "restart"),
                             "shut off (crashed)")
            self.assertEqual(self.virsh("list"), "")
            self.virsh("start", "restart")
            pid = self.qemu_pid()
            self.virsh("destroy", "restart")
            self.stop_daemon(p)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


if __name__ == "__main__":
    unittest.main(verbosity=2)
