#!/usr/bin/python3
"""Domain capabilities, CPU models and the drivers virtmigd does not have,
through the stock clients against the real daemon.

    domcapsvirshtest.py VIRTMIGD

virsh (domcapabilities, cpu-models, net-list, nodedev-list, secret-list,
nwfilter-list, iface-list, net-info) and python3-libvirt with an event
loop registered, on 127.0.0.33.  Expected texts are libvirt 9.0's (seen
against a stock libvirtd on the same host).  Needs qemu-system-x86_64
(skipped, exit 77, without it).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ET

import libvirt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "qemumigrationtest"))
import migrationlib  # noqa: E402

ADDR = "127.0.0.33"
EMULATOR = "/usr/bin/qemu-system-x86_64"


def qemu_default_machine():
    """The versioned machine QEMU itself calls its default."""
    out = subprocess.run([EMULATOR, "-machine", "help"], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        if line.endswith("(default)"):
            return line.split()[0]
    raise AssertionError("QEMU names no default machine")


class Daemon(migrationlib.Host):
    """A virtmigd on ADDR (tests/qemumigrationtest/migrationlib.py),
    with its read-only socket."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="domcapsvirshtest-")
        super().__init__(self.tmp, "domcaps", ADDR)
        self.ro_uri = ("qemu+unix:///system?socket=%s"
                       % os.path.join(self.root, "run", "virtmigd-sock-ro"))

    def stop(self):
        super().stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class EventLoop:
    """libvirt's default event loop running in a thread (as virt-manager
    registers one before connecting)."""
    started = False

    @classmethod
    def start(cls):
        if cls.started:
            return
        libvirt.virEventRegisterDefaultImpl()
        threading.Thread(target=cls.run, daemon=True).start()
        cls.started = True

    @staticmethod
    def run():
        while True:
            libvirt.virEventRunDefaultImpl()


