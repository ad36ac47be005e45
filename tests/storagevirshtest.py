#!/usr/bin/python3
#
# storagevirshtest.py: virtmigd's storage driver with the stock virsh
# and python3-libvirt (issue 15).
#
#   storagevirshtest.py BUILD/src/virtmigd
#
# Starts the real daemon on a private root (127.0.0.41), drives a dir
# pool the way virt-manager does on connect (define, build, start,
# autostart a 'default' pool; its directory is in the test's temporary
# directory: pool paths are host paths) and through virsh pool-* /
# vol-* (raw and qcow2
# volumes by qemu-img, listings, info, XML, path, delete, libvirt's
# errors), receives the pool lifecycle and refresh events in a
# python3-libvirt event loop, and restarts the daemon to check that
# definitions, active state and autostart persist.  No QEMU guest.
# Must run with /usr/bin/python3 (python3-libvirt).

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

DEADLINE = 15.0
ADDR = "127.0.0.41"


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class Daemon:
    def __init__(self, binary, root):
        self.binary = binary
        self.root = root
        self.proc = None
        self.sock = os.path.join(root, "run", "virtmigd-sock")
        self.uri = "qemu+unix:///system?socket=" + self.sock
        self.ro_uri = self.uri + "-ro"

    def start(self):
        with socket.socket() as s:
            s.bind((ADDR, 0))
            port = s.getsockname()[1]
        log = open(os.path.join(self.root, "daemon.log"), "a")
        self.proc = subprocess.Popen([self.binary, "--root", self.root,
                                      "--listen-tcp", "%s:%d" % (ADDR, port)],
                                     stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            check(self.proc.poll() is None, "the daemon exited at start")
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.sock)
                return
            except OSError:
                time.sleep(0.05)
        fail("the daemon never listened")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("the daemon did not stop on SIGTERM")
            # a sanitizer build reports leaks and errors in the exit code
            if self.proc.returncode != 0:
                with open(os.path.join(self.root, "daemon.log")) as f:
                    sys.stderr.write(f.read()[-4000:])
                fail("the daemon exited with %d" % self.proc.returncode)

    def virsh(self, *args, ok=True, ro=False):
        res = subprocess.run(["virsh", "-c", self.ro_uri if ro else self.uri] + list(args),
                             capture_output=True, text=True, timeout=60)
        if ok and res.returncode != 0:
            fail("virsh %s: %s" % (" ".join(args), res.stderr.strip()))
        if not ok and res.returncode == 0:
            fail("virsh %s succeeded: %s" % (" ".join(args), res.stdout.strip()))
        return res.stdout if ok else res.stderr

    def error(self, expected, *args, ro=False):
        err = self.virsh(*args, ok=False, ro=ro)
        check(expected in err, "virsh %s: expected %r in %r" % (" ".join(args), expected, err))


class Events:
    """Pool events seen by python3-libvirt with the default event loop."""

    def __init__(self, uri, pool=None):
        """All pools' lifecycle and refresh events, or @pool's lifecycle
        events only."""
        self.cond = threading.Condition()
        self.seen = []
        self.conn = libvirt.open(uri)
        target = self.conn.storagePoolLookupByName(pool) if pool else None
        self.ids = [self.conn.storagePoolEventRegisterAny(
            target, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, self.lifecycle, None)]
        if not pool:
            self.ids.append(self.conn.storagePoolEventRegisterAny(
                None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, self.refresh, None))

    def lifecycle(self, conn, pool, event, detail, opaque):
        with self.cond:
            self.seen.append((pool.name(), event))
            self.cond.notify_all()

    def refresh(self, conn, pool, opaque):
        with self.cond:
            self.seen.append((pool.name(), "refresh"))
            self.cond.notify_all()

    def expect(self, *wanted):
        """Waits until the next events are @wanted (in order)."""
        deadline = time.monotonic() + DEADLINE
        with self.cond:
            while len(self.seen) < len(wanted):
                left = deadline - time.monotonic()
                if left <= 0:
                    fail("events: got %r, want %r" % (self.seen, list(wanted)))
                self.cond.wait(left)
            got, self.seen = self.seen[:len(wanted)], self.seen[len(wanted):]
        check(got == list(wanted), "events: got %r, want %r" % (got, list(wanted)))

    def close(self):
        for cid in self.ids:
            self.conn.storagePoolEventDeregisterAny(cid)
        self.conn.close()


def pool_row(d, name):
    for line in d.virsh("pool-list", "--all", "--details").splitlines():
        words = line.split()
        if words and words[0] == name:
            return words
    return None


