#!/usr/bin/python3
"""guest-boot-test.py: boots the test guest in QEMU and checks its memory and disk.

For each scenario: start qemu-system-x86_64 on a copy of the image,
wait (with a deadline) until the serial log reports some passes, dump
the range with QMP pmemsave while the guest runs and while it is
stopped, and run virtmig-memcheck on the dumps and on damaged copies
of them.  The disk scenario has the guest also rewrite a region of its
disk and runs virtmig-diskcheck on the image (QEMU stopped, then gone)
and on damaged copies.  QEMU is always killed and the scratch
directory removed.

Standard library only; QMP is JSON lines over a unix socket.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PAGE = 4096
SECTOR = 512
SKIP = 77

# the disk scenario: 32 KiB rewritten at 32 KiB/s, i.e. a round per
# second (a sector costs ~5 ms of vCPU time under this host's nested
# KVM, port I/O exits, so the disk writer takes a third of the vCPU;
# well under 1 ms with TCG)
DISK_SECTORS = 64
DISK_RATE = 64


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


class QMP:
    """Minimal QMP client: greeting, qmp_capabilities, commands."""

    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise TestFailure("QMP socket %s never came up" % path)
                time.sleep(0.05)
        self.sock.settimeout(max(deadline - time.monotonic(), 1))
        self.buf = b""
        greeting = self._read()
        check("QMP" in greeting, "no QMP greeting: %r" % greeting)
        self.command("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise TestFailure("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise TestFailure("QMP %s failed: %s" % (name, reply["error"]))
            return reply["return"]

    def close(self):
        self.sock.close()


class Guest:
    """One QEMU process running the test guest."""

    def __init__(self, opts, workdir, image, memory_mib):
        self.workdir = workdir
        self.serial = os.path.join(workdir, "serial.log")
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.log = os.path.join(workdir, "qemu.log")
        self.cmdline = [
            opts.qemu, "-name", "virtmig-guest-test",
            "-machine", "pc,accel=%s" % opts.accel_used,
            "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot", "-m", str(memory_mib),
            "-drive", "file=%s,format=raw,if=ide" % image,
            "-serial", "file:%s" % self.serial,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
        ]
        self.proc = None
        self.qmp = None
        self.deadline_s = opts.deadline

    def __enter__(self):
        print("# " + " ".join(self.cmdline))
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        try:
            self.qmp = QMP(self.qmp_path, time.monotonic() + self.deadline_s)
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        if self.qmp:
            try:
                self.qmp.command("quit")
            except (TestFailure, OSError):
                pass
            self.qmp.close()
        if self.proc:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if exc[0] is not None and os.path.exists(self.log):
            with open(self.log) as log:
                sys.stdout.write("# qemu log:\n" + log.read())
        return False

    def serial_lines(self):
        try:
            with open(self.serial, "rb") as f:
                data = f.read().decode("ascii", "replace")
        except FileNotFoundError:
            return []
        # only complete lines
        return [l.rstrip("\r") for l in data.split("\n")[:-1]]

    def numbered(self, regex):
        out = []
        for line in self.serial_lines():
            m = re.fullmatch(regex, line)
            if m:
                out.append(int(m.group(1)))
        return out

    def passes(self):
        return self.numbered(r"pass (\d+)")

    def rounds(self):
        """The disk writer's "disk round N" lines."""
        return self.numbered(r"disk round (\d+)")

    def wait_passes(self, count, after=None):
        """Waits until @count more passes than @after were reported;
        returns [(pass, time seen)]."""
        return self.wait_lines(self.passes, "passes", count, after)

    def wait_rounds(self, count, after=None):
        """The same for disk rounds."""
        return self.wait_lines(self.rounds, "disk rounds", count, after)

    def wait_lines(self, numbers, what, count, after):
        deadline = time.monotonic() + self.deadline_s
        seen = []
        base = len(after) if after is not None else 0
        while True:
            check(self.proc.poll() is None,
                  "QEMU exited with status %s" % self.proc.returncode)
            errors = [l for l in self.serial_lines()
                      if l.startswith("virtmig-guest: ")]
            check(not errors, "guest reported: %s" % errors)
            now = time.monotonic()
            for p in numbers()[base + len(seen):]:
                seen.append((p, now))
            if len(seen) >= count:
                return seen
            if now > deadline:
                raise TestFailure("only %d of %d %s within %d s; serial: %r"
                                  % (len(seen), count, what, self.deadline_s,
                                     self.serial_lines()[-3:]))
            time.sleep(0.05)

    def dump(self, params, name):
        path = os.path.join(self.workdir, name)
        self.qmp.command("pmemsave", val=params["base"],
                         size=params["pages"] * PAGE, filename=path)
        check(os.path.getsize(path) == params["pages"] * PAGE,
              "pmemsave wrote %d bytes" % os.path.getsize(path))
        return path


