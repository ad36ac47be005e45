#!/usr/bin/python3
"""po/POTFILES.in lists every C source with translatable messages
(_() or N_()) under src/ and tools/, and nothing that does not exist:
a file missing there has its messages left out of po/virtmig.pot
(`ninja -C build virtmig-pot`), hence never translated.
"""
import os
import re
import sys
import unittest

SRC = os.environ.get("VIRTMIG_SOURCE_DIR",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MARK = re.compile(r"\bN?_\(\s*\"")


class PotfilesTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(SRC, "po", "POTFILES.in")) as f:
            self.listed = [line.strip() for line in f
                           if line.strip() and not line.startswith("#")]

    def sources_with_messages(self):
        found = []
        for top in ("src", "tools"):
            for dirpath, _, files in os.walk(os.path.join(SRC, top)):
                for name in files:
                    if not name.endswith(".c"):
                        continue
                    path = os.path.join(dirpath, name)
                    with open(path, errors="replace") as f:
                        if MARK.search(f.read()):
                            found.append(os.path.relpath(path, SRC))
        return sorted(found)

    def test_every_source_listed(self):
        found = self.sources_with_messages()
        self.assertIn("tools/virtmig-migrate/virtmig_migrate.c", found)
        self.assertEqual([f for f in found if f not in self.listed], [])

    def test_listed_files_exist(self):
        self.assertEqual([f for f in self.listed
                          if not os.path.isfile(os.path.join(SRC, f))], [])


if __name__ == "__main__":
    unittest.main(argv=sys.argv, verbosity=2)
