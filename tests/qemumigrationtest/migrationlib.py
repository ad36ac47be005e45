"""Helpers for the end-to-end migration tests: two virtmigd "hosts" on
loopback addresses, the built-in test guest, the stock virsh.

Used by the tests in this directory; standard library only, plus
python3-libvirt where a test drives the C API.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

BUILD = os.environ.get("VIRTMIG_BUILD_DIR", "build")
DAEMON = os.path.join(BUILD, "src", "virtmigd")
IMAGE_TOOL = os.path.join(BUILD, "tests", "guest", "virtmig-guest-image")
MEMCHECK = os.path.join(BUILD, "tests", "guest", "virtmig-memcheck")
DISKCHECK = os.path.join(BUILD, "tests", "guest", "virtmig-diskcheck")
BASE_IMAGE = os.environ.get("VIRTMIG_GUEST_IMAGE",
                            os.path.join(BUILD, "tests", "guest",
                                         "virtmig-guest.img"))
DEADLINE = 60
CERTS_TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "..", "tools", "virtmig-certs.sh")

GUEST_XML = """<domain type='{virttype}'>
  <name>{name}</name>
  <memory unit='MiB'>{memory}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <cpu mode='custom' match='exact'>
    <model fallback='forbid'>qemu64</model>
  </cpu>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{image}'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='file'>
      <source path='{serial}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def wait_for(pred, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def in_thread(fn, *args, **kwargs):
    """Starts fn(*args, **kwargs) in a thread; returns the thread and a
    dict whose "res" is fn's result once the thread has ended."""
    result = {}

    def run():
        result["res"] = fn(*args, **kwargs)
    th = threading.Thread(target=run)
    th.start()
    return th, result


def free_port(addr):
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def virttype():
    return "kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "qemu"


class PKI:
    """A test CA and certificates from tools/virtmig-certs.sh, in
    libvirt's layout."""

    def __init__(self, workdir, name="ca"):
        self.workdir = workdir
        self.dir = os.path.join(workdir, name)
        self.run("ca", self.dir, "virtmig test " + name)

    def run(self, *args):
        subprocess.run(["bash", CERTS_TOOL] + list(args), check=True,
                       capture_output=True)

    def host(self, root, addr):
        """Server and client certificates of a daemon (CN = @addr)."""
        self.run("host", self.dir, root, addr, addr)

    def client(self, cn):
        """A pkipath directory for a client whose certificate has CN @cn."""
        path = os.path.join(self.workdir, "pki-" + cn)
        self.run("client", self.dir, path, cn)
        return path


