#!/usr/bin/python3
"""A terminal screen captured as text (tmux capture-pane -p) drawn as a
PNG, as a terminal shows it: a monospace font on a dark background, one
cell per character, the whole pane (COLUMNS x ROWS) with a frame.

    termshot.py CAPTURE.txt OUT.png [COLUMNS ROWS [TITLE]]

Needs pycairo (python3-cairo); used by migrateprogresstest.py for its
artifact and for docs/virtmig-migrate-progress.png.
"""
import sys

import cairo

FONT = "DejaVu Sans Mono"
SIZE = 14                       # px
BG = (0.11, 0.12, 0.14)
FG = (0.85, 0.87, 0.85)
HL = (0.55, 0.85, 0.55)         # the progress line (the cursor's line)
BAR = (0.25, 0.27, 0.30)
PAD = 12


def render(lines, path, columns=80, rows=24, title=None):
    probe = cairo.Context(cairo.ImageSurface(cairo.FORMAT_RGB24, 1, 1))
    probe.select_font_face(FONT)
    probe.set_font_size(SIZE)
    ext = probe.font_extents()         # ascent, descent, height, max_x_adv, ...
    cw = probe.text_extents("M").x_advance
    ch = ext[2]
    bar = ch + 8 if title else 0
    width = int(2 * PAD + columns * cw)
    height = int(2 * PAD + rows * ch + bar)
    surf = cairo.ImageSurface(cairo.FORMAT_RGB24, width, height)
    cr = cairo.Context(surf)
    cr.set_source_rgb(*BG)
    cr.paint()
    cr.select_font_face(FONT)
    cr.set_font_size(SIZE)
    if title:
        cr.set_source_rgb(*BAR)
        cr.rectangle(0, 0, width, bar)
        cr.fill()
        cr.set_source_rgb(*FG)
        cr.move_to(PAD, (bar + ext[0] - ext[1]) / 2)
        cr.show_text(title)
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, line in enumerate(lines[:rows]):
        cr.set_source_rgb(*(HL if i == last and not line.startswith(" ") else FG))
        for j, c in enumerate(line[:columns]):
            if c != " ":
                cr.move_to(PAD + j * cw, bar + PAD + i * ch + ext[0])
                cr.show_text(c)
    surf.write_to_png(path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        lines = f.read().splitlines()
    columns = int(sys.argv[3]) if len(sys.argv) > 3 else 80
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 24
    title = sys.argv[5] if len(sys.argv) > 5 else None
    render(lines, sys.argv[2], columns, rows, title)


if __name__ == "__main__":
    main()
