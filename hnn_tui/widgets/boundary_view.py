"""The 2-D decision boundary: the plane shaded by the sign of the score, the data points on top.

In colour, each half of a character cell is one grid sample's region colour. With colour off (NO_COLOR, where
Textual turns every colour into a grey or drops it) the regions are told apart by characters instead: the
positive side (score > 0) is dotted, the negative side is blank, and the boundary is drawn as a line.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.types import NoActiveAppError
from textual.widget import Widget

# Region colours that stay apart when a terminal downgrades them: blue and red, not two greys.
POS_BG, NEG_BG = "#1c3f94", "#962a1f"  # 256 colours: 24 and 88; 16 colours: blue (4) and red (1)
POINT_STYLES = {1: ("●", "bold #b8e0ff"), -1: ("▲", "bold #ffd2a8")}
GUTTER = 7  # columns for the y tick labels
AXIS_STYLE = Style.parse("dim")

# With colour off: a light pattern on the positive side (2 bytes a cell), nothing on the negative side, and the
# boundary as a line whose glyph follows its direction.
PATTERN = "·"
PATTERN_STYLE = Style.parse("dim")
LINE_STYLE = Style.parse("bold")
LINE_GLYPHS = "│╲─╱"  # the boundary where the positive side lies right, upper right, above, upper left of it
PLAIN_POINT_STYLE = Style.parse("bold")


def legend(no_color: bool) -> str:
    """The boundary's border title: what the glyphs, and the colours or the pattern, mean."""
    if no_color:
        return f"boundary: ● +1 ▲ -1 · dotted ({PATTERN}): score > 0"
    return "boundary: ● +1 ▲ -1 · blue: score > 0"