class Daemon:
    """What every test daemon (virtmigd, a stock libvirtd) offers: the
    stock virsh on its URI, and a stop that destroys its guests first."""

    def virsh(self, *args, check=True, timeout=120, uri=None):
        res = subprocess.run(["virsh", "-q", "-c", uri or self.uri] + list(args),
                             capture_output=True, text=True, timeout=timeout,
                             env=dict(os.environ, LC_ALL="C"))
        if check and res.returncode != 0:
            raise AssertionError("virsh -c %s %s: %s" % (self.uri, " ".join(args),
                                                         res.stderr.strip()))
        return res

    def out(self, *args):
        return self.virsh(*args).stdout.strip()

    def stop_process(self):
        """Destroys the guests, then SIGTERM (SIGKILL if it hangs)."""
        if self.proc.poll() is None:
            for name in self.virsh("list", "--name", check=False).stdout.split():
                self.virsh("destroy", name, check=False)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Host(Daemon):
    """One virtmigd with its own root, listening on a loopback address:
    plain TCP, and TLS too when a PKI is given (then @uri is the TLS one,
    with the pkipath of a client "admin")."""

    def __init__(self, workdir, name, addr, config="", pki=None):
        self.name = name
        self.addr = addr
        self.root = os.path.join(workdir, name)
        os.makedirs(os.path.join(self.root, "etc", "virtmig"))
        self.port = free_port(addr)
        self.tls_port = None
        self.uri = "qemu+tcp://%s:%d/system" % (addr, self.port)
        self.tcp_uri = self.uri
        if pki:
            pki.host(self.root, addr)
            self.tls_port = free_port(addr)
            # what another daemon uses (its own client certificate)
            self.peer_uri = "qemu+tls://%s:%d/system" % (addr, self.tls_port)
            self.uri = self.tls_uri(os.path.join(pki.workdir, "pki-admin"))
        with open(os.path.join(self.root, "etc", "virtmig", "virtmigd.conf"),
                  "w") as f:
            f.write(config)
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.proc = self.spawn()
        wait_for(self.ready, "virtmigd on " + addr)

    def tls_uri(self, pkipath):
        return "qemu+tls://%s:%d/system?pkipath=%s" % (self.addr, self.tls_port,
                                                       pkipath)

    def spawn(self, stderr=None):
        """Starts a virtmigd on this host's root and address (its log
        goes to the host's log unless @stderr says otherwise)."""
        argv = [DAEMON, "--root", self.root, "--listen-tcp",
                "%s:%d" % (self.addr, self.port)]
        if self.tls_port:
            argv += ["--listen-tls", "%s:%d" % (self.addr, self.tls_port)]
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                stderr=self.log if stderr is None else stderr,
                                text=True)

    def restart(self, sig=signal.SIGTERM):
        """Signal the daemon (SIGTERM by default; its QEMUs keep
        running), start it again on the same root and address."""
        self.kill(sig)
        self.start_again()

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=DEADLINE)

    def start_again(self):
        self.proc = self.spawn()
        wait_for(self.ready, "virtmigd on " + self.addr)

    def pidfile_pid(self):
        """The pid the pid file names, or None."""
        try:
            with open(os.path.join(self.root, "run", "virtmigd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("virtmigd %s exited" % self.name)
        try:
            with socket.create_connection((self.addr, self.port), timeout=1):
                return True
        except OSError:
            return False

    def qemu_pid(self, domain):
        path = os.path.join(self.root, "run", "virtmig", "qemu", domain + ".xml")
        with open(path) as f:
            return int(re.search(r" pid='(\d+)'", f.read()).group(1))

    def running_qemus(self):
        d = os.path.join(self.root, "run", "virtmig", "qemu")
        return [f for f in os.listdir(d) if f.endswith(".xml")]

    def stop(self):
        self.stop_process()
        # a clean exit (also what sanitizer builds check: leaks, errors)
        if self.proc.returncode != 0:
            with open(self.log.name) as f:
                tail = f.read()[-4000:]
            raise AssertionError("virtmigd %s exited with %s:\n%s" %
                                 (self.name, self.proc.returncode, tail))


class Guest:
    """The built-in test guest with chosen memory range and dirty rate."""

    def __init__(self, workdir, name, size_mib=32, rate_mib=8, disk_sectors=0,
                 disk_rate=0):
        """@disk_sectors, @disk_rate: the guest also rewrites that many
        sectors of its disk, at that many per second."""
        self.name = name
        self.workdir = workdir
        self.image = os.path.join(workdir, name + ".img")
        self.serial = os.path.join(workdir, name + ".serial")
        disk = []
        if disk_sectors:
            disk = ["--disk-sectors", str(disk_sectors), "--disk-rate", str(disk_rate)]
        subprocess.run([IMAGE_TOOL, "-i", BASE_IMAGE, "-o", self.image,
                        "--size-mib", str(size_mib), "--rate-mib", str(rate_mib)] + disk,
                       check=True, capture_output=True)
        show = subprocess.run([IMAGE_TOOL, "-i", self.image, "--show"],
                              check=True, capture_output=True, text=True).stdout
        self.base = int(re.search(r"base=(\d+)", show).group(1))
        self.pages = int(re.search(r"pages=(\d+)", show).group(1))
        self.memory = int(re.search(r"memory-mib=(\d+)", show).group(1)) + 16
        self.xml = os.path.join(workdir, name + ".xml")
        with open(self.xml, "w") as f:
            f.write(GUEST_XML.format(virttype=virttype(), name=name,
                                     memory=self.memory, image=self.image,
                                     serial=self.serial))

    def passes(self):
        try:
            with open(self.serial, errors="replace") as f:
                return [int(m) for m in re.findall(r"pass (\d+)", f.read())]
        except OSError:
            return []

    def disk_rounds(self):
        """The disk passes the guest reported complete and flushed."""
        try:
            with open(self.serial, errors="replace") as f:
                return [int(m) for m in re.findall(r"disk round (\d+)", f.read())]
        except OSError:
            return []

    def wait_disk_round_after(self, n, deadline=120):
        wait_for(lambda: (self.disk_rounds() or [0])[-1] > n,
                 "%s to finish a disk round after %d" % (self.name, n), deadline)

    def check_disk(self, image, min_pass=0):
        """virtmig-diskcheck on @image: every sector of the region holds
        a valid pattern, consistent with sequential writing, of pass
        @min_pass or later."""
        res = subprocess.run([DISKCHECK, "--image", image, "--min-pass", str(min_pass)],
                             capture_output=True, text=True)
        return res.returncode, res.stdout.strip() + res.stderr.strip()

    def last_pass(self):
        p = self.passes()
        return p[-1] if p else 0

    def wait_pass_after(self, n, deadline=90):
        wait_for(lambda: self.last_pass() > n,
                 "%s to print a pass after %d" % (self.name, n), deadline)

    def check_memory(self, conn_uri):
        """Pauses the guest, reads its memory range through
        virDomainMemoryPeek (python3-libvirt), runs virtmig-memcheck."""
        import libvirt

        conn = libvirt.open(conn_uri)
        try:
            dom = conn.lookupByName(self.name)
            dom.suspend()
            dump = os.path.join(self.workdir, self.name + ".dump")
            size = self.pages * 4096
            chunk = 64 * 1024
            with open(dump, "wb") as f:
                for off in range(0, size, chunk):
                    f.write(dom.memoryPeek(self.base + off, min(chunk, size - off),
                                           libvirt.VIR_MEMORY_PHYSICAL))
            dom.resume()
        finally:
            conn.close()
        res = subprocess.run([MEMCHECK, "--image", self.image, dump],
                             capture_output=True, text=True)
        return res.returncode, res.stdout.strip() + res.stderr.strip()


class Pair:
    """A source host on 127.0.0.2 and a destination on 127.0.0.3 (or
    the two addresses @addrs)."""

    def __init__(self, src_config="", dst_config="", tls=False,
                 addrs=("127.0.0.2", "127.0.0.3")):
        self.workdir = tempfile.mkdtemp(prefix="qemumigrationtest-")
        self.src = None
        self.dst = None
        self.pki = None
        try:
            if tls:
                self.pki = PKI(self.workdir)
                self.pki.client("admin")
            self.src = Host(self.workdir, "src", addrs[0], src_config, self.pki)
            self.dst = Host(self.workdir, "dst", addrs[1], dst_config, self.pki)
        except Exception:
            self.close()
            raise

    def close(self):
        errors = []
        for h in (self.src, self.dst):
            if h:
                try:
                    h.stop()
                except AssertionError as e:
                    errors.append(str(e))
        shutil.rmtree(self.workdir, ignore_errors=True)
        if errors:
            raise AssertionError("\n".join(errors))


class PairTest(unittest.TestCase):
    """A test case with a source and a destination daemon."""

    def setUp(self):
        self.pair = Pair()
        self.src = self.pair.src
        self.dst = self.pair.dst

    def tearDown(self):
        self.pair.close()

    def start_guest(self, name="mig", size_mib=32, rate_mib=8):
        g = Guest(self.pair.workdir, name, size_mib, rate_mib)
        self.src.out("define", g.xml)
        self.src.out("start", name)
        g.wait_pass_after(0)
        return g
