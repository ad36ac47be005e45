"""Shared parts of the virtmig migration benchmarks.

Python 3 standard library only; run the scripts with /usr/bin/python3.

What is here: locating the build products, preparing the built-in test
guest's image (tests/guest/), a small QMP client, QEMU processes started
with the command line virtmigd generates, serial log reading, memory
checks with virtmig-memcheck, the scenario matrix and the one-line
result format that both benchmarks print.
"""

import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

MIB = 1024 * 1024
PAGE = 4096

SRC_ADDR = "127.0.0.2"
DST_ADDR = "127.0.0.3"

QEMU_BIN = "qemu-system-x86_64"

# Fields of a result, in print order.  Every benchmark line has all of
# them; "-" stands for "not applicable / not reported".
FIELDS = [
    "mode", "accel", "range_mib", "dirty_mibs", "bw_mibs", "result",
    "pc_switched", "total_ms", "downtime_ms", "setup_ms", "ram_transferred",
    "iterations", "pc_requests", "pc_blocktime_ms", "wall_ms",
    "switch_to_complete_ms", "qemu_dirty_mibs", "check",
]


class BenchError(Exception):
    pass


class QmpError(BenchError):
    def __init__(self, command, desc):
        super().__init__("%s: %s" % (command, desc))
        self.command = command
        self.desc = desc


def now_ms():
    return time.time() * 1000.0


def event_ms(event):
    ts = event.get("timestamp") or {}
    if "seconds" not in ts:
        return now_ms()
    return ts["seconds"] * 1000.0 + ts["microseconds"] / 1000.0


def log(msg, quiet=False):
    if not quiet:
        print("# " + msg, flush=True)


# --- build products ---------------------------------------------------

def repo_dir():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_build(build=None):
    """The build directory: --build, $VIRTMIG_BUILD, or SOURCE/build."""
    candidates = [build, os.environ.get("VIRTMIG_BUILD"),
                  os.path.join(repo_dir(), "build")]
    for cand in candidates:
        if cand and os.path.exists(os.path.join(
                cand, "tests", "guest", "virtmig-memcheck")):
            return os.path.abspath(cand)
    raise BenchError("no build directory with tests/guest/virtmig-memcheck "
                     "(give --build DIR or set VIRTMIG_BUILD)")


def guest_tool(build, name):
    return os.path.join(build, "tests", "guest", name)


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def pick_accel(wanted):
    if wanted == "auto":
        return "kvm" if kvm_usable() else "tcg"
    if wanted == "kvm" and not kvm_usable():
        raise BenchError("/dev/kvm is not usable")
    return wanted


def make_image(build, out, size_mib, rate_mib):
    """Writes the test guest's image; returns its parameters (dict)."""
    cmd = [guest_tool(build, "virtmig-guest-image"),
           "-i", guest_tool(build, "virtmig-guest.img"), "-o", out,
           "--size-mib", str(size_mib), "--show"]
    if rate_mib:
        cmd += ["--rate-mib", str(rate_mib)]
    else:
        cmd += ["--rate", "0"]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise BenchError("virtmig-guest-image failed: " + res.stderr.strip())
    params = {}
    for tok in res.stdout.split():
        key, _, val = tok.partition("=")
        params[key] = int(val)
    return params


def memcheck(build, image, dump):
    """Runs virtmig-memcheck; returns (ok, its one-line verdict)."""
    res = subprocess.run([guest_tool(build, "virtmig-memcheck"),
                          "--image", image, dump],
                         capture_output=True, text=True, check=False)
    line = (res.stdout.strip() or res.stderr.strip()).splitlines()
    return res.returncode == 0, (line[0] if line else "no output")


def free_port(addr):
    """A TCP port free on ADDR right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((addr, 0))
        return sock.getsockname()[1]


# --- serial log ---------------------------------------------------------

class SerialLog:
    """Follows the guest's serial log file and collects `pass N` lines.

    Rereads from the start when the file shrinks (a daemon may truncate
    it when it reuses the path)."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.passes = []
        self.banner = None

    def poll(self):
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return self.passes
        if size < self.offset:
            self.offset = 0
            self.partial = b""
        if size == self.offset:
            return self.passes
        with open(self.path, "rb") as fp:
            fp.seek(self.offset)
            data = fp.read(size - self.offset)
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for raw in lines:
            line = raw.decode("ascii", "replace").strip()
            if line.startswith("pass "):
                try:
                    self.passes.append(int(line[5:]))
                except ValueError:
                    pass
            elif line.startswith("virtmig-guest"):
                self.banner = line
        return self.passes

    def last(self):
        self.poll()
        return self.passes[-1] if self.passes else None

    def wait_pass(self, after, deadline, alive=None):
        """Waits for a pass number > AFTER (any pass if AFTER is None)."""
        while True:
            self.poll()
            for num in self.passes:
                if after is None or num > after:
                    return num
            if alive is not None:
                alive()
            if time.time() > deadline:
                return None
            time.sleep(0.05)


