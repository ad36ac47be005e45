"""Migration through daemons speaking libvirt's RPC, driven by the stock
virsh: the parts shared by virsh-migrate.py (virtmigd) and compare.py
(virtmigd side by side with stock libvirtd).  A daemon here is anything
with .uri and .log_path (its log, for the phase breakdown; may not
exist)."""

import argparse
import datetime
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (BenchError, DST_ADDR, SRC_ADDR, WorkDir,  # noqa: E402
                      add_common_args, find_build, fmt, free_port, log,
                      make_image, memcheck, new_result, pick_accel,
                      print_table, result_line, run_ok, scenarios_from_args,
                      SerialLog)
from qmpbench import boot_deadline, pass_seconds, run_qmp  # noqa: E402

VIRSH = "virsh"

# virsh domjobinfo --rawstats field -> result field
RAW_FIELDS = {
    "time_elapsed": "total_ms",
    "downtime": "downtime_ms",
    "setup_time": "setup_ms",
    "memory_processed": "ram_transferred",
    "memory_iteration": "iterations",
    "memory_postcopy_requests": "pc_requests",
}
# the same from virsh's human-readable output (values in ms or counts)
HUMAN_FIELDS = {
    "Time elapsed": "total_ms",
    "Total downtime": "downtime_ms",
    "Setup time": "setup_ms",
    "Iteration": "iterations",
    "Postcopy requests": "pc_requests",
}
EXTRA_FIELDS = ["virsh_ms", "x_virsh", "x_running", "x_downtime", "p2p"]


def virsh(uri, *args, timeout=60, check=False):
    res = subprocess.run([VIRSH, "-q", "-c", uri] + list(args),
                         capture_output=True, text=True, timeout=timeout,
                         check=False)
    if check and res.returncode != 0:
        raise BenchError("virsh %s: %s" % (" ".join(args),
                                           res.stderr.strip()))
    return res


def virsh_error(res):
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    return " / ".join(lines) if lines else "exit status %d" % res.returncode


# --- processes we start --------------------------------------------------

class Daemon:
    """A virtmigd with its own root, listening on ADDR:PORT."""

    def __init__(self, build, root, addr, port):
        self.build = build
        self.root = root
        self.addr = addr
        self.port = port
        self.uri = "qemu+tcp://%s:%d/system" % (addr, port)
        self.log_path = root + ".log"
        self.proc = None

    def start(self, wait=True):
        # the phase changes and the job ends, with their times, go to the
        # log: phase_breakdown() reads them
        confdir = os.path.join(self.root, "etc", "virtmig")
        os.makedirs(confdir, exist_ok=True)
        with open(os.path.join(confdir, "virtmigd.conf"), "w") as conf:
            conf.write('log_filters = "1:qemu.qemu_migration_state '
                       '1:qemu.qemu_domainjob"\n')
        with open(self.log_path, "w") as logfp:
            self.proc = subprocess.Popen(
                [os.path.join(self.build, "src", "virtmigd"),
                 "--root", self.root,
                 "--listen-tcp", "%s:%d" % (self.addr, self.port)],
                stdin=subprocess.DEVNULL, stdout=logfp,
                stderr=subprocess.STDOUT)
        if wait:
            self.wait_listening()

    def wait_listening(self):
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise BenchError("virtmigd on %s exited: %s"
                                 % (self.addr, self.log_tail()))
            try:
                with socket.create_connection((self.addr, self.port), 1):
                    return
            except OSError:
                pass
            if time.time() > deadline:
                raise BenchError("virtmigd on %s does not listen" % self.addr)
            time.sleep(0.1)

    def log_tail(self):
        try:
            with open(self.log_path, errors="replace") as fp:
                return " | ".join(fp.read().strip().splitlines()[-3:])
        except OSError:
            return ""

    def destroy_all(self):
        res = virsh(self.uri, "list", "--name", timeout=30)
        for name in res.stdout.split():
            virsh(self.uri, "destroy", name, timeout=60)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.destroy_all()
            except (subprocess.TimeoutExpired, OSError):
                pass
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def kill_leftover_qemus(workdir):
    """Kills QEMUs whose command line names WORKDIR (ours, left behind by
    a daemon that could not destroy them)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as fp:
                cmdline = fp.read().decode("utf-8", "replace")
        except OSError:
            continue
        if "qemu-system" in cmdline and workdir in cmdline:
            log("killing leftover QEMU %s" % pid)
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def parse_event_time(line):
    """Epoch ms of a `virsh event --timestamp` line, or None."""
    stamp = line.split(": event ", 1)[0]
    try:
        when = datetime.datetime.strptime(stamp[:23], "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None
    when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp() * 1000.0


class EventWatch:
    """`virsh event --loop --timestamp --event KIND` in the background."""

    def __init__(self, uri, kind, log_path):
        self.lines = []
        self.lock = threading.Lock()
        self.log = open(log_path, "w")
        argv = [VIRSH, "-c", uri, "event", "--loop", "--timestamp",
                "--event", kind]
        if os.path.exists("/usr/bin/stdbuf"):
            argv = ["/usr/bin/stdbuf", "-oL"] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        for line in self.proc.stdout:
            self.log.write(line)
            with self.lock:
                self.lines.append((time.time() * 1000.0, line.rstrip("\n")))

    def find(self, name, text):
        """Epoch ms of the first event line for domain NAME containing
        TEXT (virsh's timestamp, else the time it was read)."""
        with self.lock:
            for seen, line in self.lines:
                if "'%s'" % name in line and text in line:
                    return parse_event_time(line) or seen
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.thread.join(timeout=5)
        self.log.close()


# --- one run -------------------------------------------------------------

class Hosts:
    """The connection URIs of the source and destination daemons, and
    whether virsh migrates peer-to-peer (--p2p: one call on the source,
    whose daemon drives the destination)."""

    def __init__(self, src, dst, p2p=False):
        self.src = src
        self.dst = dst
        self.p2p = p2p


def write_xml(path, name, accel, memory_mib, image, serial):
    tmpl = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "guest.xml")
    with open(tmpl) as fp:
        text = fp.read()
    virttype = "kvm" if accel == "kvm" else "qemu"
    for key, val in (("@NAME@", name), ("@VIRTTYPE@", virttype),
                     ("@MEMORY@", str(memory_mib)), ("@IMAGE@", image),
                     ("@SERIAL@", serial)):
        text = text.replace(key, val)
    with open(path, "w") as fp:
        fp.write(text)


