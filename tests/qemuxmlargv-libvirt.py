#!/usr/bin/python3
"""Reference data from stock libvirt 9.0 for tests/qemuxmlargvlibvirttest.c
(issue 13): for every tests/qemuxmlargvdata-libvirt/NAME.in.xml, the
definition libvirt prints (NAME.xml) and the devices of the QEMU command
line libvirt builds for it (NAME.devices).

Setup: run as root on the Debian 12 test host, with libvirt-daemon-system
9.0 (installed by libvirtdlib if missing), QEMU 7.2 (libvirt probes the
host's qemu-system-x86_64 for its capabilities) and the stock virsh:

  /usr/bin/python3 tests/qemuxmlargv-libvirt.py [--addr 127.0.0.6] [NAME...]

It starts an isolated libvirtd (qemumigrationtest/libvirtdlib.py: own
mount namespace, private /etc /run /var/lib /var/log /var/cache libvirt
directories, TCP on a loopback address; default 127.0.0.6) and stops it
when done, whatever happens.  Per input:

  virsh define NAME.in.xml
  virsh dumpxml --inactive NAME                 -> NAME.xml
  virsh domxml-to-native qemu-argv --domain NAME -> NAME.devices
  virsh undefine NAME

No guest is started, and the disk images (/var/lib/virtmig-test/...)
need not exist: neither define nor domxml-to-native opens them.  The
inputs carry a fixed <uuid> and fixed MAC addresses so the output is the
same on every run.  On this host libvirt only takes a qemu64 <cpu> with
check='none' (or no <cpu>): the inputs say so.

NAME.devices, the canonical form (tests/qemuxmlargvlibvirttest.c builds
the same from virtmig's argv and compares):

  machine TYPE                  first line: -machine's type
  DRIVER KEY=VALUE ...          one line per -device, and "global X",
                                "rtc X", "no-hpet" for the platform's
                                options; lines sorted (byte order),
                                device keys sorted

Only the keys in KEYS are kept (what places the device and what the
migration stream or the guest sees of it); a key the device does not
have is left out.  Values are normalised: addr as 0xSLOT.0xFUNCTION
(lower-case hex, function always written), the numeric keys in NUMERIC
as decimal, the booleans in BOOLEAN as on/off, mac in lower case; any
other value as written.  A backslash, space, tab or newline in a value
is written \\\\, \\x20, \\x09, \\x0a.

One correction: domxml-to-native turns every <interface> into
type='ethernet', which loses its <boot order='N'/> and its PCI address
(it is placed anew); a real start gives the NIC its bootindex and the
address the definition says.  The script puts both back on the NIC with
the same MAC, from the printed definition.  --verify-start checks the data against real starts: each
guest is started paused (dummy images in a scratch directory) and the
devices of the QEMU process's command line must equal NAME.devices.

Exits nonzero if libvirt refuses an input (define or domxml-to-native),
or, with --verify-start, if a start fails or differs.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "qemumigrationtest"))
from libvirtdlib import LibvirtdHost  # noqa: E402

DATA = os.path.join(HERE, "qemuxmlargvdata-libvirt")

# Keep in sync with tests/qemuxmlargvlibvirttest.c.
KEYS = {
    "id", "bus", "addr", "multifunction",           # placement
    "chassis", "port",                              # PCIe ports; USB port
    "masterbus", "firstport",                       # USB companions
    "nr", "name",                                   # virtio-serial ports
    "unit", "channel", "scsi-id", "lun",            # IDE/SATA/SCSI drives
    "mac", "bootindex", "index",                   # NIC; boot; ISA serial
    "vgamem_mb", "vram_size", "ram_size", "vram64_size_mb", "max_outputs",
    "deflate-on-oom", "free-page-reporting",        # balloon features
    "cad",                                          # HDA codec address
}
NUMERIC = {"chassis", "port", "nr", "unit", "channel", "scsi-id", "lun",
           "index", "bootindex", "firstport", "vgamem_mb", "vram_size",
           "ram_size", "vram64_size_mb", "max_outputs"}
BOOLEAN = {"multifunction", "deflate-on-oom", "free-page-reporting"}
TRUE = {"on", "true", "yes", "y"}
FALSE = {"off", "false", "no", "n"}


def split_opts(spec):
    """QEMU's key=value option string: ',' separates, ',,' is a comma."""
    parts, cur, i = [], [], 0
    while i < len(spec):
        if spec[i] == ",":
            if spec[i + 1:i + 2] == ",":
                cur.append(",")
                i += 2
                continue
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(spec[i])
        i += 1
    parts.append("".join(cur))
    return parts


