#!/usr/bin/python3
"""virt-manager 4.1 (Debian 12) against two virtmigd, under Xvfb.

Driven through its accessibility tree (dogtail) the way a person would
use it: it connects to both daemons (qemu+tcp on 127.0.0.2 and
127.0.0.3), lists the running guest with a live CPU graph, opens the
guest's window (serial console) and its details (Performance page with
live figures), and migrates the guest with its Migrate dialog.
Screenshots of each step are kept in BUILD/tests/virtmanagertest/.
The test fails on any virt-manager error dialog, a missing guest, or
figures that do not move.

Runs itself under xvfb-run and dbus-run-session; exits 77 (skipped)
when virt-manager, Xvfb or dogtail are not installed.

  /usr/bin/python3 tests/qemumigrationtest/virtmanagertest.py
"""
import os
import re
import shutil
import subprocess
import sys
import time

WRAPPED = "VIRTMIG_VMM_WRAPPED"


def wrap():
    """Re-runs this script on a private X server and session bus."""
    for tool in ("virt-manager", "xvfb-run", "dbus-run-session"):
        if not shutil.which(tool):
            print("SKIP: %s is not installed" % tool)
            sys.exit(77)
    try:
        import dogtail  # noqa: F401
    except ImportError:
        print("SKIP: python3-dogtail is not installed")
        sys.exit(77)
    # a private home: the session bus's dconf service writes there
    import tempfile
    home = tempfile.mkdtemp(prefix="virtmanagertest-home-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_DATA_HOME=os.path.join(home, ".local"), **{WRAPPED: "1"})
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    argv = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24",
            "dbus-run-session", "--", sys.executable, os.path.abspath(__file__)]
    try:
        rc = subprocess.run(argv + sys.argv[1:], env=env).returncode
    finally:
        shutil.rmtree(home, ignore_errors=True)
    sys.exit(rc)


if __name__ == "__main__" and not os.environ.get(WRAPPED):
    wrap()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unittest  # noqa: E402

import migrationlib as ml  # noqa: E402

ARTIFACTS = os.path.join(os.path.abspath(ml.BUILD), "tests", "virtmanagertest")
GUEST = "vmmguest"
MIGRATE_DIALOG = "Migrate the virtual machine"


def gsettings(schema, key, value):
    subprocess.run(["gsettings", "set", schema, key, value], check=True)