def migrate_argv(scn, name, hosts):
    argv = [VIRSH, "-c", hosts.src, "migrate", "--live", "--verbose",
            "--unsafe", "--bandwidth", str(scn.bandwidth_mib)]
    if hosts.p2p:
        argv.append("--p2p")
    if scn.mode == "postcopy":
        argv.append("--postcopy")
        if scn.postcopy_after == "pass":
            argv.append("--postcopy-after-precopy")
        if scn.postcopy_bandwidth_mib:
            argv += ["--postcopy-bandwidth", str(scn.postcopy_bandwidth_mib)]
    return argv + [name, hosts.dst]


def parse_jobinfo(text, res):
    """Fills RES from `domjobinfo --completed [--rawstats]` output."""
    found = False
    for line in text.splitlines():
        key, sep, val = line.partition(":")
        if not sep:
            continue
        key, val = key.strip(), val.strip()
        if key in RAW_FIELDS:
            try:
                res[RAW_FIELDS[key]] = int(val.split()[0])
                found = True
            except (ValueError, IndexError):
                pass
        elif key in HUMAN_FIELDS and res.get(HUMAN_FIELDS[key]) is None:
            try:
                res[HUMAN_FIELDS[key]] = int(val.split()[0])
                found = True
            except (ValueError, IndexError):
                pass
    return found


def run_migrate_command(scn, name, hosts, watches, serial, work, marks,
                        notes):
    """Runs virsh migrate; aborts the job if it does not converge in
    time.  Follows the serial log meanwhile (the destination may
    truncate it).  Returns (outcome, virsh wall ms, t0)."""
    out_path = os.path.join(work, "migrate.out")
    err_path = os.path.join(work, "migrate.err")
    t0 = time.time() * 1000.0
    with open(out_path, "w") as outfp, open(err_path, "w") as errfp:
        proc = subprocess.Popen(migrate_argv(scn, name, hosts),
                                stdin=subprocess.DEVNULL, stdout=outfp,
                                stderr=errfp)
        deadline = time.time() + scn.timeout_s
        aborted = False
        switched_now = scn.mode != "postcopy" or scn.postcopy_after == "pass"
        while proc.poll() is None:
            time.sleep(0.05)
            serial.poll()
            if not switched_now:
                res = virsh(hosts.src, "migrate-postcopy", name, timeout=30)
                switched_now = res.returncode == 0
                if switched_now:
                    marks["switch"] = time.time() * 1000.0
            in_postcopy = watches["src"].find(name, "Post-copy") is not None
            if time.time() > deadline and not aborted and not in_postcopy:
                virsh(hosts.src, "domjobabort", name, timeout=60)
                aborted = True
            if time.time() > deadline + 2 * scn.timeout_s:
                proc.kill()
        proc.wait()
    wall = time.time() * 1000.0 - t0
    with open(err_path, errors="replace") as errfp:
        stderr = errfp.read()
    # --verbose progress ("\rMigration: [ 41 %]") is left out
    text = re.sub(r"Migration: \[\s*\d+ %\]", "\n", stderr)
    msgs = [ln.strip() for ln in re.split(r"[\r\n]", text) if ln.strip()]
    if msgs:
        notes.append("virsh migrate: " + " / ".join(msgs))
    if aborted:
        return "not-converged-%ds" % scn.timeout_s, wall, t0
    if proc.returncode != 0:
        return "error", wall, t0
    return "completed", wall, t0


