#!/usr/bin/env python3
#
# genprotocol.py: run rpcgen on a .x file and make its output usable in
# the build tree.
#
#   genprotocol.py RPCGEN {-h|-c} INPUT.x OUTPUT
#
# rpcgen writes '#include "<path of INPUT>.h"' into the .c file; we
# include the generated header by its base name instead (it sits next to
# the .c in the build directory), and drop the unused 'buf' variables
# rpcgen declares in every function.  Inline XDR code is disabled
# (-i 0): the generic xdr_* calls are used for every field.

import os
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) != 5 or argv[2] not in ("-h", "-c"):
        sys.stderr.write("usage: genprotocol.py RPCGEN {-h|-c} INPUT OUTPUT\n")
        return 1
    rpcgen, mode, infile, outfile = argv[1:]
    base = os.path.splitext(os.path.basename(infile))[0]

    with tempfile.TemporaryDirectory() as tmp:
        tmpout = os.path.join(tmp, base + (".h" if mode == "-h" else ".c"))
        subprocess.run([rpcgen, mode, "-i", "0", "-o", tmpout, infile],
                       check=True)
        with open(tmpout, encoding="utf-8") as f:
            lines = f.readlines()

    out = []
    for line in lines:
        stripped = line.strip()
        if stripped == "register int32_t *buf;":
            continue
        if mode == "-c" and stripped.startswith("#include") and \
           stripped.endswith(base + '.h"'):
            line = '#include "%s.h"\n' % base
        out.append(line)

    with open(outfile, "w", encoding="utf-8") as f:
        f.writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