class VirtManager:
    """One virt-manager process with a private home, and its a11y tree."""

    def __init__(self, uris):
        gsettings("org.gnome.desktop.interface", "toolkit-accessibility", "true")
        conns = "[%s]" % ",".join("'%s'" % u for u in uris)
        gsettings("org.virt-manager.virt-manager.connections", "uris", conns)
        gsettings("org.virt-manager.virt-manager.connections", "autoconnect", conns)
        for poll in ("cpu", "disk", "net", "memory"):
            gsettings("org.virt-manager.virt-manager.stats",
                      "enable-%s-poll" % poll, "true")
        # a confirmation dialog must not count as an error
        gsettings("org.virt-manager.virt-manager.confirm", "forcepoweroff", "false")
        self.log_path = os.path.join(ARTIFACTS, "virt-manager.log")
        self.log = open(self.log_path, "w")
        # the suite's G_DEBUG=fatal-criticals is for our code: virt-manager
        # 4.1 logs a Gtk-CRITICAL of its own when a migrated guest's page
        # goes away
        env = dict(os.environ)
        env.pop("G_DEBUG", None)
        self.proc = subprocess.Popen(["virt-manager", "--no-fork", "--debug"],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env)
        from dogtail import config, tree
        config.searchShowingOnly = False
        config.logDebugToFile = False
        config.logDebugToStdOut = False
        self.tree = tree
        self.app = None
        ml.wait_for(self._find_app, "virt-manager on the accessibility bus")

    def _find_app(self):
        if self.proc.poll() is not None:
            raise AssertionError("virt-manager exited: see " + self.log_path)
        try:
            self.app = self.tree.root.application("virt-manager")
            return True
        except Exception:
            return False

    def windows(self):
        return [w for w in self.app.children if w.roleName in ("frame", "dialog", "alert")]

    def window(self, name):
        return next((w for w in self.windows() if w.name == name), None)

    def wait_window(self, name, what=None):
        ml.wait_for(lambda: self.check_no_error() or self.window(name) is not None,
                    what or "the window '%s'" % name)
        return self.window(name)

    def errors(self):
        """The texts of the error dialogs virt-manager shows."""
        found = []
        for alert in self.app.findChildren(lambda n: n.roleName == "alert"):
            texts = [n.name for n in alert.findChildren(lambda n: n.roleName == "label")]
            found.append(" / ".join(t for t in texts if t))
        return found

    def check_no_error(self):
        errs = self.errors()
        if errs:
            self.screenshot("error")
            raise AssertionError("virt-manager shows an error: %s" % errs)
        return False

    def screenshot(self, name):
        """The whole (virtual) screen as ARTIFACTS/@name.png."""
        from dogtail import rawinput
        # the pointer away from the windows: no tooltip over them
        rawinput.absoluteMotion(1590, 990)
        import gi
        gi.require_version("Gdk", "3.0")
        from gi.repository import Gdk
        root = Gdk.get_default_root_window()
        pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(),
                                            root.get_height())
        path = os.path.join(ARTIFACTS, name + ".png")
        pixbuf.savev(path, "png", [], [])
        print("screenshot:", path, flush=True)
        return path

    def dump(self):
        """ARTIFACTS/a11y-tree.txt: every window's widgets, for a reader
        of a failure."""
        def walk(node, depth, out):
            for child in node.children:
                out.write("%s%s %r\n" % ("  " * depth, child.roleName, child.name))
                walk(child, depth + 1, out)
        with open(os.path.join(ARTIFACTS, "a11y-tree.txt"), "w") as out:
            try:
                walk(self.app, 0, out)
            except Exception as e:  # the application may be gone
                out.write("(stopped: %s)\n" % e)

    def stop(self):
        if self.app is not None and self.proc.poll() is None:
            self.dump()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def labels(node):
    return [n.name for n in node.findChildren(lambda n: n.roleName == "label")]


def cells(window):
    return [n.name for n in window.findChildren(lambda n: n.roleName == "table cell")
            if n.name]