def memcheck(opts, image, dump, *extra):
    cmd = [opts.memcheck, "--image", image, "--verbose"] + list(extra) + [dump]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    summary = res.stdout.splitlines()[0] if res.stdout else ""
    print("# memcheck %s %s: rc %d: %s" % (" ".join(extra),
                                             os.path.basename(dump),
                                             res.returncode, summary))
    check(res.returncode in (0, 1),
          "memcheck error %d: %s" % (res.returncode, res.stderr))
    return res.returncode, summary


def expect_ok(opts, image, dump, *extra):
    rc, summary = memcheck(opts, image, dump, *extra)
    check(rc == 0, "consistent dump rejected: %s" % summary)
    return summary


def expect_bad_page(opts, image, dump, page, what):
    rc, summary = memcheck(opts, image, dump)
    check(rc == 1, "damaged dump (%s) accepted: %s" % (what, summary))
    check(summary.startswith("FAIL: page %d " % page),
          "damage (%s) at page %d reported as: %s" % (what, page, summary))
    check(what in summary, "expected '%s' in: %s" % (what, summary))


def summary_passes(summary):
    m = re.search(r"passes (\d+)\.\.(\d+)", summary)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"pass (\d+) throughout", summary)
    check(m, "no pass range in summary: %s" % summary)
    return int(m.group(1)), int(m.group(1))


def damaged_copy(src, dst, page, data):
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.seek(page * PAGE)
        f.write(data)
    return dst


def read_page(path, page):
    with open(path, "rb") as f:
        f.seek(page * PAGE)
        return f.read(PAGE)


def image_params(opts, image):
    out = subprocess.run([opts.image_tool, "--input", image, "--show"],
                         stdout=subprocess.PIPE, check=True,
                         universal_newlines=True).stdout
    return {k.replace("-", "_"): int(v) for k, v in
            (kv.split("=") for kv in out.split())}


def check_rate(params, seen):
    """The throttle must hold: passes may not come faster than the rate
    allows (calibrated TSC); slower is fine on a busy host."""
    if params["rate"] == 0 or len(seen) < 3:
        return
    elapsed = seen[-1][1] - seen[0][1]
    minimum = (len(seen) - 1) * params["pages"] / params["rate"]
    print("# %d passes in %.2f s, throttle allows no less than %.2f s"
          % (len(seen) - 1, elapsed, minimum))
    check(elapsed > 0.6 * minimum,
          "guest wrote faster than its rate: %.2f s < %.2f s"
          % (elapsed, minimum))


def scenario_default(opts, workdir):
    """The meson-built image: dumps while running and paused, damage."""
    image = os.path.join(workdir, "guest.img")
    shutil.copyfile(opts.image, image)
    params = image_params(opts, image)
    check(params["flags"] == 1, "default image does not fill pages")

    with Guest(opts, workdir, image, params["memory_mib"]) as g:
        seen = g.wait_passes(3)
        check_rate(params, seen)

        running = g.dump(params, "running.dump")
        expect_ok(opts, image, running, "--running")

        g.qmp.command("stop")
        first = g.dump(params, "paused1.dump")
        summary = expect_ok(opts, image, first)
        low, high = summary_passes(summary)
        last = g.passes()[-1]
        check(last <= high <= last + 1,
              "dump at pass %d..%d, serial at pass %d" % (low, high, last))

        g.qmp.command("cont")
        g.wait_passes(2, after=g.passes())
        g.qmp.command("stop")
        second = g.dump(params, "paused2.dump")
        expect_ok(opts, image, second)
        g.qmp.command("cont")
        g.wait_passes(1, after=g.passes())

    mid = params["pages"] // 2
    expect_bad_page(opts, image,
                    damaged_copy(second, os.path.join(workdir, "zero.dump"),
                                 mid, bytes(PAGE)),
                    mid, "all zero")
    expect_bad_page(opts, image,
                    damaged_copy(second, os.path.join(workdir, "stale.dump"),
                                 mid + 1, read_page(first, mid + 1)),
                    mid + 1, "holds pass")
    expect_bad_page(opts, image,
                    damaged_copy(second, os.path.join(workdir, "moved.dump"),
                                 mid + 2, read_page(second, mid + 3)),
                    mid + 2, "holds the data of page %d" % (mid + 3))
    page = bytearray(read_page(second, mid + 4))
    page[2000] ^= 0x40
    expect_bad_page(opts, image,
                    damaged_copy(second, os.path.join(workdir, "bit.dump"),
                                 mid + 4, bytes(page)),
                    mid + 4, "damaged page")


