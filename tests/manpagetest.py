#!/usr/bin/python3
"""The man pages (docs/manpages/*.rst) against the code, so that they
cannot drift from it:

- every long option `virtmigd --help` and `virtmig-migrate --help`
  print is documented in the OPTIONS section of the page, and the page
  documents no option the command does not have;
- virtmig-migrate's exit codes (its --help) are the page's EXIT STATUS;
- every key of the daemon's configuration table (`virtmigd
  --dump-config-keys`) is a term of virtmigd.conf(5)'s KEYS section
  with its default, and the page has no key the daemon does not know;
- the pages built by rst2man render without a warning (groff -ww, and
  `man --warnings -l` at 80 columns) and no rendered line is wider.

Usage: manpagetest.py --rst-dir DIR --virtmigd PATH
       [--migrate PATH] [--page FILE.N]...
"""
import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import unittest

ARGS = None
ENV = dict(os.environ, LC_ALL="C", LANG="C")


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, env=ENV,
                          timeout=30, **kwargs)


@functools.lru_cache(maxsize=None)
def help_long_options(prog):
    """The long options of @prog --help: the first column of its option
    lines ("  -c, --connect=URI   ...")."""
    res = run([prog, "--help"])
    assert res.returncode == 0, res.stderr
    opts = set()
    for line in res.stdout.splitlines():
        m = re.match(r"\s+(?:-\w, )?--([a-z][a-z0-9-]*)", line)
        if m:
            opts.add(m.group(1))
    assert opts, "no option in %s --help" % prog
    return opts, res.stdout


def rst_section(text, title):
    """The body of the top-level section @title (underlined with '=')."""
    m = re.search(r"^%s\n=+\n(.*?)(?=^[A-Z][A-Z ]+\n=+\n|\Z)" % re.escape(title),
                  text, re.S | re.M)
    assert m, "no section %s" % title
    return m.group(1)


def rst_option_terms(text):
    """The long options the OPTIONS section documents: its terms
    ``-x``, ``--name`` *ARG* / ``--name``."""
    opts = set()
    for line in rst_section(text, "OPTIONS").splitlines():
        if line.startswith("``"):
            opts.update(re.findall(r"``--([a-z][a-z0-9-]*)``", line))
    return opts


def read(name):
    with open(os.path.join(ARGS.rst_dir, name)) as f:
        return f.read()


class OptionsTest(unittest.TestCase):
    def check_options(self, prog, page):
        opts, _ = help_long_options(prog)
        documented = rst_option_terms(read(page))
        self.assertEqual(sorted(opts - documented), [],
                         "options of %s --help missing in %s" % (prog, page))
        self.assertEqual(sorted(documented - opts), [],
                         "options in %s that %s does not have" % (page, prog))

    def test_virtmigd_options(self):
        self.check_options(ARGS.virtmigd, "virtmigd.rst")

    def test_migrate_options(self):
        if not ARGS.migrate:
            self.skipTest("virtmig-migrate is not built")
        self.check_options(ARGS.migrate, "virtmig-migrate.rst")

    def test_migrate_exit_codes(self):
        if not ARGS.migrate:
            self.skipTest("virtmig-migrate is not built")
        _, text = help_long_options(ARGS.migrate)
        status = text.split("Exit status:", 1)
        self.assertEqual(len(status), 2, "no exit status in --help")
        codes = set(re.findall(r"^\s+(\d+)\s+\S", status[1], re.M))
        section = rst_section(read("virtmig-migrate.rst"), "EXIT STATUS")
        documented = set(re.findall(r"^(\d+)\n   \S", section, re.M))
        self.assertTrue(codes)
        self.assertEqual(codes, documented)


class ConfigKeysTest(unittest.TestCase):
    def test_every_key_documented_with_default(self):
        res = run([ARGS.virtmigd, "--dump-config-keys"])
        self.assertEqual(res.returncode, 0, res.stderr)
        keys = res.stdout.split()
        self.assertGreater(len(keys), 10)
        self.assertEqual(len(keys), len(set(keys)), "a key twice in the table")
        section = rst_section(read("virtmigd.conf.rst"), "KEYS")
        # a term, then its indented definition up to the next term/title
        terms = dict(re.findall(r"^``([a-z0-9_]+)``\n((?:   .*\n|\n)+)", section, re.M))
        self.assertEqual(sorted(set(keys) - set(terms)), [],
                         "keys missing in virtmigd.conf(5)")
        self.assertEqual(sorted(set(terms) - set(keys)), [],
                         "keys in virtmigd.conf(5) the daemon does not know")
        for key, body in terms.items():
            self.assertIn("default", body, "%s: no default documented" % key)


class RenderTest(unittest.TestCase):
    def setUp(self):
        if not ARGS.page:
            self.skipTest("the man pages are not built (no rst2man)")

    def run_all(self, argv, env=ENV):
        """argv + [page] for every page, at once; (page, rc, out, err)."""
        procs = [(page, subprocess.Popen(argv + [page], stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, env=env))
                 for page in ARGS.page]
        return [(page,) + (p.wait(timeout=30),) + p.communicate() for page, p in procs]

    def test_groff_no_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("no groff")
        for page, rc, _, err in self.run_all(["groff", "-man", "-ww", "-z"]):
            self.assertEqual((rc, err), (0, ""), page)

    def test_man_no_warnings_80_columns(self):
        if not shutil.which("man"):
            self.skipTest("no man")
        env = dict(ENV, MANWIDTH="80", MAN_KEEP_FORMATTING="0")
        for page, rc, out, err in self.run_all(["man", "--warnings", "-l"], env):
            self.assertEqual((rc, err), (0, ""), page)
            out = re.sub(r".\x08", "", out)     # overstrikes
            name = os.path.basename(page).rsplit(".", 1)[0]
            self.assertIn(name.upper(), out.splitlines()[0], page)
            for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"):
                self.assertIn("\n" + sec + "\n", out, page)
            wide = [line for line in out.splitlines() if len(line) > 80]
            self.assertEqual(wide, [], page)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--rst-dir", required=True)
    p.add_argument("--virtmigd", required=True)
    p.add_argument("--migrate")
    p.add_argument("--page", action="append", default=[])
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