def collect(res, scn, name, hosts, watches, t0, marks, notes):
    job = virsh(hosts.src, "domjobinfo", "--completed", "--rawstats", name)
    notes.append("domjobinfo --completed --rawstats: " + ", ".join(
        ln.strip() for ln in job.stdout.splitlines() if ln.strip()))
    if job.returncode != 0 or not parse_jobinfo(job.stdout, res):
        job = virsh(hosts.src, "domjobinfo", "--completed", name)
        if not parse_jobinfo(job.stdout, res):
            notes.append("domjobinfo --completed: " + (job.stdout.strip()
                                                       or virsh_error(job)))
    running = watches["dst"].find(name, "Resumed")
    if running is not None:
        res["wall_ms"] = running - t0
    if scn.mode == "postcopy":
        switched = watches["src"].find(name, "Suspended Post-copy")
        res["pc_switched"] = "yes" if switched else "no"
        start = watches["iter"].find(name, "'2'")
        if scn.postcopy_after == "immediate":
            start = marks.get("switch")
        done = watches["src"].find(name, "Stopped Migrated")
        if start is not None and done is not None:
            res["switch_to_complete_ms"] = done - start


# --- where the time goes ---------------------------------------------------

LOG_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\+0000: ")
PHASE_LINE = re.compile(r"Setting '[^']*' phase to '([a-z0-9_]+)' for domain (\S+)$")
JOB_END_LINE = re.compile(r"domain (\S+): ending async job ")
# result field -> (host, mark where it starts, host, mark where it ends)
PHASE_FIELDS = [
    ("begin_ms", ("src", "begin3"), ("dst", "prepare")),
    ("prepare_ms", ("dst", "prepare"), ("src", "perform3")),
    ("perform_ms", ("src", "perform3"), ("src", "perform3_done")),
    ("to_finish_ms", ("src", "perform3_done"), ("dst", "finish3")),
    ("finish_ms", ("dst", "finish3"), ("dst", "end")),
    ("to_confirm_ms", ("dst", "end"), ("src", "confirm3")),
    ("confirm_ms", ("src", "confirm3"), ("src", "end")),
]
EXTRA_FIELDS += [field for field, _, _ in PHASE_FIELDS]


def log_marks(path, name):
    """Epoch ms of the first time each job phase of domain NAME was set
    in the daemon log PATH, and of the end of its last job ("end")."""
    marks = {}
    try:
        with open(path, errors="replace") as fp:
            lines = fp.readlines()
    except OSError:
        return marks
    for line in lines:
        line = line.rstrip("\n")
        stamp = LOG_STAMP.match(line)
        if not stamp:
            continue
        when = datetime.datetime.strptime(stamp.group(1),
                                          "%Y-%m-%d %H:%M:%S.%f")
        when = when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000.0
        phase = PHASE_LINE.search(line)
        if phase and phase.group(2) == name:
            marks.setdefault(phase.group(1), when)
            continue
        end = JOB_END_LINE.search(line)
        if end and end.group(1) == name and marks:
            marks["end"] = when
    return marks


def phase_breakdown(res, name, daemons):
    """Fills the *_ms phase fields of RES from the two daemons' logs:
    Begin (until the destination's Prepare), Prepare (its QEMU started
    and listening, until Perform), Perform (the data), the client's way
    to Finish, Finish, the way back to Confirm and Confirm.  The gaps
    are the client's (client-managed) or the source daemon's (P2P)
    round trips."""
    marks = {"src": log_marks(daemons[0].log_path, name),
             "dst": log_marks(daemons[1].log_path, name)}
    for field, (h0, m0), (h1, m1) in PHASE_FIELDS:
        start, end = marks[h0].get(m0), marks[h1].get(m1)
        if start is not None and end is not None:
            res[field] = round(end - start)


