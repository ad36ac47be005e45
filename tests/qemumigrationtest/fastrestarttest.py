#!/usr/bin/python3
"""A fast restart of a busy daemon, with the stock virsh and
python3-libvirt against real QEMU.  Run by meson (suite e2e).

The source virtmigd runs two guests; clients call APIs on them in a loop
and a migration's Perform call is in flight when the daemon gets
SIGTERM.  A new daemon is started on the same root at once, and again
each time it is refused, as a supervisor would.

The old daemon keeps its pid-file lock until it has drained its calls and
closed its QEMU monitors.  QEMU serves one monitor client: a daemon that
got the lock before that would wait for QMP, time out and kill a live
guest.  So: while the old daemon is still busy every new daemon must be
refused with a clear error; the one started after it exited reconnects
both guests (same QEMU processes), and the clients work again.
"""
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import libvirt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import DEADLINE, Guest, Pair, wait_for  # noqa: E402

# How long the old daemon is kept busy (its Perform call in flight)
# after SIGTERM while new daemons are tried.
WINDOW_S = 4
MIN_REFUSALS = 3


class BusyClient(threading.Thread):
    """Calls read APIs on @names over its own connection, reconnecting
    whenever the daemon goes away; counts successes per phase."""

    def __init__(self, uri, names):
        super().__init__(daemon=True)
        self.uri = uri
        self.names = names
        self.phase = "old"
        self.ok = {"old": 0, "new": 0}
        self.halt = threading.Event()

    def one_round(self, conn):
        for name in self.names:
            dom = conn.lookupByName(name)
            dom.info()
            dom.state()
            dom.XMLDesc(0)
            dom.jobInfo()
        conn.listAllDomains()

    def run(self):
        conn = None
        while not self.halt.is_set():
            phase = self.phase
            try:
                if conn is None:
                    conn = libvirt.open(self.uri)
                self.one_round(conn)
                self.ok[phase] += 1
            except libvirt.libvirtError:
                if conn is not None:
                    try:
                        conn.close()
                    except libvirt.libvirtError:
                        pass
                    conn = None
                self.halt.wait(0.05)
        if conn is not None:
            conn.close()


