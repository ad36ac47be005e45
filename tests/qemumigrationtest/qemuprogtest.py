#!/usr/bin/python3
"""libvirt's QEMU program against the real daemon, real QEMU and the
stock clients: the built-in test guest on one virtmigd (127.0.0.71),
driven with `virsh qemu-monitor-command` (HMP, QMP, --pretty, a QMP
error, malformed JSON, a stopped domain), `virsh qemu-monitor-event`,
python3-libvirt's libvirt_qemu.qemuMonitorEventRegister (with an event
loop; name filters), `virsh qemu-agent-command`, the read-only socket,
and the taint libvirt leaves: one line in the domain's log file and
"tainted: ..." in `virsh dominfo` (DOMAIN_GET_MESSAGES) while it runs.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import migrationlib as ml  # noqa: E402

ADDR = os.environ.get("VIRTMIG_QEMUPROG_ADDR", "127.0.0.71")
TAINT_MESSAGE = "tainted: custom monitor control commands issued"


class QemuProgramTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="qemuprogtest-")
        cls.host = ml.Host(cls.workdir, "host", ADDR)
        cls.guest = ml.Guest(cls.workdir, "qg")
        cls.host.out("define", cls.guest.xml)
        cls.host.out("start", "qg")
        cls.guest.wait_pass_after(0)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.host.stop()
        finally:
            shutil.rmtree(cls.workdir, ignore_errors=True)

    def monitor(self, *args, check=True):
        return self.host.virsh("qemu-monitor-command", "qg", *args, check=check)

    def log_text(self):
        path = os.path.join(self.host.root, "var", "log", "virtmig", "qemu", "qg.log")
        with open(path) as f:
            return f.read()

    def test_1_monitor_command(self):
        hmp = self.monitor("--hmp", "info status").stdout
        self.assertIn("VM status: running", hmp)

        reply = json.loads(self.monitor('{"execute":"query-status"}').stdout)
        self.assertEqual(reply["return"]["status"], "running")
        self.assertRegex(reply["id"], r"^libvirt-\d+$")
        pretty = self.monitor("--pretty", '{"execute":"query-status"}').stdout
        self.assertGreater(len(pretty.splitlines()), 3)
        self.assertEqual(json.loads(pretty)["return"], reply["return"])

        # QEMU's error reply is the result, as libvirt returns it
        res = self.monitor('{"execute":"no-such-command"}')
        error = json.loads(res.stdout)["error"]
        self.assertEqual(error["class"], "CommandNotFound")
        self.assertIn("no-such-command", error["desc"])

        # malformed JSON (virsh sends only what it parsed: the C API)
        import libvirt
        import libvirt_qemu
        libvirt.registerErrorHandler(lambda opaque, err: None, None)
        conn = libvirt.open(self.host.uri)
        try:
            with self.assertRaises(libvirt.libvirtError) as ctx:
                libvirt_qemu.qemuMonitorCommand(conn.lookupByName("qg"),
                                                '{"execute":', 0)
            self.assertEqual(ctx.exception.get_error_code(),
                             libvirt.VIR_ERR_INTERNAL_ERROR)
            self.assertIn('cannot parse json {"execute":',
                          ctx.exception.get_error_message())
        finally:
            conn.close()

        # the taint: one log line however many commands, and the message
        lines = [line for line in self.log_text().splitlines()
                 if line.endswith(": Domain id=%s is tainted: custom-monitor"
                                  % self.host.out("domid", "qg"))]
        self.assertEqual(len(lines), 1, self.log_text()[-500:])
        info = self.host.out("dominfo", "qg")
        self.assertIn("Messages:       " + TAINT_MESSAGE, info)

    def test_2_readonly_and_agent(self):
        ro = "qemu+unix:///system?socket=" + os.path.join(self.host.root, "run",
                                                          "virtmigd-sock-ro")
        res = self.host.virsh("qemu-monitor-command", "qg", "--hmp", "info status",
                              uri=ro, check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: operation forbidden: read only access prevents "
                      "virDomainQemuMonitorCommand", res.stderr)
        res = self.host.virsh("qemu-monitor-event", "qg", "--timeout", "1",
                              uri=ro, check=False)
        self.assertIn("read only access prevents "
                      "virConnectDomainQemuMonitorEventRegister", res.stderr)

        res = self.host.virsh("qemu-agent-command", "qg", '{"execute":"guest-ping"}',
                              check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("error: argument unsupported: QEMU guest agent is not configured",
                      res.stderr)

        # with the agent's channel: configured, never connected
        agent = ml.Guest(self.workdir, "qa")
        with open(agent.xml) as f:
            xml = f.read()
        with open(agent.xml, "w") as f:
            f.write(xml.replace("<memballoon", "<channel type='unix'><target "
                                "type='virtio' name='org.qemu.guest_agent.0'/>"
                                "</channel>\n    <memballoon"))
        self.host.out("create", agent.xml)
        try:
            res = self.host.virsh("qemu-agent-command", "qa",
                                  '{"execute":"guest-ping"}', check=False)
            self.assertIn("error: Guest agent is not responding: "
                          "QEMU guest agent is not connected", res.stderr)
        finally:
            self.host.out("destroy", "qa")

    def test_3_virsh_event(self):
        """`virsh qemu-monitor-event --event STOP` sees the guest stop
        (suspended again until it has registered)."""
        proc = subprocess.Popen(["virsh", "-q", "-c", self.host.uri,
                                 "qemu-monitor-event", "qg", "--event", "STOP",
                                 "--timeout", str(ml.DEADLINE)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ, LC_ALL="C"))
        out = err = None
        deadline = time.monotonic() + ml.DEADLINE
        try:
            while out is None and time.monotonic() < deadline:
                self.host.out("suspend", "qg")
                try:
                    out, err = proc.communicate(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
                self.host.out("resume", "qg")
        finally:
            if out is None:
                proc.kill()
                out, err = proc.communicate()
        self.assertRegex(out, r"event STOP at \d+\.\d{6} for domain 'qg': <null>",
                         err)
        self.assertEqual(proc.returncode, 0, err)

    def test_4_python_events(self):
        """python3-libvirt with an event loop: name filters (exact,
        REGEX|NOCASE), details, deregistration."""
        import libvirt
        import libvirt_qemu

        libvirt.virEventRegisterDefaultImpl()
        libvirt.registerErrorHandler(lambda opaque, err: None, None)
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                libvirt.virEventRunDefaultImpl()

        conn = libvirt.open(self.host.uri)
        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        seen = []
        cond = threading.Condition()

        def callback(conn, dom, event, seconds, micros, details, opaque):
            with cond:
                seen.append((opaque, dom.name(), event, seconds, micros, details))
                cond.notify_all()

        def wait(pred, what):
            with cond:
                self.assertTrue(cond.wait_for(lambda: pred(seen), ml.DEADLINE),
                                "%s: %r" % (what, seen))

        try:
            dom = conn.lookupByName("qg")
            exact = libvirt_qemu.qemuMonitorEventRegister(conn, dom, "STOP", callback,
                                                          "exact", 0)
            regex = libvirt_qemu.qemuMonitorEventRegister(
                conn, None, "^res", callback, "regex",
                libvirt_qemu.VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX |
                libvirt_qemu.VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE)
            dom.suspend()
            dom.resume()
            wait(lambda s: {e[0] for e in s} == {"exact", "regex"}, "STOP and RESUME")
            with cond:
                names = {(e[0], e[2]) for e in seen}
                self.assertEqual(names, {("exact", "STOP"), ("regex", "RESUME")})
                for _, name, _, seconds, micros, details in seen:
                    self.assertEqual(name, "qg")
                    self.assertGreater(seconds, 0)
                    self.assertLess(micros, 1000000)
                    self.assertIsNone(details)
            libvirt_qemu.qemuMonitorEventDeregister(conn, exact)
            libvirt_qemu.qemuMonitorEventDeregister(conn, regex)

            # an event with data: its JSON is the details
            anyname = libvirt_qemu.qemuMonitorEventRegister(conn, dom, None, callback,
                                                            "any", 0)
            with cond:
                seen.clear()
            libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"system_reset"}', 0)
            wait(lambda s: any(e[2] == "RESET" for e in s), "RESET")
            with cond:
                reset = [e for e in seen if e[2] == "RESET"][0]
                self.assertEqual(reset[0], "any")
                self.assertEqual(json.loads(reset[5])["guest"], False)
            libvirt_qemu.qemuMonitorEventDeregister(conn, anyname)
            with self.assertRaises(libvirt.libvirtError):
                libvirt_qemu.qemuMonitorEventDeregister(conn, anyname)
        finally:
            stop.set()
            # wake the loop with a timer that fires at once
            libvirt.virEventAddTimeout(0, lambda timer, opaque: None, None)
            thread.join(ml.DEADLINE)
            conn.close()

    def test_5_restart_and_stop(self):
        # the status file keeps the taint across a daemon restart
        self.host.restart()
        self.assertIn("Messages:       " + TAINT_MESSAGE, self.host.out("dominfo", "qg"))
        self.host.out("destroy", "qg")
        res = self.monitor("--hmp", "info status", check=False)
        self.assertIn("error: Requested operation is not valid: domain is not running",
                      res.stderr)
        self.assertNotIn("Messages:", self.host.out("dominfo", "qg"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
