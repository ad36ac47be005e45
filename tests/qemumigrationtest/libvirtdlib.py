"""A stock libvirtd 9.0 (Debian's libvirt-daemon-system) as a test peer,
isolated from the host's: its own mount namespace (unshare) with private
copies of /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt
and /var/cache/libvirt, listening on a loopback address over plain TCP
(auth none), running QEMU as root without a security driver and logging
QEMU to files (no virtlogd).  Installs the package when it is missing.
"""
import os
import shutil
import subprocess
import uuid

from migrationlib import DEADLINE, Daemon, free_port, wait_for

LIBVIRTD = "/usr/sbin/libvirtd"
PRIVATE_DIRS = {
    "etc": "/etc/libvirt",
    "run": "/run/libvirt",
    "lib": "/var/lib/libvirt",
    "log": "/var/log/libvirt",
    "cache": "/var/cache/libvirt",
}
# libvirtd probes QEMU's capabilities (~8 s) into its cache dir; the
# probe is kept here for the next peer (libvirt checks it is still valid:
# binaries' times, versions, kernel)
CAPS_SEED = os.path.join(os.environ.get("VIRTMIG_BUILD_DIR", "build"), "tests",
                         "libvirtd-qemu-caps")
CAPS_DIR = os.path.join("qemu", "capabilities")


def ensure_installed():
    """libvirt-daemon-system from Debian, if libvirtd is not there."""
    if os.path.exists(LIBVIRTD):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                    "libvirt-daemon-system"], check=True, env=env,
                   capture_output=True, timeout=900)


def relax_cpu_check(xml_path):
    """libvirtd checks qemu64's features against this host's CPU ("Host
    CPU does not provide required features: svm"): check='none'."""
    with open(xml_path) as f:
        xml = f.read()
    with open(xml_path, "w") as f:
        f.write(xml.replace("<cpu mode='custom' match='exact'>",
                            "<cpu mode='custom' match='exact' check='none'>"))


class LibvirtdHost(Daemon):
    """One isolated libvirtd on @addr (a free port)."""

    def __init__(self, workdir, name, addr, seed_caps=True, wait=True):
        """@seed_caps: start with the QEMU probe an earlier peer made
        (false: probe cold, as a freshly installed libvirtd); @wait:
        return once it answers (false: right after spawning it)."""
        ensure_installed()
        self.name = name
        self.addr = addr
        self.root = os.path.join(workdir, name)
        self.port = free_port(addr)
        self.uri = "qemu+tcp://%s:%d/system" % (addr, self.port)
        for sub in PRIVATE_DIRS:
            os.makedirs(os.path.join(self.root, sub))
        shutil.copytree("/etc/libvirt", os.path.join(self.root, "etc"),
                        dirs_exist_ok=True, symlinks=True)
        if seed_caps and os.path.isdir(CAPS_SEED):
            shutil.copytree(CAPS_SEED, os.path.join(self.root, "cache", CAPS_DIR))
        self.configure()
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "bash", "-c",
             self.script()], stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            wait_for(self.ready, "libvirtd on " + addr, DEADLINE)

    def configure(self):
        etc = os.path.join(self.root, "etc")
        with open(os.path.join(etc, "libvirtd.conf"), "a") as f:
            # a host UUID of its own: two peers on this machine would
            # otherwise share /etc/machine-id's, and libvirt refuses to
            # migrate "to the same host"
            f.write('\nlisten_tls = 0\nlisten_tcp = 1\nlisten_addr = "%s"\n'
                    'tcp_port = "%d"\nauth_tcp = "none"\nauth_unix_rw = "none"\n'
                    'host_uuid = "%s"\n' % (self.addr, self.port, uuid.uuid4()))
        with open(os.path.join(etc, "qemu.conf"), "a") as f:
            f.write('\nuser = "root"\ngroup = "root"\nsecurity_driver = "none"\n'
                    'stdio_handler = "file"\nmigration_address = "%s"\n'
                    'migration_host = "%s"\n' % (self.addr, self.addr))

    def script(self):
        """Inside the new mount namespace: the private directories over
        the real ones, then libvirtd."""
        lines = ["set -e"]
        for sub, target in PRIVATE_DIRS.items():
            lines.append("mkdir -p %s" % target)
            lines.append("mount --bind %s %s" % (os.path.join(self.root, sub),
                                                 target))
        # the pid file in the private /run/libvirt: the default,
        # /run/libvirtd.pid, is shared with the host's and other peers'
        lines.append("exec %s --listen --pid-file /run/libvirt/libvirtd.pid"
                     % LIBVIRTD)
        return "\n".join(lines)

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("libvirtd %s exited" % self.name)
        return self.virsh("uri", check=False).returncode == 0

    def keep_caps(self):
        """The probe this daemon made, for the next one (copied under a
        temporary name, then renamed: peers may start meanwhile)."""
        probed = os.path.join(self.root, "cache", CAPS_DIR)
        if os.path.isdir(CAPS_SEED) or not os.path.isdir(probed) or not os.listdir(probed):
            return
        tmp = "%s.%d" % (CAPS_SEED, os.getpid())
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(probed, tmp)
        try:
            os.rename(tmp, CAPS_SEED)
        except OSError:         # another peer was first
            shutil.rmtree(tmp, ignore_errors=True)

    def stop(self):
        self.stop_process()
        self.keep_caps()