# --- QMP ----------------------------------------------------------------

class Qmp:
    """Minimal QMP client: commands with ids, events queued in order."""

    def __init__(self, path, deadline, alive=None):
        self.sock = None
        self.buf = b""
        self.events = []
        self.next_id = 0
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                self.sock = sock
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if alive is not None:
                    alive()
                if time.time() > deadline:
                    raise BenchError("no QMP socket at " + path)
                time.sleep(0.05)
        greeting = self._read(deadline)
        if greeting is None or "QMP" not in greeting:
            raise BenchError("no QMP greeting on " + path)
        self.cmd("qmp_capabilities")

    def fileno(self):
        return self.sock.fileno()

    def _read(self, deadline):
        """One message, or None when DEADLINE passes."""
        while b"\n" not in self.buf:
            wait = max(0.0, deadline - time.time())
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("QEMU closed its monitor")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def pump(self):
        """Queues whatever events have arrived, without blocking."""
        while True:
            msg = self._read(0)
            if msg is None:
                return
            if "event" in msg:
                self.events.append(msg)

    def take_events(self):
        self.pump()
        events, self.events = self.events, []
        return events

    def cmd(self, name, args=None, timeout=60.0, check=True):
        self.next_id += 1
        req = {"execute": name, "id": self.next_id}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.time() + timeout
        while True:
            msg = self._read(deadline)
            if msg is None:
                raise BenchError("%s: no answer in %.0f s" % (name, timeout))
            if "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("id") != self.next_id:
                continue
            if "error" in msg:
                if check:
                    raise QmpError(name, msg["error"].get("desc", "?"))
                return msg
            return msg.get("return")

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


# --- QEMU processes -------------------------------------------------------

def qemu_opt(value):
    """Escapes a value for QEMU's comma-separated option syntax."""
    return str(value).replace(",", ",,")