def canon_value(key, val):
    if isinstance(val, bool):
        val = "on" if val else "off"
    val = str(val)
    if key == "addr":
        m = re.fullmatch(r"(?:0x)?([0-9a-fA-F]+)(?:\.(?:0x)?([0-9a-fA-F]+))?", val)
        if m:
            return "0x%x.0x%x" % (int(m.group(1), 16), int(m.group(2) or "0", 16))
    elif key in NUMERIC:
        if re.fullmatch(r"0x[0-9a-fA-F]+", val):
            return str(int(val, 16))
        if re.fullmatch(r"[0-9]+", val):
            return str(int(val))
    elif key in BOOLEAN:
        if val.lower() in TRUE:
            return "on"
        if val.lower() in FALSE:
            return "off"
    elif key == "mac":
        return val.lower()
    return val


def escape(val):
    return (val.replace("\\", "\\\\").replace(" ", "\\x20")
            .replace("\t", "\\x09").replace("\n", "\\x0a"))


def device_line(spec):
    """The canonical line of one -device argument (JSON or key=value)."""
    if spec.startswith("{"):
        props = json.loads(spec)
        driver = props.pop("driver")
    else:
        parts = split_opts(spec)
        props = {}
        driver = None
        if "=" not in parts[0]:
            driver = parts.pop(0)
        for p in parts:
            k, _, v = p.partition("=")
            props[k] = v
        if driver is None:
            driver = props.pop("driver")
    words = [escape(driver)]
    for key in sorted(k for k in props if k in KEYS):
        words.append("%s=%s" % (key, escape(canon_value(key, props[key]))))
    return " ".join(words)


def machine_type(spec):
    first = split_opts(spec)[0]
    if first.startswith("type="):
        first = first[5:]
    return first


def reduce_argv(words):
    """'machine TYPE' then the sorted device lines."""
    machine = None
    devices = []
    for i, arg in enumerate(words[:-1]):
        if arg == "-machine":
            machine = machine_type(words[i + 1])
        elif arg == "-device":
            devices.append(device_line(words[i + 1]))
        elif arg in ("-global", "-rtc"):
            # platform settings the guest sees: timers, S3/S4
            devices.append("%s %s" % (arg[1:], escape(words[i + 1])))
        elif arg == "-no-hpet":
            devices.append("no-hpet")
    return ["machine %s" % machine] + sorted(devices)


def native_argv(text):
    words = shlex.split(text)
    while words and not words[0].startswith("-") and "=" in words[0]:
        words.pop(0)            # the environment
    return words


def restore_nets(lines, xml):
    """domxml-to-native rebuilds every NIC (as type ethernet) without its
    boot order and PCI address, and places it anew: both come back from
    the printed definition, by MAC, as a real start has them.  Returns
    the lines and what was restored."""
    notes = []
    root = ET.fromstring(xml)
    q35 = "q35" in root.find("os/type").get("machine", "")
    for iface in root.iterfind("devices/interface"):
        mac = iface.find("mac")
        if mac is None:
            continue
        fixed = {}
        boot = iface.find("boot")
        if boot is not None:
            fixed["bootindex"] = str(int(boot.get("order")))
        addr = iface.find("address")
        if addr is not None and addr.get("type") == "pci":
            bus = int(addr.get("bus"), 16)
            fixed["bus"] = ("pcie.0" if q35 else "pci.0") if bus == 0 else "pci.%d" % bus
            fixed["addr"] = "0x%x.0x%x" % (int(addr.get("slot"), 16),
                                           int(addr.get("function"), 16))
        tag = "mac=%s" % mac.get("address").lower()
        for i, line in enumerate(lines):
            words = line.split(" ")
            if tag not in words:
                continue
            props = dict(w.split("=", 1) for w in words[1:])
            changed = {k: v for k, v in fixed.items() if props.get(k) != v}
            if not changed:
                continue
            props.update(changed)
            lines[i] = " ".join([words[0]] + ["%s=%s" % (k, props[k])
                                              for k in sorted(props)])
            notes.append("%s %s" % (words[0], " ".join(
                "%s=%s" % kv for kv in sorted(changed.items()))))
    return [lines[0]] + sorted(lines[1:]), notes