def line_cells(positive) -> dict[tuple[int, int], str]:
    """The cells the boundary runs through, each with a line glyph for its direction, for drawing without colour.

    `positive` is the grid of half-cell samples (2 rows per character row). A cell is on the line when its two
    halves differ, or when it is positive and a neighbouring sample (left, right, above, below) is not: so the
    line is about one cell thick and on the positive side's edge. The glyph is chosen from the direction of the
    sign's gradient around the cell (a half-cell sample is about as tall as a cell is wide, so angles hold).
    """
    P = np.asarray(positive, bool)
    n2, cols = P.shape
    rows = n2 // 2
    if rows == 0 or cols == 0:
        return {}
    top, bot = P[0::2][:rows], P[1::2][:rows]
    pad = np.pad(P[: 2 * rows], 1, mode="edge").astype(np.int8)  # edges repeat: no boundary at the frame
    mixed = top != bot
    above, below = pad[0: 2 * rows: 2, 1:-1], pad[3: 2 * rows + 2: 2, 1:-1]
    left = pad[1:-1, :-2].reshape(rows, 2, cols).min(axis=1)  # 0 if either half of the neighbour is negative
    right = pad[1:-1, 2:].reshape(rows, 2, cols).min(axis=1)
    edge = top & bot & ((above == 0) | (below == 0) | (left == 0) | (right == 0))
    # The sign's gradient over each cell's block of samples (rows 2r-1 .. 2r+2, columns c-1 .. c+1 of P).
    across = pad[:, 2:] - pad[:, :-2]  # right minus left, per sample row
    gx = (across[:-3] + across[1:-2] + across[2:-1] + across[3:])[0::2][:rows]
    wide = pad[:, :-2] + pad[:, 1:-1] + pad[:, 2:]  # three columns, per sample row
    pairs = wide[:-1] + wide[1:]
    gy = (pairs[:-2] - pairs[2:])[0::2][:rows]  # the upper two sample rows minus the lower two
    angle = np.degrees(np.arctan2(gy, gx)) % 180  # the gradient points to the positive side
    turn = ((angle + 22.5) // 45).astype(int) % 4
    cells = {}
    for r, c in zip(*np.nonzero(mixed | edge)):
        if gx[r, c] == 0 and gy[r, c] == 0:
            glyph = "─" if mixed[r, c] else "┼"  # a stripe one sample thin, or a lone positive spot
        else:
            glyph = LINE_GLYPHS[turn[r, c]]
        cells[(int(r), int(c))] = glyph
    return cells


def runs(cells) -> list[Segment]:
    """(style, character) cells as segments, one for each run of the same style (fewer escape codes to send)."""
    segs, run_style, run_text = [], None, []
    for style, ch in cells:
        if style is not run_style and run_text:
            segs.append(Segment("".join(run_text), run_style))
            run_text = []
        run_style = style
        run_text.append(ch)
    if run_text:
        segs.append(Segment("".join(run_text), run_style))
    return segs


def extent(points, pad: float = 0.15) -> tuple[float, float, float, float]:
    """The data's bounding box, padded on every side (never empty)."""
    P = np.asarray(points, float).reshape(-1, 2)
    lo, hi = P.min(axis=0), P.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


class BoundaryView(Widget):
    """Each character cell is two grid samples (upper and lower half block), so the grid fills it exactly."""

    DEFAULT_CSS = "BoundaryView { width: 1fr; height: 1fr; }"

    def __init__(self, score, points, labels, **kwargs):
        """`score(values, X, Y)`: the lesson's pure scoring function over numpy arrays."""
        super().__init__(**kwargs)
        self.score, self.points, self.labels = score, list(points), list(labels)
        self.box = extent(self.points)
        self.values: dict | None = None
        self._lines: list[Strip] = []
        self._key = None
        self._positive = None  # the sign grid on screen
        self._next = None  # ((width, height), signs) scored by show() for the next build
        self.grid_shape = (0, 0)  # (rows of samples, columns) of the last grid drawn

    def show(self, values, max_rows: int | None = None) -> None:
        """Draw the regions for `values`. With `max_rows` (a slow link), repaint at most that many changed rows now,
        taking them in turn from the top: the picture reaches the newest state over a few frames, each small."""
        self.values = dict(values)
        w, h = self.size
        self._next = None  # a grid scored for an earlier call, not drawn yet, is out of date now
        if self._key == (w, h, self.colour_off) and w > GUTTER and h >= 2:
            signs = self._signs(w, h)
            if np.array_equal(signs, self._positive):
                return  # the same regions as on screen: nothing to redraw, nothing to send to the terminal
            if max_rows is not None:
                signs = self._some_rows(signs, max_rows)
            regions = self._changed(signs)
            self._next = (w, h), signs  # computed once: _build takes it instead of scoring the grid again
            self._key = None
            self.refresh(*regions)  # only the cells whose region changed go to the terminal
            return
        self._key = None
        self.refresh()

    _next_row = 0  # where the next partial repaint starts

    def _some_rows(self, signs, max_rows: int):
        """The grid on screen with at most `max_rows` of its changed character rows brought up to `signs`."""
        rows = signs.shape[0] // 2
        changed = np.nonzero((signs != self._positive)[: 2 * rows].reshape(rows, -1).any(axis=1))[0]
        if len(changed) <= max_rows:
            return signs
        start = self._next_row
        picked = sorted(changed, key=lambda r: (r < start, r))[:max_rows]
        mixed = self._positive.copy()
        for r in picked:
            mixed[2 * r: 2 * r + 2] = signs[2 * r: 2 * r + 2]
        self._next_row = int(picked[-1]) + 1
        return mixed

    def _changed(self, signs) -> list[Region]:
        """Per character row, the span of cells whose half-cell signs differ from those on screen (widened by a
        cell each way without colour, where the line's glyph depends on its neighbours)."""
        diff = signs != self._positive
        cells = diff[0::2] | diff[1::2]
        if self.colour_off:
            grown = cells.copy()
            grown[1:] |= cells[:-1]
            grown[:-1] |= cells[1:]
            grown[:, 1:] |= grown[:, :-1].copy()
            grown[:, :-1] |= grown[:, 1:].copy()
            cells = grown
        regions = []
        for r in np.nonzero(cells.any(axis=1))[0]:
            cs = np.nonzero(cells[r])[0]
            regions.append(Region(GUTTER + int(cs[0]), int(r), int(cs[-1] - cs[0]) + 1, 1))
        return regions

    @property
    def colour_off(self) -> bool:
        """NO_COLOR is set: Textual (App.__init__) takes it from the environment into `app.no_color` and then
        filters every colour on screen into a grey (or drops it), so the regions must be drawn with characters."""
        try:
            return bool(self.app.no_color)
        except NoActiveAppError:  # not in an app (yet): the colour drawing
            return False

    def _signs(self, width: int, height: int):
        """score > 0 on the grid of half-cells (2 per character cell, top row first)."""
        cols, rows = max(1, width - GUTTER), max(1, height - 1)
        x0, x1, y0, y1 = self.box
        xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
        ys = y1 - (np.arange(2 * rows) + 0.5) * (y1 - y0) / (2 * rows)  # top row first
        X, Y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            return self.score(self.values, X, Y) > 0  # NaN scores count as negative

    def _build(self, width: int, height: int) -> list[Strip]:
        cols, rows = max(1, width - GUTTER), max(1, height - 1)
        x0, x1, y0, y1 = self.box
        ready, self._next = self._next, None
        positive = self._positive = ready[1] if ready and ready[0] == (width, height) else self._signs(width, height)
        self.grid_shape = positive.shape
        glyphs = {}
        for (px, py), lab in zip(self.points, self.labels):
            c = int((px - x0) / (x1 - x0) * cols)
            r2 = int((y1 - py) / (y1 - y0) * 2 * rows)
            if 0 <= c < cols and 0 <= r2 < 2 * rows:
                glyphs[(r2 // 2, c)] = (lab, bool(positive[r2, c]))
        if self.colour_off:
            return self._build_plain(positive, glyphs, cols, rows, width)
        bg = {True: POS_BG, False: NEG_BG}
        half = {(t, b): Style.parse(f"{bg[t]} on {bg[b]}") for t in (True, False) for b in (True, False)}
        dot = {(lab, p): Style.parse(f"{POINT_STYLES[lab][1]} on {bg[p]}") for lab in (1, -1) for p in (True, False)}
        lines = []
        for r in range(rows):
            top, bot = positive[2 * r], positive[2 * r + 1]
            row = []
            for c in range(cols):
                if (r, c) in glyphs:
                    lab, p = glyphs[(r, c)]
                    row.append((dot[(lab, p)], POINT_STYLES[lab][0]))
                elif top[c] == bot[c]:
                    row.append((half[(bool(top[c]), bool(bot[c]))], " "))  # a whole cell: 1 byte, not ▀'s 3
                else:
                    row.append((half[(bool(top[c]), bool(bot[c]))], "▀"))
            lines.append(Strip([self._tick(r, rows), *runs(row)], width))
        lines.append(self._x_axis(cols, width))
        return lines

    def _build_plain(self, positive, glyphs, cols: int, rows: int, width: int) -> list[Strip]:
        """Without colour: the positive side dotted, the negative side blank, the boundary a line, points on top."""
        line = line_cells(positive)
        base = self.rich_style  # the widget's own colours (the app's greys under NO_COLOR), the same in every cell
        point, edge, pattern = base + PLAIN_POINT_STYLE, base + LINE_STYLE, base + PATTERN_STYLE
        axis = base + AXIS_STYLE
        lines = []
        for r in range(rows):
            top, bot = positive[2 * r], positive[2 * r + 1]
            row = []
            for c in range(cols):
                if (r, c) in glyphs:
                    row.append((point, POINT_STYLES[glyphs[(r, c)][0]][0]))
                elif (r, c) in line:
                    row.append((edge, line[(r, c)]))
                elif top[c] and bot[c]:
                    row.append((pattern, PATTERN))
                else:
                    row.append((base, " "))
            lines.append(Strip([self._tick(r, rows, axis), *runs(row)], width))
        lines.append(self._x_axis(cols, width, axis))
        return lines

    def _tick(self, r: int, rows: int, style: Style = AXIS_STYLE) -> Segment:
        """Row r's part of the y axis: a tick label on the top, middle and bottom rows."""
        _, _, y0, y1 = self.box
        label = ""
        if r in (0, rows // 2, rows - 1):
            label = f"{y1 - (r + 0.5) * (y1 - y0) / rows:.2g}"
        return Segment(label.rjust(GUTTER - 1)[: GUTTER - 1] + "┤", style)

    def _x_axis(self, cols: int, width: int, style: Style = AXIS_STYLE) -> Strip:
        x0, x1, _, _ = self.box
        axis = [" "] * cols
        for frac in (0.0, 0.5, 1.0):
            t = f"{x0 + frac * (x1 - x0):.2g}"
            at = min(max(0, int(frac * (cols - 1)) - len(t) // 2), max(0, cols - len(t)))
            axis[at: at + len(t)] = t
        return Strip([Segment(" " * (GUTTER - 1) + "└", style), Segment("".join(axis)[:cols], style)], width)

    def render_line(self, y: int) -> Strip:
        w, h = self.size
        if self.values is None or w <= GUTTER or h < 2:  # never a segment without a style: NO_COLOR's filter
            return Strip.blank(w, self.rich_style)  # (textual.filter.Monochrome) reads every segment's style
        key = (w, h, self.colour_off)
        if self._key != key:
            self._lines, self._key = self._build(w, h), key
        return self._lines[y] if y < len(self._lines) else Strip.blank(w, self.rich_style)
