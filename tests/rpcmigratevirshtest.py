#!/usr/bin/python3
#
# rpcmigratevirshtest.py: the stock virsh 9.0 migrates between two
# remote servers over the fake driver (no QEMU).
#
#   rpcmigratevirshtest.py BUILD/tests/rpcfakeserver
#
# Pins the migration procedures of the remote protocol with the real
# client: `virsh migrate` (Begin3Params, Prepare3Params, Perform3Params,
# Finish3Params, Confirm3Params and their cookies), the tunables
# (migrate-setmaxdowntime / getmaxdowntime, setspeed / getspeed with and
# without --postcopy, compcache), `virsh domjobabort` while the Perform
# call of a migration is blocked (the migration fails, the guest stays
# on the source) and `virsh migrate-postcopy` from a second virsh (the
# migration completes).  The fake's Perform of a domain called slow*
# blocks until one of those arrives.  Must run with /usr/bin/python3.

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
DEADLINE = 10.0
SRCDIR = os.environ.get("abs_srcdir", os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


class FakeServer:
    """One rpcfakeserver in its own directory."""

    def __init__(self, binary, tmp, name):
        self.dir = os.path.join(tmp, name)
        os.mkdir(self.dir)
        self.sock = os.path.join(self.dir, "virtmigd-sock")
        self.uri = "qemu+unix:///system?socket=%s" % self.sock
        self.proc = subprocess.Popen([binary, "--dir", self.dir],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(tmp, name + ".log"), "w"))

    def wait_ready(self):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.sock)
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def virsh(self, *args, check=True):
        res = subprocess.run(["virsh", "-q", "-c", self.uri] + list(args),
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, LC_ALL="C"))
        if check and res.returncode != 0:
            fail("virsh %s: %s" % (" ".join(args), res.stderr))
        return res

    def expect(self, args, stdout):
        out = self.virsh(*args).stdout.strip()
        if out != stdout:
            fail("virsh %s printed %r, expected %r" % (" ".join(args), out, stdout))


def define_running(server, tmp, name):
    with open(os.path.join(SRCDIR, "rpcdata", "domain-template.xml")) as f:
        xml = f.read().replace("@NAME@", name)
    path = os.path.join(tmp, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    server.virsh("define", path)
    server.virsh("start", name)


def migrate_async(src, dst, name, *options):
    return subprocess.Popen(["virsh", "-c", src.uri, "migrate", "--live"] +
                            list(options) + [name, dst.uri],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, LC_ALL="C"))


def retry_until_ok(server, *args):
    """Repeats a virsh command until it succeeds (the migration it acts
    on may not have begun yet)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        res = server.virsh(*args, check=False)
        if res.returncode == 0:
            return
        if "no job is active" not in res.stderr and \
           "post-copy can only be started" not in res.stderr:
            fail("virsh %s: %s" % (" ".join(args), res.stderr))
        time.sleep(0.05)
    fail("virsh %s never succeeded" % " ".join(args))


def check_tunables(src):
    src.virsh("migrate-setmaxdowntime", "demo", "250")
    src.expect(["migrate-getmaxdowntime", "demo"], "250")
    src.virsh("migrate-setspeed", "demo", "100")
    src.virsh("migrate-setspeed", "demo", "50", "--postcopy")
    src.expect(["migrate-getspeed", "demo"], "100")
    src.expect(["migrate-getspeed", "demo", "--postcopy"], "50")
    src.virsh("migrate-compcache", "demo", "--size", "8589934592")
    src.expect(["migrate-compcache", "demo"], "Compression cache: 8.000 GiB")
    res = src.virsh("domjobabort", "demo", check=False)
    if res.returncode == 0 or "no job is active on the domain" not in res.stderr:
        fail("domjobabort without a job: %s" % res.stderr)


def check_migrate(src, dst):
    res = src.virsh("migrate", "--live", "--unsafe", "--bandwidth", "100",
                    "demo", dst.uri, "--migrateuri", "tcp:127.0.0.3")
    src.expect(["domstate", "--reason", "demo"], "shut off (migrated)")
    dst.expect(["domstate", "--reason", "demo"], "running (migrated)")
    return res


def check_abort(src, dst):
    mig = migrate_async(src, dst, "slowmig", "--verbose")
    retry_until_ok(src, "domjobabort", "slowmig")
    out, err = mig.communicate(timeout=60)
    if mig.returncode != 1 or \
       "error: operation aborted: migration out job: canceled by client" not in err:
        fail("aborted migration: exit %d\n%s%s" % (mig.returncode, out, err))
    src.expect(["domstate", "slowmig"], "running")
    if "slowmig" in dst.virsh("list", "--all", "--name").stdout:
        fail("the aborted migration left a domain on the destination")


def check_postcopy(src, dst):
    mig = migrate_async(src, dst, "slowmig", "--postcopy")
    retry_until_ok(src, "migrate-postcopy", "slowmig")
    out, err = mig.communicate(timeout=60)
    if mig.returncode != 0:
        fail("post-copy migration: exit %d\n%s%s" % (mig.returncode, out, err))
    dst.expect(["domstate", "--reason", "slowmig"], "running (migrated)")


def main():
    if len(sys.argv) != 2:
        fail("usage: rpcmigratevirshtest.py RPCFAKESERVER")
    if not shutil.which("virsh"):
        print("virsh not installed: skipped")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="rpcmigratevirshtest-")
    servers = []
    try:
        src = FakeServer(sys.argv[1], tmp, "src")
        servers.append(src)
        dst = FakeServer(sys.argv[1], tmp, "dst")
        servers.append(dst)
        if not src.wait_ready() or not dst.wait_ready():
            fail("the servers did not start")
        define_running(src, tmp, "demo")
        define_running(src, tmp, "slowmig")
        check_tunables(src)
        check_migrate(src, dst)
        check_abort(src, dst)
        check_postcopy(src, dst)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