def peek_and_check(build, uri, name, image, params, dump):
    """Suspends the guest at the destination, reads its range with
    virDomainMemoryPeek (python3-libvirt, 64 KiB per call, the RPC
    limit) and runs virtmig-memcheck.  Returns (ok, verdict) or None
    when the API is not available."""
    try:
        import libvirt
    except ImportError:
        return None
    size = params["pages"] * 4096
    chunk = 64 * 1024
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName(name)
        dom.suspend()
        with open(dump, "wb") as fp:
            for off in range(0, size, chunk):
                fp.write(dom.memoryPeek(params["base"] + off,
                                        min(chunk, size - off),
                                        libvirt.VIR_MEMORY_PHYSICAL))
    except libvirt.libvirtError as err:
        if err.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
            return None
        return False, "memory peek: " + str(err)
    finally:
        conn.close()
    ok, verdict = memcheck(build, image, dump)
    os.unlink(dump)
    return ok, verdict


def verify(build, res, name, hosts, serial, image, params, notes):
    """The guest's passes go on (consecutively) at the destination and
    its memory is consistent.

    The destination truncates the serial file when it starts (Prepare,
    like libvirt), so the file then holds what the source printed after
    Prepare followed by what the destination printed: the hand-over is
    checked on the file as it is now, read afresh."""
    last = serial.last()
    later = serial.wait_pass(last, time.time() + 30
                             + 2 * pass_seconds(params))
    if later is None:
        res["check"] = "no-pass-on-dst"
        return
    now = SerialLog(serial.path)
    nums = now.poll() or [later]
    gaps = [(a, b) for a, b in zip(nums, nums[1:]) if b != a + 1]
    notes.append("serial: passes %s..%s%s" % (nums[0], nums[-1],
                                              ", gaps %s" % gaps if gaps
                                              else ", consecutive"))
    checked = peek_and_check(build, hosts.dst, name, image, params,
                             os.path.join(os.path.dirname(image),
                                          "dst.dump"))
    if checked is None:
        notes.append("memcheck: skipped (no virDomainMemoryPeek)")
        res["check"] = "serial-gap" if gaps else "serial-ok"
        return
    notes.append("memcheck: " + checked[1])
    if not checked[0]:
        res["check"] = "FAIL"
    else:
        res["check"] = "serial-gap" if gaps else "ok"


def run_virsh(build, accel, scn, daemons, seq, keep, quiet, p2p):
    hosts = Hosts(daemons[0].uri, daemons[1].uri, p2p)
    res = new_result(scn, accel)
    res["p2p"] = "yes" if p2p else "no"
    notes = []
    work = WorkDir("virtmig-bench-run-", keep)
    name = "virtmig-bench-%d" % seq
    watches = {}
    log("virsh: " + scn.describe(), quiet)
    try:
        image = os.path.join(work.path, "guest.img")
        serial_path = os.path.join(work.path, "serial.log")
        params = make_image(build, image, scn.size_mib, scn.rate_mib)
        xml = os.path.join(work.path, "guest.xml")
        write_xml(xml, name, accel, params["memory-mib"], image, serial_path)
        virsh(hosts.src, "define", xml, check=True)
        t = time.time()
        virsh(hosts.src, "start", name, check=True, timeout=120)
        res["virsh_start_ms"] = (time.time() - t) * 1000.0
        serial = SerialLog(serial_path)
        if serial.wait_pass(None, time.time()
                            + boot_deadline(accel, params)) is None:
            raise BenchError("no pass on the guest's serial port")
        watches["src"] = EventWatch(hosts.src, "lifecycle",
                                    os.path.join(work.path, "src-ev.log"))
        watches["iter"] = EventWatch(hosts.src, "migration-iteration",
                                     os.path.join(work.path, "iter-ev.log"))
        watches["dst"] = EventWatch(hosts.dst, "lifecycle",
                                    os.path.join(work.path, "dst-ev.log"))
        time.sleep(0.5)  # let the watchers register
        marks = {}
        outcome, wall, t0 = run_migrate_command(scn, name, hosts, watches,
                                                serial, work.path, marks,
                                                notes)
        res["result"] = outcome
        res["virsh_ms"] = wall
        if outcome == "completed":
            collect(res, scn, name, hosts, watches, t0, marks, notes)
            phase_breakdown(res, name, daemons)
            verify(build, res, name, hosts, serial, image, params, notes)
        elif outcome.startswith("not-converged"):
            last = serial.last()
            later = serial.wait_pass(last, time.time() + 30
                                     + 2 * pass_seconds(params))
            res["check"] = "src-runs" if later is not None else "src-stuck"
    except (BenchError, subprocess.TimeoutExpired) as err:
        res["result"] = "error"
        notes.append("error: " + str(err))
    finally:
        for watch in watches.values():
            watch.stop()
        for daemon in daemons:
            virsh(daemon.uri, "destroy", name, timeout=60)
            virsh(daemon.uri, "undefine", name, timeout=60)
        kill_leftover_qemus(work.path)
        work.cleanup()
    for note in notes:
        log("  " + note, quiet)
    return res