class Qemu:
    """A QEMU started with the command line virtmigd generates for the
    test guest (see ROOT/var/log/virtmig/qemu/NAME.log), optionally
    waiting for an incoming migration (-incoming defer)."""

    def __init__(self, workdir, name, image, memory_mib, accel,
                 incoming=False):
        self.name = name
        self.image = image
        self.memory_mib = memory_mib
        self.accel = accel
        self.incoming = incoming
        self.qmp_path = os.path.join(workdir, name + ".qmp")
        self.serial_path = os.path.join(workdir, name + ".serial")
        self.log_path = os.path.join(workdir, name + ".log")
        self.serial = SerialLog(self.serial_path)
        self.proc = None
        self.qmp = None

    def argv(self):
        argv = [
            QEMU_BIN,
            "-name", "guest=%s,debug-threads=on" % qemu_opt(self.name),
            "-S",
            "-machine", "pc,accel=%s,usb=off,dump-guest-core=off,acpi=off"
            % self.accel,
            "-cpu", "qemu64",
            "-m", "size=%dk" % (self.memory_mib * 1024),
            "-smp", "1",
            "-uuid", str(uuid.uuid4()),
            "-display", "none",
            "-no-user-config",
            "-nodefaults",
            "-chardev", "socket,id=charmonitor,path=%s,server=on,wait=off"
            % qemu_opt(self.qmp_path),
            "-mon", "chardev=charmonitor,id=monitor,mode=control",
            "-rtc", "base=utc",
            "-boot", "strict=on",
            "-blockdev", "driver=file,filename=%s,node-name=libvirt-1-storage,"
            "cache.direct=on,cache.no-flush=off,auto-read-only=on,"
            "discard=unmap" % qemu_opt(self.image),
            "-blockdev", "node-name=libvirt-1-format,read-only=off,"
            "cache.direct=on,cache.no-flush=off,driver=raw,"
            "file=libvirt-1-storage",
            "-device", "ide-hd,bus=ide.0,unit=0,drive=libvirt-1-format,"
            "id=ide0-0-0,bootindex=1,write-cache=on",
            "-chardev", "file,id=charserial0,path=%s,append=on"
            % qemu_opt(self.serial_path),
            "-device", "isa-serial,chardev=charserial0,id=serial0,index=0",
        ]
        if self.incoming:
            argv += ["-incoming", "defer"]
        return argv

    def alive(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise BenchError("QEMU %s exited (status %s): %s"
                             % (self.name, self.proc.returncode,
                                self.log_tail()))

    def log_tail(self):
        try:
            with open(self.log_path, "r", errors="replace") as fp:
                return " | ".join(fp.read().strip().splitlines()[-4:])
        except OSError:
            return ""

    def start(self, timeout=30.0):
        with open(self.log_path, "w") as logfp:
            logfp.write(" ".join(self.argv()) + "\n")
            logfp.flush()
            self.proc = subprocess.Popen(self.argv(),
                                         stdin=subprocess.DEVNULL,
                                         stdout=logfp,
                                         stderr=subprocess.STDOUT)
        self.qmp = Qmp(self.qmp_path, time.time() + timeout, self.alive)

    def stop(self):
        """Quits QEMU (QMP quit, then SIGTERM, then SIGKILL)."""
        if self.proc is None:
            return
        if self.qmp is not None and self.proc.poll() is None:
            try:
                self.qmp.cmd("quit", timeout=5)
            except (BenchError, OSError):
                pass
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None
        for sig in ("terminate", "kill"):
            try:
                self.proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                getattr(self.proc, sig)()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None


def dump_and_check(build, qmp, image, params, dump_path):
    """Stops the guest, dumps its range with pmemsave, checks it."""
    qmp.cmd("stop")
    qmp.cmd("pmemsave", {"val": params["base"],
                         "size": params["pages"] * PAGE,
                         "filename": dump_path}, timeout=120)
    ok, verdict = memcheck(build, image, dump_path)
    try:
        os.unlink(dump_path)
    except OSError:
        pass
    return ok, verdict


# --- scenarios ------------------------------------------------------------

class Scenario:
    """One benchmark run's parameters."""

    def __init__(self, mode="precopy", size_mib=64, rate_mib=32,
                 bandwidth_mib=100, downtime_ms=None, timeout_s=30.0,
                 postcopy_after="pass", preempt=False, blocktime=True,
                 postcopy_bandwidth_mib=0, libvirt_caps=False):
        self.mode = mode
        self.size_mib = size_mib
        self.rate_mib = rate_mib
        self.bandwidth_mib = bandwidth_mib
        self.downtime_ms = downtime_ms
        self.timeout_s = timeout_s
        self.postcopy_after = postcopy_after
        self.preempt = preempt
        self.blocktime = blocktime
        self.postcopy_bandwidth_mib = postcopy_bandwidth_mib
        self.libvirt_caps = libvirt_caps

    def dirty_label(self):
        return str(self.rate_mib) if self.rate_mib else "max"

    def mode_label(self):
        if self.mode != "postcopy":
            return self.mode
        label = "postcopy"
        if self.postcopy_after == "immediate":
            label += "-now"
        if self.preempt:
            label += "+preempt"
        return label

    def describe(self):
        text = ("%s range=%d MiB dirty=%s MiB/s bw=%d MiB/s"
                % (self.mode_label(), self.size_mib, self.dirty_label(),
                   self.bandwidth_mib))
        if self.postcopy_bandwidth_mib:
            text += " postcopy-bw=%d MiB/s" % self.postcopy_bandwidth_mib
        if self.downtime_ms is not None:
            text += " downtime-limit=%d ms" % self.downtime_ms
        if self.libvirt_caps:
            text += " +libvirt-caps"
        return text


def int_list(text):
    return [int(x) for x in text.split(",") if x.strip() != ""]


def scenarios_from_args(args):
    """The matrix: every mode x every dirty rate."""
    modes = ["precopy", "postcopy"] if args.mode == "both" else [args.mode]
    out = []
    for size in int_list(args.size_mib):
        for rate in int_list(args.rates):
            for mode in modes:
                out.append(Scenario(
                    mode=mode, size_mib=size, rate_mib=rate,
                    bandwidth_mib=args.bandwidth,
                    downtime_ms=args.downtime, timeout_s=args.timeout,
                    postcopy_after=args.postcopy_after,
                    preempt=args.preempt, blocktime=not args.no_blocktime,
                    postcopy_bandwidth_mib=args.postcopy_bandwidth,
                    libvirt_caps=getattr(args, "libvirt_caps", False)))
    return out


def add_common_args(parser):
    parser.add_argument("--build", help="build directory "
                        "(default: $VIRTMIG_BUILD or SOURCE/build)")
    parser.add_argument("--accel", choices=["auto", "kvm", "tcg"],
                        default="auto", help="default: kvm if /dev/kvm is "
                        "usable, else tcg")
    parser.add_argument("--mode", choices=["precopy", "postcopy", "both"],
                        default="both")
    parser.add_argument("--size-mib", default="64",
                        help="guest range size(s) in MiB, comma-separated "
                        "(default 64)")
    parser.add_argument("--rates", default="8,32,128,0",
                        help="dirty rates in MiB/s, comma-separated, "
                        "0 = unthrottled (default 8,32,128,0)")
    parser.add_argument("--bandwidth", type=int, default=64,
                        help="migration bandwidth cap in MiB/s (default 64)")
    parser.add_argument("--postcopy-bandwidth", type=int, default=0,
                        help="bandwidth cap after the switch to postcopy in "
                        "MiB/s, 0 = unlimited (QEMU's and virsh's default)")
    parser.add_argument("--downtime", type=int, default=None,
                        help="downtime limit in ms (default: QEMU's, 300)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a migration may take before it is "
                        "reported as not converging and cancelled "
                        "(default 30)")
    parser.add_argument("--postcopy-after", choices=["pass", "immediate"],
                        default="pass", help="switch to postcopy after the "
                        "first precopy pass (MIGRATION_PASS >= 2, like "
                        "virsh --postcopy-after-precopy) or right after "
                        "migrate")
    parser.add_argument("--preempt", action="store_true",
                        help="enable postcopy-preempt (postcopy runs)")
    parser.add_argument("--no-blocktime", action="store_true",
                        help="do not enable postcopy-blocktime")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each scenario (default 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directories (logs, images)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the result lines")


# --- output ----------------------------------------------------------------

def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.0f" % value
    return str(value).replace(" ", "_")


def result_line(res):
    return " ".join("%s=%s" % (key, fmt(res.get(key))) for key in FIELDS)


def new_result(scn, accel):
    res = {key: None for key in FIELDS}
    res.update(mode=scn.mode_label(), accel=accel, range_mib=scn.size_mib,
               dirty_mibs=scn.dirty_label(), bw_mibs=scn.bandwidth_mib)
    return res


def print_table(results, extra=None):
    """An aligned summary of result dicts (plus EXTRA columns)."""
    cols = [("mode", "mode"), ("dirty_mibs", "dirty"), ("bw_mibs", "bw"),
            ("result", "result"), ("pc_switched", "pc"),
            ("total_ms", "total"),
            ("downtime_ms", "down"), ("setup_ms", "setup"),
            ("ram_transferred", "MiB"), ("iterations", "iter"),
            ("pc_requests", "pcreq"), ("pc_blocktime_ms", "blockt"),
            ("wall_ms", "wall"), ("switch_to_complete_ms", "sw->done"),
            ("check", "check")] + (extra or [])
    rows = [[title for _, title in cols]]
    for res in results:
        row = []
        for key, _ in cols:
            val = res.get(key)
            if key == "ram_transferred" and isinstance(val, int):
                val = "%.1f" % (val / MIB)
            elif key == "check" and isinstance(val, str):
                val = val.split(":")[0]
            row.append(fmt(val))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


GOOD_CHECKS = (None, "ok", "serial-ok", "src-runs")


def run_ok(res):
    """False when a run failed or its guest checks failed (timing is
    never judged: a migration that did not converge is a figure)."""
    result = res.get("result") or "error"
    if result != "completed" and not result.startswith("not-converged"):
        return False
    return res.get("check") in GOOD_CHECKS


class WorkDir:
    """A private directory under /tmp, removed at the end unless kept."""

    def __init__(self, prefix, keep=False):
        self.path = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.keep = keep

    def cleanup(self):
        if self.keep:
            log("kept " + self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
