#!/usr/bin/python3
#
# rpcvirshtest.py: the stock libvirt 9.0 client against virtmig's remote
# protocol server.
#
#   rpcvirshtest.py --fake BUILD/tests/rpcfakeserver
#       the server over the fake in-memory driver (no QEMU needed)
#   rpcvirshtest.py --daemon BUILD/src/virtmigd
#       the real daemon
#
# Runs a virsh session (uri, hostname, version, capabilities, list,
# define, dumpxml, dominfo, domstate --reason, start, suspend, resume,
# domjobinfo, destroy, undefine, errors, the read-only socket) and
# compares its transcript byte for byte with rpcvirshdata/MODE-session.out
# (VIRTMIG_TEST_REGENERATE=1 rewrites it).  Host-specific values are
# replaced by @HOSTNAME@, @QEMU_VERSION@, @SOCKDIR@, @SRCDIR@.  Then
# checks events through `virsh event` and python3-libvirt, and
# keepalive.  Must run with /usr/bin/python3 (python3-libvirt).

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
DEADLINE = 10.0
SRCDIR = os.environ.get("abs_srcdir", os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def canonical_hostname():
    """What virGetHostname (and virtmigd) report."""
    name = socket.gethostname()
    if "." in name or name.startswith("localhost"):
        return name
    try:
        info = socket.getaddrinfo(name, None, flags=socket.AI_CANONNAME)
    except socket.gaierror:
        return name
    canon = info[0][3] if info else ""
    if canon and not canon.startswith("localhost"):
        return canon
    return name


def qemu_version():
    path = shutil.which("qemu-system-%s" % os.uname().machine)
    if not path:
        return None
    out = subprocess.run([path, "--version"], capture_output=True,
                         text=True).stdout
    return out.split("version ", 1)[1].split()[0]


def free_port(addr):
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


class Server:
    """The server under test, in its own temporary directory."""

    def __init__(self, mode, binary):
        self.tmp = tempfile.mkdtemp(prefix="rpcvirshtest-")
        self.proc = None
        if mode == "fake":
            self.sockdir = self.tmp
            caps = os.path.join(SRCDIR, "rpcvirshdata", "capabilities.xml")
            argv = [binary, "--dir", self.tmp, "--capabilities", caps]
        else:
            self.sockdir = os.path.join(self.tmp, "run")
            self.tcp = "127.0.0.4:%d" % free_port("127.0.0.4")
            argv = [binary, "--root", self.tmp, "--listen-tcp", self.tcp]
        self.rw = os.path.join(self.sockdir, "virtmigd-sock")
        self.ro = os.path.join(self.sockdir, "virtmigd-sock-ro")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.tmp, "log"), "w"))

    def wait_ready(self):
        """True once the socket accepts connections, False if never."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.rw)
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def destroy_domains(self):
        """QEMU outlives the daemon by design: never leave one behind."""
        res = subprocess.run(["virsh", "-c", self.uri(), "list", "--name"],
                             capture_output=True, text=True, timeout=60)
        for name in res.stdout.split():
            subprocess.run(["virsh", "-c", self.uri(), "destroy", name],
                           capture_output=True, timeout=60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.destroy_domains()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def uri(self, readonly=False):
        return "qemu+unix:///system?socket=%s" % (self.ro if readonly else self.rw)


class Session:
    """Runs virsh commands and records a normalised transcript.  With the
    real daemon, host-dependent output (capabilities, CPU time) is checked
    for its shape and replaced by a placeholder."""

    def __init__(self, server, mode):
        self.server = server
        self.mode = mode
        self.lines = []
        self.subst = [(server.sockdir, "@SOCKDIR@"), (SRCDIR, "@SRCDIR@")]
        version = qemu_version()
        if version:
            self.subst.append(("QEMU " + version, "QEMU @QEMU_VERSION@"))
        self.hostname = canonical_hostname()

    def normalise(self, text):
        for real, placeholder in self.subst:
            text = text.replace(real, placeholder)
        return text

    def virsh(self, *args, readonly=False):
        argv = ["virsh", "-c", self.server.uri(readonly)] + list(args)
        res = subprocess.run(argv, capture_output=True, text=True,
                             timeout=60, env=dict(os.environ, LC_ALL="C"))
        out = res.stdout
        if args and args[0] == "hostname":
            out = out.replace(self.hostname, "@HOSTNAME@")
        if self.mode == "daemon":
            out = self.mask_host_dependent(args, out)
        self.lines.append("$ virsh %s%s\n" % ("(ro) " if readonly else "",
                                             " ".join(args)))
        self.lines.append(self.normalise(out))
        if res.stderr:
            self.lines.append("[stderr]\n" + self.normalise(res.stderr))
        if res.returncode != 0:
            self.lines.append("[exit %d]\n" % res.returncode)
        return res

    def mask_host_dependent(self, args, out):
        if args[0] == "capabilities":
            if not out.startswith("<capabilities>") or \
               "<arch>%s</arch>" % os.uname().machine not in out or \
               "<os_type>hvm</os_type>" not in out:
                fail("capabilities do not describe this host:\n" + out)
            return "@CAPABILITIES@\n"
        return re.sub(r"(CPU time: +)[0-9.]+s", r"\1@CPUTIME@", out)

    def compare(self, name):
        actual = self.normalise("".join(self.lines))
        path = os.path.join(SRCDIR, "rpcvirshdata", name)
        if os.environ.get("VIRTMIG_TEST_REGENERATE") == "1":
            with open(path, "w") as f:
                f.write(actual)
            return
        with open(path) as f:
            expected = f.read()
        if actual != expected:
            for n, (a, e) in enumerate(zip(actual.splitlines(),
                                           expected.splitlines())):
                if a != e:
                    fail("%s line %d:\n- %s\n+ %s" % (name, n + 1, e, a))
            fail("%s: transcript length differs" % name)


def run_session(session, xml):
    s = session
    s.virsh("uri")
    s.virsh("hostname")
    s.virsh("version")
    s.virsh("capabilities")
    s.virsh("list", "--all")
    s.virsh("define", xml)
    s.virsh("list", "--all")
    s.virsh("dumpxml", "demo")
    s.virsh("dominfo", "demo")
    s.virsh("domstate", "--reason", "demo")
    s.virsh("domjobinfo", "demo")
    s.virsh("start", "demo")
    s.virsh("list", "--all")
    s.virsh("domstate", "--reason", "demo")
    s.virsh("dominfo", "demo")
    s.virsh("domjobinfo", "demo")
    s.virsh("domjobinfo", "--completed", "demo")
    s.virsh("suspend", "demo")
    s.virsh("domstate", "--reason", "demo")
    s.virsh("resume", "demo")
    s.virsh("domstate", "--reason", "demo")
    s.virsh("list", "--all", readonly=True)
    s.virsh("dominfo", "demo", readonly=True)
    s.virsh("destroy", "demo", readonly=True)
    s.virsh("suspend", "demo", readonly=True)
    s.virsh("undefine", "demo", readonly=True)
    s.virsh("define", xml, readonly=True)
    s.virsh("dumpxml", "--security-info", "demo", readonly=True)
    s.virsh("destroy", "demo")
    s.virsh("domstate", "--reason", "demo")
    s.virsh("destroy", "demo")
    s.virsh("dominfo", "nope")
    s.virsh("undefine", "demo")
    s.virsh("list", "--all")


def check_misc(server, xml):
    """Host-dependent or client-side commands: checked for their shape."""
    def virsh(*args, ro_flag=False):
        argv = ["virsh"] + (["-r"] if ro_flag else []) + \
               ["-c", server.uri()] + list(args)
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    res = virsh("nodeinfo")
    if res.returncode != 0 or \
       "CPU model:           %s" % os.uname().machine not in res.stdout:
        fail("nodeinfo:\n" + res.stdout + res.stderr)
    virsh("define", xml)
    virsh("start", "demo")
    res = virsh("destroy", "demo", ro_flag=True)
    if res.returncode != 1 or \
       "read only access prevents virDomainDestroy" not in res.stderr:
        fail("virsh -r destroy:\n" + res.stdout + res.stderr)
    res = virsh("shutdown", "demo")
    if res.returncode != 0 or "Domain 'demo' is being shutdown" not in res.stdout:
        fail("shutdown:\n" + res.stdout + res.stderr)
    virsh("destroy", "demo")
    res = virsh("undefine", "demo")
    if res.returncode != 0:
        fail("undefine after shutdown:\n" + res.stderr)


def check_tcp(server, xml):
    """The same daemon over TCP on a loopback address (auth none)."""
    uri = "qemu+tcp://%s/system" % server.tcp

    def virsh(*args):
        res = subprocess.run(["virsh", "-q", "-c", uri] + list(args),
                             capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            fail("virsh -c %s %s:\n%s" % (uri, " ".join(args), res.stderr))
        return res.stdout.strip()

    if virsh("uri") != uri:
        fail("virsh uri over TCP")
    virsh("define", xml)
    virsh("start", "demo")
    if virsh("domstate", "--reason", "demo") != "running (booted)":
        fail("domstate over TCP")
    if not re.match(r"^[0-9]+ +demo +running$", virsh("list")):
        fail("list over TCP: " + virsh("list"))
    virsh("destroy", "demo")
    virsh("undefine", "demo")
    if virsh("list", "--all") != "":
        fail("list --all over TCP after undefine")


def check_virsh_event(server, xml):
    """`virsh event` sees lifecycle events (polled, no fixed sleeps)."""
    out = tempfile.TemporaryFile(mode="w+")
    ev = subprocess.Popen(["virsh", "-c", server.uri(), "event", "--all",
                           "--loop", "--timeout", "%d" % DEADLINE],
                          stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + DEADLINE
    subprocess.run(["virsh", "-c", server.uri(), "define", xml],
                   capture_output=True, check=True)
    seen = ""
    wanted = ("event 'lifecycle' for domain 'demo': Started Booted",
              "event 'lifecycle' for domain 'demo': Suspended Paused",
              "event 'lifecycle' for domain 'demo': Stopped Destroyed")
    # the first round may run before virsh event has registered: repeat
    # until one whole round was seen
    while not all(w in seen for w in wanted) and time.monotonic() < deadline:
        # repeat until virsh event has registered and shows one
        subprocess.run(["virsh", "-c", server.uri(), "start", "demo"],
                       capture_output=True)
        subprocess.run(["virsh", "-c", server.uri(), "suspend", "demo"],
                       capture_output=True)
        subprocess.run(["virsh", "-c", server.uri(), "destroy", "demo"],
                       capture_output=True)
        out.seek(0)
        seen = out.read()
    ev.terminate()
    ev.wait()
    subprocess.run(["virsh", "-c", server.uri(), "undefine", "demo"],
                   capture_output=True, check=True)
    for line in ("event 'lifecycle' for domain 'demo': Started Booted",
                 "event 'lifecycle' for domain 'demo': Suspended Paused",
                 "event 'lifecycle' for domain 'demo': Stopped Destroyed"):
        if line not in seen:
            fail("virsh event did not print %r:\n%s" % (line, seen))


def check_python(server, xml):
    import libvirt

    libvirt.registerErrorHandler(lambda opaque, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()
    conn = libvirt.open(server.uri())
    if conn.getType() != "QEMU" or conn.getLibVersion() != 9000000:
        fail("python: type %s lib %d" % (conn.getType(), conn.getLibVersion()))
    events = []
    cb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        lambda c, d, ev, det, o: events.append((d.name(), ev, det)), None)
    with open(xml) as f:
        dom = conn.defineXML(f.read())
    dom.create()
    if dom.state() != [libvirt.VIR_DOMAIN_RUNNING,
                       libvirt.VIR_DOMAIN_RUNNING_BOOTED]:
        fail("python: state %s" % dom.state())
    dom.destroy()
    dom.undefine()
    expected = [("demo", libvirt.VIR_DOMAIN_EVENT_DEFINED, 0),
                ("demo", libvirt.VIR_DOMAIN_EVENT_STARTED, 0),
                ("demo", libvirt.VIR_DOMAIN_EVENT_STOPPED, 1),
                ("demo", libvirt.VIR_DOMAIN_EVENT_UNDEFINED, 0)]
    deadline = time.monotonic() + DEADLINE
    while len(events) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.05)
    if events != expected:
        fail("python: events %s" % events)
    conn.domainEventDeregisterAny(cb)
    try:
        conn.lookupByName("nope")
        fail("python: lookup of a missing domain succeeded")
    except libvirt.libvirtError as e:
        if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
            fail("python: error %d %s" % (e.get_error_code(), e))
    # client-side keepalive: our server answers its PINGs
    conn.setKeepAlive(1, 2)
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        if not conn.isAlive():
            fail("python: connection died with keepalive 1/2")
        time.sleep(0.25)
    conn.close()
    stop.set()


def main():
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--fake")
    group.add_argument("--daemon")
    args = parser.parse_args()
    mode = "fake" if args.fake else "daemon"
    binary = args.fake or args.daemon

    if not shutil.which("virsh"):
        print("virsh not installed: skipped")
        return SKIP
    xml = os.path.join(SRCDIR, "rpcdata", "domain-demo.xml")
    server = Server(mode, binary)
    try:
        if not server.wait_ready():
            fail("the server did not start serving %s" % server.rw)
        session = Session(server, mode)
        run_session(session, xml)
        session.compare("%s-session.out" % mode)
        check_misc(server, xml)
        if mode == "daemon":
            check_tcp(server, xml)
        check_virsh_event(server, xml)
        check_python(server, xml)
    finally:
        server.stop()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