# --- floor -------------------------------------------------------------

def floor_key(res):
    return (res["mode"], str(res["range_mib"]), str(res["dirty_mibs"]),
            str(res["bw_mibs"]))


def read_floor(path):
    floors = {}
    with open(path) as fp:
        for line in fp:
            if not line.startswith("mode="):
                continue
            res = dict(tok.partition("=")[::2] for tok in line.split())
            for key, val in res.items():
                if val == "-":
                    res[key] = None
                elif val.isdigit():
                    res[key] = int(val)
            floors.setdefault(floor_key(res), res)
    return floors


def ratio(num, den):
    if not isinstance(num, (int, float)) or not isinstance(den, (int, float)):
        return None
    if den <= 0:
        return None
    return "%.2f" % (num / den)


def add_ratios(res, floor):
    if floor is None or res.get("result") != "completed" \
            or floor.get("result") != "completed":
        return
    res["x_virsh"] = ratio(res.get("virsh_ms"), floor.get("wall_ms"))
    res["x_running"] = ratio(res.get("wall_ms"), floor.get("wall_ms"))
    res["x_downtime"] = ratio(res.get("downtime_ms"),
                              floor.get("downtime_ms"))


def line_with_extra(res):
    return result_line(res) + " " + " ".join(
        "%s=%s" % (key, fmt(res.get(key))) for key in EXTRA_FIELDS)


def main():
    parser = argparse.ArgumentParser(
        description="live migration through virtmigd and the stock virsh")
    add_common_args(parser)
    parser.add_argument("--floor", metavar="FILE",
                        help="QMP floor figures (qmp-migrate.py output) "
                        "instead of running the floor here")
    parser.add_argument("--no-floor", action="store_true",
                        help="no QMP floor runs, no ratios")
    parser.add_argument("--p2p", action="store_true",
                        help="virsh migrate --p2p (the source daemon drives "
                        "the destination)")
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port of both daemons (default: a free "
                        "port each; 16509 is libvirt's)")
    args = parser.parse_args()
    if args.preempt:
        log("virsh 9.0 cannot ask for postcopy-preempt "
            "(VIR_MIGRATE_POSTCOPY_PREEMPT is libvirt 10.0): ignored",
            args.quiet)
        args.preempt = False
    daemons = []
    work = None

    def on_signal(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    status = 0
    try:
        build = find_build(args.build)
        accel = pick_accel(args.accel)
        floors = read_floor(args.floor) if args.floor else {}
        work = WorkDir("virtmig-bench-virsh-", args.keep)
        log("accel %s, build %s, daemons under %s"
            % (accel, build, work.path), args.quiet)
        for root, addr in (("src", SRC_ADDR), ("dst", DST_ADDR)):
            port = args.port or free_port(addr)
            daemon = Daemon(build, os.path.join(work.path, root), addr, port)
            daemons.append(daemon)
            daemon.start()
        results = []
        seq = 0
        for scn in scenarios_from_args(args):
            for _ in range(args.repeat):
                seq += 1
                res = run_virsh(build, accel, scn, daemons, seq, args.keep,
                                args.quiet, args.p2p)
                floor = floors.get(floor_key(res))
                if (floor is None and not args.no_floor and not args.floor
                        and res["result"] != "error"):
                    floor = run_qmp(build, accel, scn, False, True)
                    log("  floor: " + result_line(floor), args.quiet)
                add_ratios(res, floor)
                print(line_with_extra(res), flush=True)
                results.append(res)
        if not args.quiet and len(results) > 1:
            print()
            print_table(results, [("virsh_ms", "virsh"),
                                  ("x_virsh", "x_virsh"),
                                  ("x_running", "x_run"),
                                  ("begin_ms", "begin"),
                                  ("prepare_ms", "prep"),
                                  ("perform_ms", "perf"),
                                  ("to_finish_ms", ">fin"),
                                  ("finish_ms", "fin"),
                                  ("to_confirm_ms", ">conf"),
                                  ("confirm_ms", "conf")])
        if not all(run_ok(res) for res in results):
            status = 1
    except BenchError as err:
        print("virsh-migrate: " + str(err), file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        status = 130
    finally:
        for daemon in reversed(daemons):
            daemon.stop()
        if work is not None:
            kill_leftover_qemus(work.path)
            work.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