def run_case(host, name):
    """Writes NAME.xml and NAME.devices; returns (lines, None) or
    (None, libvirt's error)."""
    inpath = os.path.join(DATA, name + ".in.xml")
    res = host.virsh("define", inpath, check=False)
    if res.returncode != 0:
        return None, "define: " + res.stderr.strip()
    try:
        res = host.virsh("dumpxml", "--inactive", name, check=False)
        if res.returncode != 0:
            return None, "dumpxml: " + res.stderr.strip()
        xml = res.stdout
        res = host.virsh("domxml-to-native", "qemu-argv", "--domain", name,
                         check=False)
        if res.returncode != 0:
            return None, "domxml-to-native: " + res.stderr.strip()
        lines, notes = restore_nets(reduce_argv(native_argv(res.stdout)),
                                             xml)
        for note in notes:
            print("%-24s restored %s" % (name, note))
    finally:
        host.virsh("undefine", name, check=False)
    with open(os.path.join(DATA, name + ".xml"), "w") as f:
        f.write(xml if xml.endswith("\n") else xml + "\n")
    with open(os.path.join(DATA, name + ".devices"), "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return lines, None


def verify_start(host, work, name):
    """Starts NAME.in.xml paused with dummy images; None if the devices
    of its QEMU command line are NAME.devices, else what differs."""
    scratch = os.path.join(work, "images")
    os.makedirs(scratch, exist_ok=True)
    with open(os.path.join(DATA, name + ".in.xml")) as f:
        xml = f.read()
    for prefix in ("/var/lib/virtmig-test", "/var/log/virtmig-test"):
        xml = xml.replace(prefix + "/", scratch + "/")
    for path in set(re.findall(re.escape(scratch) + r"/[^'\"<]+", xml)):
        if path.endswith((".qcow2", ".img", ".iso")) and not os.path.exists(path):
            fmt = "qcow2" if path.endswith(".qcow2") else "raw"
            subprocess.run(["qemu-img", "create", "-q", "-f", fmt, path, "16M"],
                           check=True)
    inpath = os.path.join(work, name + ".start.xml")
    with open(inpath, "w") as f:
        f.write(xml)
    host.virsh("define", inpath)
    try:
        res = host.virsh("start", "--paused", name, check=False)
        if res.returncode != 0:
            return "start: " + res.stderr.strip()
        with open(os.path.join(host.root, "run", "qemu", name + ".pid")) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid) as f:
            live = reduce_argv(f.read().split("\0")[:-1])
    finally:
        host.virsh("destroy", name, check=False)
        host.virsh("undefine", name, check=False)
    with open(os.path.join(DATA, name + ".devices")) as f:
        golden = f.read().splitlines()
    if live == golden:
        return None
    return "started guest: " + "; ".join(
        ["-" + l for l in golden if l not in live] +
        ["+" + l for l in live if l not in golden])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--addr", default="127.0.0.6",
                    help="loopback address for the isolated libvirtd")
    ap.add_argument("--verify-start", action="store_true",
                    help="also start each guest (paused, dummy images) and "
                    "check its real command line against NAME.devices")
    ap.add_argument("names", nargs="*", help="only these inputs")
    args = ap.parse_args()

    names = sorted(f[:-len(".in.xml")] for f in os.listdir(DATA)
                   if f.endswith(".in.xml"))
    if args.names:
        unknown = set(args.names) - set(names)
        if unknown:
            sys.exit("no such input: %s" % ", ".join(sorted(unknown)))
        names = args.names
    work = tempfile.mkdtemp(prefix="xmlargv-libvirt-")
    host = None
    refused = []
    differ = []
    try:
        try:
            host = LibvirtdHost(work, "libvirtd", args.addr)
        except AssertionError:
            with open(os.path.join(work, "libvirtd.log")) as f:
                sys.stderr.write(f.read())
            raise
        for name in names:
            lines, err = run_case(host, name)
            if lines is None:
                refused.append(name)
                print("%-24s REFUSED %s" % (name, err.splitlines()[-1] if err else ""))
                continue
            print("%-24s %-16s %2d devices: %s" % (
                name, lines[0].split(" ", 1)[1], len(lines) - 1,
                " ".join(sorted(set(line.split(" ", 1)[0] for line in lines[1:])))))
            if args.verify_start:
                why = verify_start(host, work, name)
                if why:
                    differ.append(name)
                    print("%-24s DIFFERS %s" % (name, why))
    finally:
        if host:
            host.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("%d inputs, %d written, %d refused by libvirt%s" % (
        len(names), len(names) - len(refused), len(refused),
        (": " + " ".join(refused)) if refused else ""))
    if args.verify_start:
        print("verified by starting the guests: %d same, %d differ%s" % (
            len(names) - len(refused) - len(differ), len(differ),
            (": " + " ".join(differ)) if differ else ""))
    return 1 if refused or differ else 0


if __name__ == "__main__":
    sys.exit(main())