def scenario_custom(opts, workdir):
    """A patched image: other base and size, header-only pages, pass
    numbers that wrap around 2^32 while the test watches."""
    image = os.path.join(workdir, "custom.img")
    subprocess.run([opts.image_tool, "--input", opts.image, "-o", image,
                    "--base", "0x400000", "--size-mib", "8", "--rate", "8192",
                    "--first-pass", "4294967294", "--no-fill"], check=True)
    params = image_params(opts, image)
    check(params == {"base": 0x400000, "pages": 2048, "rate": 8192,
                     "first_pass": 4294967294, "flags": 0, "memory_mib": 12},
          "patched parameters: %r" % params)

    with Guest(opts, workdir, image, params["memory_mib"]) as g:
        seen = g.wait_passes(4)
        check([p for p, _ in seen] == [4294967294, 4294967295, 0, 1],
              "passes %r do not wrap around" % seen)
        banner = [l for l in g.serial_lines() if l.startswith("virtmig-guest")]
        check(banner and banner[0].startswith(
                  "virtmig-guest base 4194304 pages 2048 rate 8192 tsc-khz "),
              "banner: %r" % banner)
        g.qmp.command("stop")
        dump = g.dump(params, "custom.dump")
        expect_ok(opts, image, dump)


def diskcheck(opts, image, *extra):
    cmd = [opts.diskcheck, "--image", image, "--verbose"] + list(extra)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    summary = res.stdout.splitlines()[0] if res.stdout else ""
    print("# diskcheck %s %s: rc %d: %s" % (os.path.basename(image),
                                              " ".join(extra), res.returncode,
                                              summary))
    check(res.returncode in (0, 1),
          "diskcheck error %d: %s" % (res.returncode, res.stderr))
    return res.returncode, summary


def expect_disk_ok(opts, image, *extra):
    rc, summary = diskcheck(opts, image, *extra)
    check(rc == 0, "consistent disk region rejected: %s" % summary)
    return summary


def expect_bad_sector(opts, image, sector, what, *extra):
    rc, summary = diskcheck(opts, image, *extra)
    check(rc == 1, "damaged disk region (%s) accepted: %s" % (what, summary))
    if sector is not None:
        check(summary.startswith("FAIL: sector %d " % sector),
              "damage (%s) at sector %d reported as: %s"
              % (what, sector, summary))
    check(what in summary, "expected '%s' in: %s" % (what, summary))


def disk_state(summary):
    """(P, position) from an "ok:" line of virtmig-diskcheck."""
    m = re.search(r"passes (\d+)\.\.(\d+), position at sector (\d+)$",
                  summary)
    if m:
        return int(m.group(2)), int(m.group(3))
    m = re.search(r"pass (\d+) throughout$", summary)
    if m:
        return int(m.group(1)), None
    m = re.search(r"pass (\d+) up to sector (\d+), the rest never written$",
                  summary)
    check(m, "no disk state in summary: %s" % summary)
    return int(m.group(1)), int(m.group(2))


def damaged_sector_copy(src, dst, params, sector, data=None, truncate=None):
    """A copy of image @src with region sector @sector replaced by
    @data (or the image cut to @truncate bytes)."""
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        if truncate is not None:
            f.truncate(truncate)
        else:
            f.seek((params["disk_lba"] + sector) * SECTOR)
            f.write(data)
    return dst


def read_sector(path, params, sector):
    with open(path, "rb") as f:
        f.seek((params["disk_lba"] + sector) * SECTOR)
        return f.read(SECTOR)


