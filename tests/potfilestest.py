#!/usr/bin/python3
"""po/POTFILES.in lists every C source with translatable messages
(_() or N_()) under src/ and tools/, and nothing that does not exist:
a file missing there has its messages left out of po/virtmig.pot
(`ninja -C build virtmig-pot`), hence never translated.  And no
message is cut by a GLib format macro xgettext cannot expand
(_("pass %" G_GUINT64_FORMAT) gives the msgid "pass %", which no
translation can match; PRIu64 is what xgettext understands).
"""
import os
import re
import sys
import unittest

SRC = os.environ.get("VIRTMIG_SOURCE_DIR",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MARK = re.compile(r"\bN?_\(\s*\"")
GLIB_FORMAT_IN_MSG = re.compile(r"\bN?_\(\s*\"(?:[^\"\\]|\\.)*\"\s*G_G[A-Z0-9_]*_FORMAT")


class PotfilesTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(SRC, "po", "POTFILES.in")) as f:
            self.listed = [line.strip() for line in f
                           if line.strip() and not line.startswith("#")]

    def sources(self):
        for top in ("src", "tools"):
            for dirpath, _, files in os.walk(os.path.join(SRC, top)):
                for name in files:
                    if name.endswith(".c"):
                        path = os.path.join(dirpath, name)
                        with open(path, errors="replace") as f:
                            yield os.path.relpath(path, SRC), f.read()

    def sources_with_messages(self):
        return sorted(path for path, text in self.sources() if MARK.search(text))

    def test_every_source_listed(self):
        found = self.sources_with_messages()
        self.assertIn("tools/virtmig-migrate/virtmig_migrate.c", found)
        self.assertEqual([f for f in found if f not in self.listed], [])

    def test_no_glib_format_macro_in_messages(self):
        bad = ["%s: %s" % (path, m.group(0)) for path, text in self.sources()
               for m in GLIB_FORMAT_IN_MSG.finditer(text)]
        self.assertEqual(bad, [])

    def test_listed_files_exist(self):
        self.assertEqual([f for f in self.listed
                          if not os.path.isfile(os.path.join(SRC, f))], [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv, verbosity=2)
