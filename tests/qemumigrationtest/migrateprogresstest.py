#!/usr/bin/python3
"""virtmig-migrate's progress line as a person sees it: the command runs
on a terminal (a detached tmux session of 80x24) between two virtmigd
daemons, migrating the built-in guest dirtying faster than the
bandwidth cap; the pane is captured every 50 ms while it runs.

Asserts that the line is redrawn in place (at most one progress line in
any capture, a handful of event lines rather than a scroll, several
different states captured), that it shows phase and pass, %,
transferred/total, rate, dirty rate and ETA or "not converging", then
post-copy with its page requests, that it fits in 80 columns, and the
final result line.  The captures are kept in
BUILD/tests/migrateprogresstest/progress-NNN.txt, the last screen with
a progress line drawn as progress.png (docs/migration.md shows them).  Skipped (77) without tmux.  Run by meson (suite e2e) with
the command's path as argument.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migrationlib import Guest, Pair, wait_for  # noqa: E402

TOOL = None
ADDRS = ("127.0.0.30", "127.0.0.31")
WIDTH, HEIGHT = 80, 24
BANDWIDTH = "10"        # MiB/s: the bulk pass of ~80 MiB lasts ~8 s
SIZE = r"[\d.]+ (?:B|KiB|MiB|GiB|TiB)"
# precopy pass 2  45%  28.9 MiB/64.1 MiB  20.0 MiB/s  dirty 1.2 GiB/s  not converging
PROGRESS = re.compile(
    r"^(?P<phase>precopy pass (?P<pass>\d+)|post-copy|completing) +"
    r"(?P<pct>\d+)% +(?P<done>[\d.]+(?: \S+)?)/(?P<total>{0}) +(?P<rate>{0}/s) +"
    r"dirty (?P<dirty>{0}/s) +"
    r"(?P<tail>ETA [\d.]+ (?:s|min)|not converging|requests \d+)$".format(SIZE))
EXIT = re.compile(r"^\[exit (\d+)\]$", re.M)


class Tmux:
    """A private tmux server (its own socket) with one session."""

    def __init__(self, workdir):
        self.sock = os.path.join(workdir, "tmux.sock")

    def cmd(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True, check=check, timeout=10)

    def start(self, shell_cmd):
        # the shell stays (sleep) so that the last screen can be captured
        self.cmd("new-session", "-d", "-s", "mig", "-x", str(WIDTH), "-y", str(HEIGHT),
                 "sh -c %s" % shlex.quote(shell_cmd + '; echo "[exit $?]"; exec sleep 600'))

    def capture(self, join=False):
        args = ["capture-pane", "-p", "-t", "mig"]
        if join:
            args.append("-J")       # wrapped lines joined: shows overflow
        return self.cmd(*args).stdout

    def kill(self):
        self.cmd("kill-server", check=False)


class MigrateProgressTest(unittest.TestCase):
    def setUp(self):
        self.pair = Pair(addrs=ADDRS)
        self.tmux = Tmux(self.pair.workdir)
        self.artifacts = os.path.join(os.environ.get("VIRTMIG_BUILD_DIR", "build"),
                                      "tests", "migrateprogresstest")
        os.makedirs(self.artifacts, exist_ok=True)
        for old in glob.glob(os.path.join(self.artifacts, "progress*")):
            os.unlink(old)

    def tearDown(self):
        self.tmux.kill()
        self.pair.close()

    def run_in_tmux(self, g):
        argv = [TOOL, "-c", self.pair.src.uri, "--unsafe", "--bandwidth", BANDWIDTH,
                "--postcopy", "auto", g.name, self.pair.dst.uri]
        self.tmux.start("env LC_ALL=C TERM=screen " + " ".join(map(shlex.quote, argv)))
        captures = []           # (plain, joined), distinct, in order
        end = time.monotonic() + 120
        while time.monotonic() < end:
            plain = self.tmux.capture()
            joined = self.tmux.capture(join=True)
            if not captures or captures[-1][0] != plain:
                captures.append((plain, joined))
            if EXIT.search(plain):
                break
            time.sleep(0.05)
        for i, (plain, _) in enumerate(captures):
            with open(os.path.join(self.artifacts, "progress-%03d.txt" % i), "w") as f:
                f.write(plain)
        return captures

    def screenshot(self, captures):
        """progress.png: the last screen with a progress line, drawn
        (termshot.py; needs python3-cairo)."""
        try:
            import termshot
        except ImportError:
            return
        with_line = [plain for plain, _ in captures
                     if any(PROGRESS.match(line.rstrip()) for line in plain.splitlines())]
        if with_line:
            termshot.render(with_line[-1].splitlines(),
                            os.path.join(self.artifacts, "progress.png"), WIDTH, HEIGHT,
                            "virtmig-migrate in tmux (%dx%d)" % (WIDTH, HEIGHT))

    def test_progress_line(self):
        g = Guest(self.pair.workdir, "pt", size_mib=64, rate_mib=0)
        self.pair.src.out("define", g.xml)
        self.pair.src.out("start", g.name)
        g.wait_pass_after(0)
        captures = self.run_in_tmux(g)
        self.screenshot(captures)
        last = captures[-1][0]
        m = EXIT.search(last)
        self.assertIsNotNone(m, "the command did not end:\n" + last)
        self.assertEqual(m.group(1), "0", last)

        seen = []               # every progress line captured
        for plain, joined in captures:
            lines = [line.rstrip() for line in plain.splitlines()]
            progress = [line for line in lines if PROGRESS.match(line)]
            # redrawn in place: never two progress lines on the screen
            self.assertLessEqual(len(progress), 1, plain)
            seen += progress
            # no progress line wrapped: wider than the pane it would be
            # two screen lines the redraw cannot erase
            for line in joined.splitlines():
                if re.match(r"^(precopy|post-copy|completing)\b", line):
                    self.assertLess(len(line.rstrip()), WIDTH, line)
                    self.assertTrue(PROGRESS.match(line.rstrip()), line)
        self.assertGreaterEqual(len(set(seen)), 4, "the line was redrawn:\n%s" % seen)

        fields = [PROGRESS.match(line) for line in seen]
        precopy = [f for f in fields if f.group("pass")]
        postcopy = [f for f in fields if f.group("phase") == "post-copy"]
        self.assertTrue(precopy, seen)
        self.assertTrue(postcopy, "the policy switched and the line showed it: %s" % seen)
        self.assertTrue(any(f.group("tail").startswith(("ETA", "not converging"))
                            for f in precopy), seen)
        self.assertTrue(all(f.group("tail").startswith("requests") for f in postcopy), seen)
        self.assertTrue(all(0 <= int(f.group("pct")) <= 100 for f in fields), seen)
        self.assertEqual(len({f.group("total") for f in fields}), 1, seen)
        passes = [int(f.group("pass")) for f in precopy]
        self.assertEqual(passes, sorted(passes), seen)
        # the bulk pass: its estimate falls as it goes
        self.assertTrue(any(f.group("tail").startswith("ETA") for f in precopy), seen)

        # the final screen: a few event lines and the result, no scroll
        final = [line for line in last.splitlines() if line.strip()]
        self.assertLess(len(final), 12, last)
        # an event line too long for the pane goes on indented lines
        for i in range(len(final) - 1, 0, -1):
            if final[i].startswith(" " * 10) and final[i - 1].startswith(" "):
                final[i - 1] += " " + final.pop(i).strip()
        self.assertIn("Migration completed in post-copy", last)
        self.assertTrue(any("decision:" in line and "post-copy" in line for line in final),
                        last)
        self.assertTrue(any(re.search(r"completed: %s sent" % SIZE, line) for line in final),
                        last)
        self.assertEqual(self.pair.dst.out("domstate", g.name), "running")


if __name__ == "__main__":
    TOOL = sys.argv.pop(1)
    if not shutil.which("tmux"):
        print("SKIP: tmux is not installed")
        sys.exit(77)
    unittest.main(verbosity=2)
