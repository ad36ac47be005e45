#!/usr/bin/python3
"""Migration through virtmigd: the stock virsh between two daemons.

Starts two virtmigd daemons with private roots under /tmp, listening on
127.0.0.2 (source) and 127.0.0.3 (destination) on a free port each (or
--port), and for each scenario defines and starts the test guest on the
source, waits for its first serial `pass`, runs

    virsh -c qemu+tcp://127.0.0.2:PORT/system migrate --live --verbose
          --unsafe --bandwidth BW [--postcopy --postcopy-after-precopy]
          GUEST qemu+tcp://127.0.0.3:PORT/system

and prints the same figures as qmp-migrate.py (from `virsh domjobinfo
--completed --rawstats` on the source and virsh's event stream), plus
the wall time of `virsh migrate` and the ratios to the QMP floor (the
same scenario run by qmp-migrate.py's driver, or read from --floor FILE).
It checks that the guest's serial passes go on at the destination and,
with python3-libvirt, that its memory is consistent (virDomainMemoryPeek
and virtmig-memcheck).  Every daemon, virsh and QEMU started here is
stopped at the end.  See bench/README.md.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from virshbench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