class FastRestartTest(unittest.TestCase):
    def setUp(self):
        libvirt.registerErrorHandler(lambda *args: None, None)
        self.pair = Pair()
        self.src = self.pair.src
        self.dst = self.pair.dst
        self.procs = []
        self.clients = []
        self.virsh = None
        self.qemu_pids = []

    def tearDown(self):
        self.end_window()
        for c in self.clients:
            c.halt.set()
            c.join(timeout=DEADLINE)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        try:
            self.pair.close()
        finally:
            # a failed run may leave guests no daemon destroyed (only
            # processes that are still this test's QEMUs)
            for pid in self.qemu_pids:
                try:
                    with open("/proc/%d/cmdline" % pid, "rb") as f:
                        if self.pair.workdir.encode() in f.read():
                            os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def spawn(self, argv=None):
        """Starts @argv, or a daemon on the source root; its stderr goes
        to a file of its own (returned)."""
        log = os.path.join(self.pair.workdir, "spawn-%d.log" % len(self.procs))
        with open(log, "w") as f:
            p = (subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=f)
                 if argv else self.src.spawn(stderr=f))
        self.procs.append(p)
        return p, log

    def start_guest(self, name, size_mib, rate_mib):
        g = Guest(self.pair.workdir, name, size_mib=size_mib, rate_mib=rate_mib)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        return g

    def start_stuck_migration(self, name):
        """A migration that cannot converge (1 MiB/s against a guest that
        dirties 8 MiB/s), whose virsh is then held still: it cannot
        cancel the migration on the destination when the source daemon
        drops it, so the old daemon's Perform call stays in flight until
        the test ends it."""
        virsh, _ = self.spawn(["virsh", "-q", "-c", self.src.uri, "migrate",
                            "--live", "--unsafe", "--bandwidth", "1", name,
                            self.dst.uri])
        wait_for(lambda: "Data processed" in
                 self.src.virsh("domjobinfo", name, check=False).stdout,
                 "the migration to start")
        virsh.send_signal(signal.SIGSTOP)
        self.virsh = virsh

    def end_window(self):
        """The destination QEMU goes: the source's migration fails and
        the old daemon's Perform call returns."""
        if not self.virsh:
            return
        try:
            os.kill(self.dst.qemu_pid("mover"), signal.SIGKILL)
        except OSError:
            pass
        self.virsh.kill()
        self.virsh = None

    def attempt(self, old, window_open):
        """Starts one new daemon on the source root and waits until it is
        refused (False) or holds the pid file (True)."""
        p, log = self.spawn()
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if p.poll() is not None:
                with open(log) as f:
                    err = f.read()
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("another daemon (pid %d) is already running "
                              "with pid file" % old.pid, err)
                return None
            if self.src.pidfile_pid() == p.pid:
                self.assertFalse(
                    window_open,
                    "a new daemon (pid %d) took the pid file while the old "
                    "one (pid %d) was still draining its calls" %
                    (p.pid, old.pid))
                return p
            time.sleep(0.02)
        raise AssertionError("a new daemon neither ran nor was refused")

    def restart_busy(self, old):
        """Tries new daemons from the moment @old got SIGTERM; after
        WINDOW_S seconds (and MIN_REFUSALS refusals) lets @old finish.
        Returns the daemon that runs."""
        t0 = time.monotonic()
        refusals = 0
        window_open = True
        while time.monotonic() < t0 + 2 * DEADLINE:
            if (window_open and refusals >= MIN_REFUSALS and
                    time.monotonic() - t0 >= WINDOW_S):
                self.assertIsNone(old.poll(), "the old daemon exited early")
                self.end_window()
                window_open = False
            new = self.attempt(old, window_open)
            if new:
                return new
            refusals += 1
        raise AssertionError("no new daemon started")

    def test_fast_restart_under_load(self):
        steady = self.start_guest("steady", 8, 8)
        mover = self.start_guest("mover", 16, 8)
        steady.wait_pass_after(0)
        mover.wait_pass_after(0)
        pids = {g.name: self.src.qemu_pid(g.name) for g in (steady, mover)}
        self.qemu_pids = list(pids.values())
        self.start_stuck_migration("mover")
        self.clients = [BusyClient(self.src.uri, ["steady", "mover"])
                        for _ in range(3)]
        for c in self.clients:
            c.start()
        wait_for(lambda: all(c.ok["old"] > 0 for c in self.clients),
                 "the clients' first calls")

        old = self.src.proc
        old.send_signal(signal.SIGTERM)
        new = self.restart_busy(old)
        self.src.proc = new
        self.procs.remove(new)
        self.assertEqual(old.wait(timeout=DEADLINE), 0)
        wait_for(self.src.ready, "the new daemon's listener")
        for c in self.clients:
            c.phase = "new"

        # both guests live on in the same QEMU processes, reconnected
        for name, pid in pids.items():
            os.kill(pid, 0)
            self.assertEqual(self.src.qemu_pid(name), pid)
        self.assertEqual(self.src.out("domstate", "steady"), "running")
        wait_for(lambda: self.src.out("domstate", "mover") == "running",
                 "the cancelled migration's guest to run")
        self.assertIn("None", self.src.out("domjobinfo", "mover"))
        steady.wait_pass_after(steady.last_pass())
        mover.wait_pass_after(mover.last_pass())
        wait_for(lambda: all(c.ok["new"] > 0 for c in self.clients),
                 "the clients to work against the new daemon")
        wait_for(lambda: "mover" not in self.dst.out("list", "--all", "--name"),
                 "the destination to drop the failed incoming guest")


if __name__ == "__main__":
    unittest.main(verbosity=2)