def session(d, root):
    ev = Events(d.uri)
    images = os.path.join(root, "images")
    E = libvirt

    # what virt-manager does on connect
    check("Pool default defined" in
          d.virsh("pool-define-as", "default", "dir", "--target", images), "define")
    ev.expect(("default", E.VIR_STORAGE_POOL_EVENT_DEFINED))
    d.virsh("pool-build", "default")
    check(os.path.isdir(images), "pool-build made no %s" % images)
    ev.expect(("default", E.VIR_STORAGE_POOL_EVENT_CREATED))
    d.virsh("pool-start", "default")
    ev.expect(("default", E.VIR_STORAGE_POOL_EVENT_STARTED))
    d.virsh("pool-autostart", "default")
    check(pool_row(d, "default")[1:4] == ["running", "yes", "yes"],
          "pool-list --details: %r" % pool_row(d, "default"))
    info = d.virsh("pool-info", "default")
    check("State:          running" in info and "Autostart:      yes" in info, info)
    xml = d.virsh("pool-dumpxml", "default")
    check("<pool type='dir'>" in xml and "<path>%s</path>" % images in xml, xml)
    check("<mode>0711</mode>" in xml, "built directory mode: " + xml)

    # volumes
    d.virsh("vol-create-as", "default", "a.raw", "10M")
    d.virsh("vol-create-as", "default", "full.raw", "1M", "--allocation", "1M")
    check(os.stat(os.path.join(images, "full.raw")).st_blocks * 512 >= 1 << 20,
          "--allocation did not allocate")
    d.virsh("vol-delete", "full.raw", "--pool", "default")
    d.virsh("vol-create-as", "default", "b.qcow2", "1G", "--format", "qcow2")
    img = json.loads(subprocess.run(["qemu-img", "info", "--output=json",
                                     os.path.join(images, "b.qcow2")],
                                    capture_output=True, text=True).stdout)
    check(img["format"] == "qcow2" and img["virtual-size"] == 1 << 30, repr(img))
    listing = d.virsh("vol-list", "default", "--details")
    check("a.raw" in listing and "10.00 MiB" in listing and "1.00 GiB" in listing,
          listing)
    info = d.virsh("vol-info", "b.qcow2", "--pool", "default")
    check("Capacity:       1.00 GiB" in info and "Type:           file" in info, info)
    info = d.virsh("vol-info", "b.qcow2", "--pool", "default", "--physical")
    check("Physical:" in info, info)
    # a volume is probed again when asked about: the image grew
    subprocess.run(["qemu-img", "resize", "-q", os.path.join(images, "b.qcow2"), "2G"],
                   check=True)
    info = d.virsh("vol-info", "b.qcow2", "--pool", "default")
    check("Capacity:       2.00 GiB" in info, "not probed again: " + info)
    xml = d.virsh("vol-dumpxml", "b.qcow2", "--pool", "default")
    check("<format type='qcow2'/>" in xml and "<compat>1.1</compat>" in xml and
          "<mtime>" in xml and
          "<capacity unit='bytes'>2147483648</capacity>" in xml, xml)
    path = d.virsh("vol-path", "a.raw", "--pool", "default").strip()
    check(path == os.path.join(images, "a.raw"), "vol-path: " + path)
    check(d.virsh("vol-info", path).startswith("Name:           a.raw"), "vol by path")
    d.error("storage volume 'b.qcow2' exists already",
            "vol-create-as", "default", "b.qcow2", "1M")
    d.virsh("pool-refresh", "default")
    ev.expect(("default", "refresh"))
    d.virsh("vol-delete", "a.raw", "--pool", "default")
    check(not os.path.exists(path), "vol-delete left " + path)
    check("a.raw" not in d.virsh("vol-list", "default"), "a.raw still listed")

    # a transient pool goes away when it stops; a registration for one
    # pool gets its events (libvirt's client filters them again, so the
    # server's filtering is tested by rpcstoragetest)
    only = Events(d.uri, "default")
    d.virsh("pool-create-as", "scratch", "dir", "--target",
            os.path.join(root, "scratch"), "--build")
    ev.expect(("scratch", E.VIR_STORAGE_POOL_EVENT_STARTED))
    check(pool_row(d, "scratch")[1:4] == ["running", "no", "no"],
          "transient pool: %r" % pool_row(d, "scratch"))
    d.virsh("pool-destroy", "scratch")
    ev.expect(("scratch", E.VIR_STORAGE_POOL_EVENT_STOPPED))
    check(pool_row(d, "scratch") is None, "transient pool left after destroy")
    inactive = os.path.join(root, "default.xml")
    with open(inactive, "w") as f:
        f.write(d.virsh("pool-dumpxml", "--inactive", "default"))
    d.virsh("pool-define", inactive)
    only.expect(("default", E.VIR_STORAGE_POOL_EVENT_DEFINED))
    ev.expect(("default", E.VIR_STORAGE_POOL_EVENT_DEFINED))
    only.close()

    # python3-libvirt: list-all with flags, volumes
    pools = ev.conn.listAllStoragePools(E.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
                                        E.VIR_CONNECT_LIST_STORAGE_POOLS_DIR)
    check([p.name() for p in pools] == ["default"], "listAllStoragePools")
    check(ev.conn.listAllStoragePools(E.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE) == [],
          "inactive pools listed")
    check([v.name() for v in pools[0].listAllVolumes()] == ["b.qcow2"], "listAllVolumes")
    check(pools[0].listVolumes() == ["b.qcow2"], "listVolumes")
    check(ev.conn.listStoragePools() == ["default"] and
          ev.conn.listDefinedStoragePools() == [], "the old pool lists")
    check("Vol c.qcow2 cloned from b.qcow2" in
          d.virsh("vol-clone", "b.qcow2", "c.qcow2", "--pool", "default"), "vol-clone")
    check(pools[0].listVolumes() == ["b.qcow2", "c.qcow2"], "clone not listed")
    d.virsh("vol-delete", "c.qcow2", "--pool", "default")
    check(ev.conn.storagePoolLookupByTargetPath(images + "/").name() == "default",
          "lookup by target path")

    # libvirt's errors
    d.error("Storage pool not found: no storage pool with matching name 'nosuch'",
            "pool-info", "nosuch")
    d.error("Storage volume not found: no storage vol with matching path 'nosuch'",
            "vol-info", "nosuch", "--pool", "default")
    d.error("Requested operation is not valid: storage pool 'default' is already active",
            "pool-start", "default")
    d.error("Requested operation is not valid: storage pool 'default' is still active",
            "pool-undefine", "default")
    d.error("missing backend for pool type 3 (logical)",
            "pool-define-as", "lvm", "logical", "--target", "/dev/vg")
    d.error("pool 'default' already exists with uuid",
            "pool-define-as", "default", "dir", "--target", "/elsewhere")
    d.error("Storage source conflict with pool: 'default'",
            "pool-define-as", "twin", "dir", "--target", images)
    bad = os.path.join(root, "bad.xml")
    with open(bad, "w") as f:
        f.write("<pool type='dir'><name>x</name></pool>")
    d.error("XML error: missing storage pool target path", "pool-define", bad)
    d.error("read only access prevents virStoragePoolDestroy",
            "pool-destroy", "default", ro=True)
    ev.close()


