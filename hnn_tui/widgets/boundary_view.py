"""The 2-D decision boundary: the plane shaded by the sign of the score, the data points on top."""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

# Region colours that stay apart when a terminal downgrades them: blue and red, not two greys.
POS_BG, NEG_BG = "#1c3f94", "#962a1f"  # 256 colours: 24 and 88; 16 colours: blue (4) and red (1)
POINT_STYLES = {1: ("●", "bold #b8e0ff"), -1: ("▲", "bold #ffd2a8")}
GUTTER = 7  # columns for the y tick labels
AXIS_STYLE = Style.parse("dim")


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

    def show(self, values) -> None:
        self.values = dict(values)
        w, h = self.size
        self._next = None  # a grid scored for an earlier call, not drawn yet, is out of date now
        if self._key == (w, h) and w > GUTTER and h >= 2:
            signs = self._signs(w, h)
            if np.array_equal(signs, self._positive):
                return  # the same regions as on screen: nothing to redraw, nothing to send to the terminal
            self._next = (w, h), signs  # computed once: _build takes it instead of scoring the grid again
        self._key = None
        self.refresh()

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
        bg = {True: POS_BG, False: NEG_BG}
        half = {(t, b): Style.parse(f"{bg[t]} on {bg[b]}") for t in (True, False) for b in (True, False)}
        dot = {(lab, p): Style.parse(f"{POINT_STYLES[lab][1]} on {bg[p]}") for lab in (1, -1) for p in (True, False)}
        lines = []
        for r in range(rows):
            label = ""
            if r in (0, rows // 2, rows - 1):
                label = f"{y1 - (r + 0.5) * (y1 - y0) / rows:.2g}"
            segs = [Segment(label.rjust(GUTTER - 1)[: GUTTER - 1] + "┤", AXIS_STYLE)]
            top, bot = positive[2 * r], positive[2 * r + 1]
            run_style, run_text = None, []
            for c in range(cols):
                if (r, c) in glyphs:
                    lab, p = glyphs[(r, c)]
                    style, ch = dot[(lab, p)], POINT_STYLES[lab][0]
                elif top[c] == bot[c]:
                    style, ch = half[(bool(top[c]), bool(bot[c]))], " "  # a whole cell: 1 byte, not ▀'s 3
                else:
                    style, ch = half[(bool(top[c]), bool(bot[c]))], "▀"
                if style is not run_style and run_text:
                    segs.append(Segment("".join(run_text), run_style))
                    run_text = []
                run_style = style
                run_text.append(ch)
            segs.append(Segment("".join(run_text), run_style))
            lines.append(Strip(segs, width))
        axis = [" "] * cols
        for frac in (0.0, 0.5, 1.0):
            t = f"{x0 + frac * (x1 - x0):.2g}"
            at = min(max(0, int(frac * (cols - 1)) - len(t) // 2), max(0, cols - len(t)))
            axis[at: at + len(t)] = t
        lines.append(Strip([Segment(" " * (GUTTER - 1) + "└", AXIS_STYLE), Segment("".join(axis)[:cols], AXIS_STYLE)],
                           width))
        return lines

    def render_line(self, y: int) -> Strip:
        w, h = self.size
        if self.values is None or w <= GUTTER or h < 2:
            return Strip.blank(w)
        key = (w, h)
        if self._key != key:
            self._lines, self._key = self._build(w, h), key
        return self._lines[y] if y < len(self._lines) else Strip.blank(w)
