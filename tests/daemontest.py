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


class DaemonTest(unittest.TestCase):
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
        with open(os.path.join(self.root, "var/lib/virtmig/host-uuid")) as f:
            uuid = f.read().strip()
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=DEADLINE), 0)
        self.assertFalse(os.path.exists(self.pidfile()))
        # the host UUID is stable across restarts of the same root
        p = self.start()
        self.wait_running(p)
        with open(os.path.join(self.root, "var/lib/virtmig/host-uuid")) as f:
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