class DomCapsTest(unittest.TestCase):
    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def virsh_ok(self, *args):
        res = self.daemon.virsh(*args, check=False)
        self.assertEqual(res.returncode, 0, res.stderr)
        return res.stdout

    def virsh_error(self, *args):
        res = self.daemon.virsh(*args, check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        return [line for line in res.stderr.splitlines() if line]

    # ---- domain capabilities ----

    def test_domcapabilities_default(self):
        root = ET.fromstring(self.virsh_ok("domcapabilities"))
        kvm = os.access("/dev/kvm", os.R_OK | os.W_OK)
        self.assertEqual(root.findtext("path"), EMULATOR)
        self.assertEqual(root.findtext("domain"), "kvm" if kvm else "qemu")
        self.assertEqual(root.findtext("machine"), qemu_default_machine())
        self.assertEqual(root.findtext("arch"), "x86_64")
        self.assertEqual(root.find("vcpu").get("max"), "255")
        # what the domain XML accepts, nothing more
        self.assertEqual(root.find("os/loader").get("supported"), "no")
        self.assertEqual([v.text for v in root.findall("os/enum[@name='firmware']/value")], [])
        self.assertEqual([v.text for v in root.findall(
            "devices/graphics/enum[@name='type']/value")], ["vnc"])
        self.assertEqual([v.text for v in root.findall(
            "devices/video/enum[@name='modelType']/value")],
            ["vga", "cirrus", "virtio", "none"])
        self.assertEqual([v.text for v in root.findall(
            "devices/disk/enum[@name='bus']/value")], ["ide", "scsi", "virtio", "sata"])
        for dev in ("hostdev", "filesystem", "tpm", "redirdev"):
            self.assertEqual(root.find("devices/" + dev).get("supported"), "no")
        passthrough = root.find("cpu/mode[@name='host-passthrough']")
        self.assertEqual(passthrough.get("supported"), "yes" if kvm else "no")
        # host-model names a usable custom model (virt-manager reads it)
        host = root.find("cpu/mode[@name='host-model']/model")
        self.assertEqual(host.get("fallback"), "forbid")
        usable = [m.text for m in root.findall("cpu/mode[@name='custom']/model")
                  if m.get("usable") == "yes"]
        self.assertIn(host.text, usable)

    def test_domcapabilities_models_are_cpu_models(self):
        root = ET.fromstring(self.virsh_ok("domcapabilities"))
        custom = [m.text for m in root.findall("cpu/mode[@name='custom']/model")]
        self.assertIn("qemu64", custom)
        self.assertEqual(custom, self.virsh_ok("cpu-models", "x86_64").split())

    def test_domcapabilities_tcg_and_machine(self):
        root = ET.fromstring(self.virsh_ok("domcapabilities", "--virttype", "qemu",
                                           "--machine", "q35"))
        self.assertEqual(root.findtext("domain"), "qemu")
        self.assertTrue(root.findtext("machine").startswith("pc-q35-"))
        self.assertEqual(root.find("vcpu").get("max"), "288")
        self.assertEqual(root.find("cpu/mode[@name='host-passthrough']").get("supported"),
                         "no")

    def test_domcapabilities_errors(self):
        first = "error: failed to get emulator capabilities"
        cases = [
            (["--arch", "foo"], "error: invalid argument: unknown architecture: foo"),
            (["--arch", "aarch64"], "error: unsupported configuration: unable to find "
             "any emulator to serve 'aarch64' architecture"),
            (["--virttype", "foo"], "error: invalid argument: unknown virttype: foo"),
            (["--virttype", "xen"], "error: invalid argument: Emulator '%s' does not "
             "support virt type 'xen'" % EMULATOR),
            (["--machine", "foo"], "error: invalid argument: the machine 'foo' is not "
             "supported by emulator '%s'" % EMULATOR),
            (["--emulatorbin", "/usr/bin/nosuch"], "error: Cannot check QEMU binary "
             "/usr/bin/nosuch: No such file or directory"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.assertEqual(self.virsh_error("domcapabilities", *args),
                                 [first, message])

    def test_cpu_models_errors(self):
        self.assertEqual(self.virsh_error("cpu-models", "foo"),
                         ["error: failed to get CPU model names",
                          "error: invalid argument: cannot find architecture foo"])
        # libvirt's answer for CPU drivers without a model list (virsh
        # prints it unless -q)
        res = subprocess.run(["virsh", "-c", self.daemon.uri, "cpu-models", "aarch64"],
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, LC_ALL="C"))
        self.assertEqual((res.returncode, res.stdout.strip()),
                         (0, "all CPU models are accepted"))

    # ---- the drivers virtmigd does not have ----

    def test_empty_lists(self):
        tables = {
            "net-list": " Name   State   Autostart   Persistent\n"
                        "----------------------------------------\n",
            "secret-list": " UUID   Usage\n---------------\n",
            "nwfilter-list": " UUID   Name\n--------------\n",
            "iface-list": " Name   State   MAC Address\n"
                          "-----------------------------\n",
        }
        for cmd, header in tables.items():
            with self.subTest(cmd=cmd):
                res = subprocess.run(["virsh", "-c", self.daemon.uri, cmd],
                                     capture_output=True, text=True, timeout=60,
                                     env=dict(os.environ, LC_ALL="C"))
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stdout, header + "\n")
        self.assertEqual(self.virsh_ok("net-list", "--all"), "")
        self.assertEqual(self.virsh_ok("iface-list", "--all"), "")
        self.assertEqual(self.virsh_ok("nodedev-list"), "")

    def test_not_found_errors(self):
        self.assertEqual(self.virsh_error("net-info", "nosuch"),
                         ["error: failed to get network 'nosuch'",
                          "error: Network not found: no network with matching name 'nosuch'"])
        self.assertEqual(self.virsh_error("nodedev-dumpxml", "nosuch")[1],
                         "error: Node device not found: no node device with matching name 'nosuch'")
        self.assertEqual(self.virsh_error("iface-dumpxml", "nosuch")[1],
                         "error: Interface not found: couldn't find interface named 'nosuch'")
        self.assertEqual(self.virsh_error("nwfilter-dumpxml", "nosuch")[1],
                         "error: Network filter not found: no nwfilter with matching name 'nosuch'")

    def test_python(self):
        EventLoop.start()
        conn = libvirt.open(self.daemon.uri)
        try:
            self.assertEqual(conn.listAllNetworks(), [])
            self.assertEqual(conn.listAllInterfaces(), [])
            self.assertEqual(conn.listAllDevices(), [])
            self.assertEqual(conn.listAllSecrets(), [])
            self.assertEqual(conn.listAllNWFilters(), [])
            self.assertEqual((conn.numOfNetworks(), conn.numOfDefinedNetworks(),
                              conn.numOfDevices(None, 0), conn.numOfSecrets(),
                              conn.numOfNWFilters(), conn.numOfInterfaces()),
                             (0, 0, 0, 0, 0, 0))
            lookups = [
                (lambda: conn.networkLookupByName("x"), libvirt.VIR_ERR_NO_NETWORK,
                 libvirt.VIR_FROM_NETWORK, "Network not found: no network with matching name 'x'"),
                (lambda: conn.networkLookupByUUIDString("11111111-1111-1111-1111-111111111111"),
                 libvirt.VIR_ERR_NO_NETWORK, libvirt.VIR_FROM_NETWORK,
                 "Network not found: no network with matching uuid "
                 "'11111111-1111-1111-1111-111111111111'"),
                (lambda: conn.nodeDeviceLookupByName("x"), libvirt.VIR_ERR_NO_NODE_DEVICE,
                 libvirt.VIR_FROM_NODEDEV,
                 "Node device not found: no node device with matching name 'x'"),
                (lambda: conn.interfaceLookupByMACString("11:22:33:44:55:66"),
                 libvirt.VIR_ERR_NO_INTERFACE, libvirt.VIR_FROM_INTERFACE,
                 "Interface not found: couldn't find interface with MAC address "
                 "'11:22:33:44:55:66'"),
                (lambda: conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_VOLUME, "/x"),
                 libvirt.VIR_ERR_NO_SECRET, libvirt.VIR_FROM_SECRET,
                 "Secret not found: no secret with matching usage '/x'"),
                (lambda: conn.nwfilterLookupByUUIDString("11111111-1111-1111-1111-111111111111"),
                 libvirt.VIR_ERR_NO_NWFILTER, libvirt.VIR_FROM_NWFILTER,
                 "Network filter not found: no nwfilter with matching uuid "
                 "'11111111-1111-1111-1111-111111111111'"),
                (lambda: conn.listAllNetworks(1 << 31), libvirt.VIR_ERR_INVALID_ARG,
                 libvirt.VIR_FROM_NETWORK,
                 "unsupported flags (0x80000000) in function networkConnectListAllNetworks"),
                (lambda: conn.getCPUModelNames("x86_64", 1), libvirt.VIR_ERR_INVALID_ARG,
                 libvirt.VIR_FROM_QEMU,
                 "unsupported flags (0x1) in function qemuConnectGetCPUModelNames"),
                (lambda: conn.getDomainCapabilities(None, None, None, None, 1),
                 libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_FROM_QEMU,
                 "unsupported flags (0x1) in function qemuConnectGetDomainCapabilities"),
            ]
            for call, code, domain, message in lookups:
                with self.subTest(message=message):
                    with self.assertRaises(libvirt.libvirtError) as ctx:
                        call()
                    err = ctx.exception
                    self.assertEqual((err.get_error_code(), err.get_error_domain(),
                                      err.get_error_message()), (code, domain, message))
            self.assertIn("qemu64", conn.getCPUModelNames("x86_64"))

            # registrations are accepted (no event is ever sent) and removed
            ids = [
                conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                             lambda *a: None, None),
                conn.nodeDeviceEventRegisterAny(None,
                                                libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                                lambda *a: None, None),
                conn.secretEventRegisterAny(None, libvirt.VIR_SECRET_EVENT_ID_LIFECYCLE,
                                            lambda *a: None, None),
            ]
            self.assertTrue(all(i >= 0 for i in ids), ids)
            conn.networkEventDeregisterAny(ids[0])
            conn.nodeDeviceEventDeregisterAny(ids[1])
            conn.secretEventDeregisterAny(ids[2])
            with self.assertRaises(libvirt.libvirtError):
                conn.networkEventDeregisterAny(ids[0])
        finally:
            conn.close()

    def test_readonly(self):
        conn = libvirt.openReadOnly(self.daemon.ro_uri)
        try:
            self.assertEqual(conn.listAllNetworks(), [])
            self.assertIn("qemu64", conn.getCPUModelNames("x86_64"))
            with self.assertRaises(libvirt.libvirtError) as ctx:
                conn.getDomainCapabilities()
            self.assertEqual(ctx.exception.get_error_code(),
                             libvirt.VIR_ERR_OPERATION_DENIED)
        finally:
            conn.close()

    def test_virt_install_defaults_accepted(self):
        """What virt-install (virt-manager's library) builds from the
        capabilities and domain capabilities is accepted: an unknown OS
        (i440fx, the first machine) and a Linux OS (q35, root ports
        without index, qemu-xhci with ports)."""
        if not shutil.which("virt-install"):
            self.skipTest("no virt-install")
        for name, osinfo in (("vi-generic", "detect=on,require=off"),
                             ("vi-debian", "debian11")):
            with self.subTest(osinfo=osinfo):
                res = subprocess.run(
                    ["virt-install", "--connect", self.daemon.uri, "--print-xml", "1",
                     "--name", name, "--memory", "256", "--disk", "none", "--pxe",
                     "--network", "user", "--osinfo", osinfo, "--noautoconsole"],
                    capture_output=True, text=True, timeout=120)
                self.assertEqual(res.returncode, 0, res.stderr)
                path = os.path.join(self.daemon.tmp, name + ".xml")
                with open(path, "w") as f:
                    f.write(res.stdout)
                self.virsh_ok("define", path)
                self.virsh_ok("undefine", name)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: domcapsvirshtest.py VIRTMIGD\n")
        return 2
    migrationlib.DAEMON = sys.argv[1]
    if not os.access(EMULATOR, os.X_OK):
        print("SKIP: no %s" % EMULATOR)
        return 77
    prog = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