def restarts(d, root):
    # active and autostart pools survive a restart
    d.stop()
    d.start()
    check(pool_row(d, "default")[1:3] == ["running", "yes"], "after restart")
    check("b.qcow2" in d.virsh("vol-list", "default"), "volume after restart")
    ev = Events(d.uri)
    d.virsh("pool-destroy", "default")
    ev.expect(("default", libvirt.VIR_STORAGE_POOL_EVENT_STOPPED))
    ev.close()
    d.stop()
    d.start()
    check(pool_row(d, "default")[1] == "running", "not autostarted")
    d.virsh("pool-destroy", "default")
    d.virsh("pool-autostart", "--disable", "default")
    d.stop()
    d.start()
    check(pool_row(d, "default")[1:3] == ["inactive", "no"], "autostarted anyway")
    d.error("storage pool 'default' is not active", "vol-list", "default")
    ev = Events(d.uri)
    stale = ev.conn.storagePoolLookupByName("default")
    d.virsh("pool-undefine", "default")
    ev.expect(("default", libvirt.VIR_STORAGE_POOL_EVENT_UNDEFINED))
    try:
        stale.info()
        fail("info of an undefined pool")
    except libvirt.libvirtError as e:
        want = "no storage pool with matching uuid '%s' (default)" % stale.UUIDString()
        check(e.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL and
              want in str(e), "stale pool: %s" % e)
    ev.close()
    check(pool_row(d, "default") is None, "still listed after undefine")
    check(not os.listdir(os.path.join(root, "etc/virtmig/storage/autostart")),
          "autostart link left")


def main():
    if len(sys.argv) != 2:
        fail("usage: storagevirshtest.py VIRTMIGD")
    if not shutil.which("virsh") or not shutil.which("qemu-img"):
        sys.exit(77)
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()

    root = tempfile.mkdtemp(prefix="storagevirshtest-")
    d = Daemon(sys.argv[1], root)
    try:
        d.start()
        session(d, root)
        restarts(d, root)
    finally:
        d.stop()
        if os.environ.get("VIRTMIG_TEST_KEEP"):
            sys.stderr.write("kept %s\n" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("storagevirshtest: OK")


if __name__ == "__main__":
    main()