def scenario_disk(opts, workdir):
    """Disk writing on: the guest rewrites DISK_SECTORS sectors of its
    disk at DISK_RATE sectors/s besides its memory; the image checks
    out while QEMU is stopped and after it quit, damaged copies do
    not."""
    image = os.path.join(workdir, "disk.img")
    subprocess.run([opts.image_tool, "--input", opts.image, "-o", image,
                    "--disk-sectors", str(DISK_SECTORS),
                    "--disk-rate", str(DISK_RATE)], check=True)
    params = image_params(opts, image)
    check(params["disk_lba"] == 2048 and
          params["disk_sectors"] == DISK_SECTORS and
          params["disk_rate"] == DISK_RATE and
          params["image_size"] == (2048 + DISK_SECTORS) * SECTOR,
          "disk parameters: %r" % params)
    check(os.path.getsize(image) == params["image_size"],
          "image of %d bytes" % os.path.getsize(image))
    rc, summary = diskcheck(opts, image)
    check(rc == 1 and "no sector written" in summary,
          "fresh region: %s" % summary)

    with Guest(opts, workdir, image, params["memory_mib"]) as g:
        seen = g.wait_rounds(2)
        banner = [l for l in g.serial_lines() if l.startswith("virtmig-guest")]
        check(len(banner) >= 2 and banner[1].startswith(
                  "virtmig-guest disk lba 2048 sectors %d rate %d capacity %d"
                  % (DISK_SECTORS, DISK_RATE, 2048 + DISK_SECTORS)),
              "banner: %r" % banner)
        check([p for p, _ in seen] == [1, 2], "disk rounds %r" % seen)
        # and the memory writer keeps going alongside
        g.wait_passes(1)
        seen += g.wait_rounds(1, after=g.rounds())
        elapsed = seen[-1][1] - seen[0][1]
        minimum = (len(seen) - 1) * DISK_SECTORS / DISK_RATE
        print("# %d disk rounds in %.2f s, throttle allows no less than %.2f s"
              % (len(seen) - 1, elapsed, minimum))
        check(elapsed > 0.6 * minimum,
              "guest wrote its disk faster than its rate: %.2f s < %.2f s"
              % (elapsed, minimum))

        # stop drains the disk's requests: the image is final until cont
        g.qmp.command("stop")
        last = g.rounds()[-1]
        summary = expect_disk_ok(opts, image, "--min-pass", str(last))
        high, position = disk_state(summary)
        check(last <= high <= last + 1,
              "disk at pass %d (position %s), serial at round %d"
              % (high, position, last))
        dump = g.dump(params, "disk-scenario.dump")
        expect_ok(opts, image, dump)
        stopped = os.path.join(workdir, "stopped.img")
        shutil.copyfile(image, stopped)

        # two more rounds: every sector is newer than in the copy
        g.qmp.command("cont")
        g.wait_rounds(2, after=g.rounds())
        last = g.rounds()[-1]
    # quit: QEMU flushes and closes the image
    summary = expect_disk_ok(opts, image, "--min-pass", str(last))
    check(last <= disk_state(summary)[0] <= last + 1,
          "disk after quit: %s, serial at round %d" % (summary, last))

    mid = DISK_SECTORS // 2
    sector = bytearray(read_sector(image, params, mid))
    sector[300] ^= 0x04
    expect_bad_sector(opts, damaged_sector_copy(
                          image, os.path.join(workdir, "bit.img"), params,
                          mid, bytes(sector)),
                      mid, "damaged sector")
    expect_bad_sector(opts, damaged_sector_copy(
                          image, os.path.join(workdir, "zero.img"), params,
                          mid + 1, bytes(SECTOR)),
                      mid + 1, "all zero")
    expect_bad_sector(opts, damaged_sector_copy(
                          image, os.path.join(workdir, "moved.img"), params,
                          mid + 2, read_sector(image, params, mid + 3)),
                      mid + 2, "holds the data of sector %d" % (mid + 3))
    # a sector of the image taken one round earlier: a lost write
    expect_bad_sector(opts, damaged_sector_copy(
                          image, os.path.join(workdir, "stale.img"), params,
                          mid + 4, read_sector(stopped, params, mid + 4)),
                      mid + 4, "holds pass")
    expect_bad_sector(opts, damaged_sector_copy(
                          image, os.path.join(workdir, "short.img"), params,
                          0, truncate=params["image_size"] - SECTOR),
                      None, "truncated")
    expect_bad_sector(opts, image, None, "lost writes",
                      "--min-pass", str(last + 2))


def pick_accel(opts):
    kvm_ok = os.access("/dev/kvm", os.R_OK | os.W_OK)
    if opts.accel == "auto":
        opts.accel_used = "kvm" if kvm_ok else "tcg"
    elif opts.accel == "kvm" and not kvm_ok:
        print("# /dev/kvm is not usable")
        sys.exit(SKIP)
    else:
        opts.accel_used = opts.accel
    if opts.deadline is None:
        opts.deadline = 60 if opts.accel_used == "kvm" else 180


def on_signal(signum, frame):
    """meson's timeout sends SIGTERM: unwind so QEMU gets killed."""
    raise SystemExit("killed by signal %d" % signum)


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="auto")
    ap.add_argument("--deadline", type=int,
                    help="seconds per wait (default 60 with KVM, 180 TCG)")
    ap.add_argument("--image", required=True)
    ap.add_argument("--image-tool", required=True)
    ap.add_argument("--memcheck", required=True)
    ap.add_argument("--diskcheck", required=True)
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch directory")
    opts = ap.parse_args()
    pick_accel(opts)

    failed = 0
    scenarios = [scenario_default, scenario_custom, scenario_disk]
    for n, scenario in enumerate(scenarios, 1):
        workdir = tempfile.mkdtemp(prefix="virtmig-guest-")
        start = time.monotonic()
        try:
            scenario(opts, workdir)
            print("ok %d - %s (%s, %.1f s)" % (n, scenario.__name__,
                                               opts.accel_used,
                                               time.monotonic() - start))
        except TestFailure as e:
            failed += 1
            print("not ok %d - %s: %s" % (n, scenario.__name__, e))
        finally:
            if opts.keep:
                print("# kept %s" % workdir)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    print("1..%d" % len(scenarios))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