class VirtManagerTest(unittest.TestCase):
    def setUp(self):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        os.makedirs(ARTIFACTS)
        self.pair = ml.Pair()
        self.addCleanup(self.pair.close)
        self.guest = ml.Guest(self.pair.workdir, GUEST)
        # the console virt-manager opens: a pty serial port
        with open(self.guest.xml) as f:
            xml = f.read()
        xml = re.sub(r"<serial type='file'>.*?</serial>",
                     "<serial type='pty'><target port='0'/></serial>", xml, flags=re.S)
        with open(self.guest.xml, "w") as f:
            f.write(xml)
        self.pair.src.virsh("define", self.guest.xml)
        self.pair.src.virsh("start", GUEST)
        self.vmm = VirtManager([self.pair.src.uri, self.pair.dst.uri])
        self.addCleanup(self.vmm.stop)

    def manager(self):
        return self.vmm.wait_window("Virtual Machine Manager")

    def wait_guest_row(self, conn_label):
        """Waits until the manager lists the guest running under the
        connection @conn_label (rows follow their connection's row)."""
        def listed():
            self.vmm.check_no_error()
            names = cells(self.manager())
            if conn_label not in names:
                return False
            rest = names[names.index(conn_label) + 1:]
            rest = rest[:next((i for i, n in enumerate(rest) if n.startswith("QEMU/KVM")),
                              len(rest))]
            return "%s\nRunning" % GUEST in rest
        ml.wait_for(listed, "%s listed as running under %s" % (GUEST, conn_label))

    def test_connect_details_console_migrate(self):
        src_label = "QEMU/KVM: 127.0.0.2"
        dst_label = "QEMU/KVM: 127.0.0.3"
        mgr = self.manager()
        self.wait_guest_row(src_label)

        # the details: the Performance page shows live figures
        row = mgr.child(name="%s\nRunning" % GUEST, roleName="table cell")
        row.click()
        mgr.child(name="Open", roleName="push button").doActionNamed("click")
        vmwin = self.vmm.wait_window("%s on %s" % (GUEST, src_label))

        # the console: the guest has no graphics, virt-manager shows its
        # serial port (an RPC stream) in a terminal
        def console_text():
            self.vmm.check_no_error()
            errors = [t for t in labels(vmwin) if t.startswith("Error connecting")]
            if errors:
                self.vmm.screenshot("1-console")
                raise AssertionError("console: %s" % errors)
            terms = vmwin.findChildren(lambda n: n.roleName == "terminal")
            passes = re.findall(r"pass (\d+)", terms[0].text or "") if terms else []
            # a whole pass before the migration: what check_memory needs
            return passes and int(passes[-1]) >= 1
        ml.wait_for(console_text, "a pass of the guest in the serial console",
                    deadline=90)
        self.vmm.screenshot("1-console")
        vmwin.child(name="Details", roleName="radio button").doActionNamed("click")
        perf = vmwin.child(name="Performance", roleName="table cell")
        perf.click()

        def cpu_moves():
            self.vmm.check_no_error()
            cpu = [t for t in labels(vmwin) if re.fullmatch(r"\d+ %", t)]
            return cpu and int(cpu[0].split()[0]) > 0
        ml.wait_for(cpu_moves, "a CPU usage above 0 % on the Performance page")
        mem = [t for t in labels(vmwin)
               if re.fullmatch(r"\s*[\d.]+ [KMG]iB of [\d.]+ [KMG]iB", t)]
        self.assertTrue(mem, "no memory figures: %s" % labels(vmwin))
        self.vmm.screenshot("2-details-performance")
        vmwin.child(name="File", roleName="menu").click()
        vmwin.child(name="Close", roleName="menu item").click()
        ml.wait_for(lambda: self.vmm.window(vmwin.name) is None,
                    "the guest's window to close")
        self.vmm.screenshot("3-manager-cpu-graph")

        # the Migrate dialog (the guest's context menu), to the second daemon
        row = mgr.child(name="%s\nRunning" % GUEST, roleName="table cell")
        row.click(button=3)
        mgr_menu = self.vmm.app.child(name="Migrate...", roleName="menu item")
        mgr_menu.click()
        dialog = self.vmm.wait_window(MIGRATE_DIALOG)
        self.assertIn(dst_label, [n.name for n in dialog.findChildren(
            lambda n: n.roleName in ("combo box", "menu item"))])
        nodes = dialog.findChildren(lambda n: n.roleName in ("check box", "label"))
        names = [n.name for n in nodes]
        # the check box before its label: "Allow unsafe" (both daemons
        # share this machine's files, the check cannot know it)
        unsafe = nodes[names.index("Allow unsafe:") - 1]
        if not unsafe.checked:
            unsafe.doActionNamed("click")
        # The dialog's defaults are the destination's host name and a
        # fixed port 49152, which another test's QEMU may hold on this
        # machine: listen on the destination daemon's own address and let
        # it pick a free port from its range, as libvirt's does.
        dialog.child(name="address-text").text = "127.0.0.3"
        port = dialog.child(name="port-check")
        if port.checked:
            port.doActionNamed("click")
        self.assertFalse(port.checked)
        self.vmm.screenshot("4-migrate-dialog")
        dialog.child(name="Migrate", roleName="push button").doActionNamed("click")
        ml.wait_for(lambda: self.vmm.check_no_error() or
                    self.vmm.window(MIGRATE_DIALOG) is None,
                    "the migration to finish", deadline=120)
        self.wait_guest_row(dst_label)
        self.vmm.screenshot("5-migrated")

        self.assertEqual(self.pair.dst.out("domstate", GUEST), "running")
        self.assertEqual(self.pair.src.out("list", "--all", "--name"), "")
        rc, out = self.guest.check_memory(self.pair.dst.uri)
        self.assertEqual(rc, 0, out)
        self.vmm.check_no_error()
        # what virt-manager set up on connecting: its default pool
        for host in (self.pair.src, self.pair.dst):
            self.assertEqual(host.out("pool-list", "--name"), "default")
        with open(self.vmm.log_path) as f:
            log = f.read()
        # it polled with the all-domain stats, not a fallback
        self.assertNotIn("does not support getAllDomainStats", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
