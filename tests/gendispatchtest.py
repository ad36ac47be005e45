#!/usr/bin/python3
"""src/rpc/gendispatch.py on the protocols of tests/gendispatchdata/.

sample.x exercises every kind of generated stub, sample-qemu.x a second
program (another prefix, @api): the output of each sample*.x must
equal its .h.out and .c.out (VIRTMIG_TEST_REGENERATE=1 rewrites
them).  Each bad-*.x must be refused with the message of its first line
("/* expect: MESSAGE */"): the generator fails the build rather than
emit a table that guesses.
"""
import glob
import os
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("abs_srcdir", os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.environ.get("VIRTMIG_SOURCE_DIR", os.path.join(SRCDIR, ".."))
GENERATOR = os.path.join(SOURCE, "src", "rpc", "gendispatch.py")
DATA = os.path.join(SRCDIR, "gendispatchdata")


def run(protocol, tmp):
    outputs = [os.path.join(tmp, "out.h"), os.path.join(tmp, "out.c")]
    proc = subprocess.run([sys.executable, GENERATOR, protocol] + outputs,
                          capture_output=True, text=True, cwd=DATA)
    return proc, outputs


def check_sample(path, tmp):
    name = os.path.basename(path)
    base = name[:-len(".x")]
    proc, outputs = run(name, tmp)
    if proc.returncode != 0:
        return "%s: %s" % (name, proc.stderr.strip())
    for out, expected in zip(outputs, [base + ".h.out", base + ".c.out"]):
        path = os.path.join(DATA, expected)
        actual = open(out).read()
        if os.environ.get("VIRTMIG_TEST_REGENERATE"):
            open(path, "w").write(actual)
        if actual != open(path).read():
            return "%s differs from the generator's output" % expected
    return None


def check_bad(path, tmp):
    expect = open(path).readline().split("expect: ", 1)[1].rsplit(" */", 1)[0]
    proc, _ = run(os.path.basename(path), tmp)
    if proc.returncode == 0:
        return "%s: accepted" % os.path.basename(path)
    if expect not in proc.stderr:
        return "%s: %s (expected %s)" % (os.path.basename(path),
                                         proc.stderr.strip(), expect)
    return None


def main():
    bad = sorted(glob.glob(os.path.join(DATA, "bad-*.x")))
    samples = sorted(glob.glob(os.path.join(DATA, "sample*.x")))
    with tempfile.TemporaryDirectory() as tmp:
        errors = ([check_sample(p, tmp) for p in samples] +
                  [check_bad(p, tmp) for p in bad])
    errors = [e for e in errors if e]
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print("ok: %d samples and %d refused protocols" % (len(samples), len(bad)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
