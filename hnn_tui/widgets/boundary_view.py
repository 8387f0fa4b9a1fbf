"""The 2-D decision boundary: the plane shaded by the score's band, its 0 and ±1 lines, neuron lines, the points.

The picture itself (bands, lines, marks, styles, legend) is computed with numpy in `boundary_paint`; this widget keeps
what is on screen as two arrays of cells (glyph, style id), and on each `show()` sends only the cells that changed.
Each cell is two samples of the score (its upper and lower half): where they differ in band, a line runs through the
cell, with a glyph for its direction. With colour off (NO_COLOR, where Textual turns every colour into a grey or drops
it) the bands are patterns of characters instead and the lines keep their glyphs: nothing is told by colour alone.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.types import NoActiveAppError
from textual.widget import Widget

from .boundary_paint import (  # noqa: F401  (some re-exported: tests and the panel import them from here)
    NEG_BG,
    POINT_STYLES,
    POS_BG,
    bands,
    legend,
    legend_sub,
    line_cells,
    paint,
    style_table,
)

GUTTER = 7  # columns for the y tick labels
AXIS_STYLE = Style.parse("dim")
# Changed cells further apart than this in a row go to the terminal as two regions, not one span. A region costs a
# cursor move and a fresh run of styles (~100 bytes measured), a skipped-over band cell 1 byte: at full speed the
# three lines' spans merged cut the svm's output at 200x60 from ~320 to ~190 KB/s (benchmarks/regions.py).
GAP = 40


def extent(points, pad: float = 0.15) -> tuple[float, float, float, float]:
    """The data's bounding box, padded on every side (never empty)."""
    P = np.asarray(points, float).reshape(-1, 2)
    lo, hi = P.min(axis=0), P.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def spans(changed) -> list[tuple[int, int, int]]:
    """(row, first column, width) of each run of changed cells, runs closer than GAP merged."""
    out = []
    rows, cols = np.nonzero(changed)  # row by row, columns ascending
    if len(rows) == 0:
        return out
    new = np.ones(len(rows), bool)  # where a span starts: a new row, or a gap wider than GAP
    new[1:] = (rows[1:] != rows[:-1]) | (cols[1:] - cols[:-1] > GAP)
    starts = np.nonzero(new)[0]
    ends = np.r_[starts[1:], len(rows)] - 1
    return [(r, a, b - a + 1) for r, a, b in zip(rows[starts].tolist(), cols[starts].tolist(), cols[ends].tolist())]


def drawn(r2: np.ndarray, c: np.ndarray, rows2: int, cols: int, also=()) -> list[int]:
    """The indices of the points (half-cell rows `r2`, columns `c`) whose marks show: in view, the last of each
    character cell (later points are drawn over earlier ones), and the last of each cell among those in `also`
    (the batch: their brackets show, the same for any batch point of a cell); ascending, so drawing them in order
    gives the same picture as drawing every point. 100,000 points in a few thousand cells make a few thousand marks."""
    inside = (c >= 0) & (c < cols) & (r2 >= 0) & (r2 < rows2)
    chosen = [last_of_each_cell(np.nonzero(inside)[0], r2, c, cols)]
    if len(also):
        batch = np.zeros(len(c), bool)
        batch[np.fromiter(also, int, len(also))] = True
        chosen.append(last_of_each_cell(np.nonzero(inside & batch)[0], r2, c, cols))
    return sorted(set(np.concatenate(chosen).tolist()))


def last_of_each_cell(at: np.ndarray, r2: np.ndarray, c: np.ndarray, cols: int) -> np.ndarray:
    """Of the points `at` (ascending indices), the last one in each character cell."""
    _, from_end = np.unique(((r2[at] // 2) * cols + c[at])[::-1], return_index=True)
    return at[len(at) - 1 - from_end]


class BoundaryView(Widget):
    """Each character cell is two grid samples (upper and lower half), so the grid fills the plot exactly."""

    DEFAULT_CSS = "BoundaryView { width: 1fr; height: 1fr; }"

    def __init__(self, score, points, labels, val_points=(), val_labels=(), box=None, **kwargs):
        """`score(values, X, Y)`: the lesson's pure scoring function over numpy arrays; `val_points`/`val_labels`
        the held-out points (drawn ◇ ▽); `box` (x0, x1, y0, y1) the view, else the data's extent."""
        super().__init__(**kwargs)
        self.score, self.points, self.labels = score, list(points), list(labels)
        self.box = box or extent(self.points + list(val_points))
        self._xy = np.asarray(self.points, float).reshape(-1, 2)
        self._lab = np.asarray(self.labels, int)
        self._vxy = np.asarray(val_points, float).reshape(-1, 2)
        self._vlab = np.asarray(val_labels, int)
        self.cursor_at: tuple[float, float] | None = None  # the cursor's data coordinates, or None: no cursor
        self.values: dict | None = None
        self.batch: tuple[int, ...] = ()
        self.neuron_lines: tuple = ()
        self.show_neurons = False
        self._key = None  # (width, height, colour off) of the cells on screen; None: paint everything anew
        self._glyphs = self._sids = self._band = None  # the cells on screen (or due at the next render)
        self._strips: list[Strip | None] = []  # per row; None: to build from the cells
        self._table, self._canon = [], None
        self._grid = None  # ((width, height), X, Y, point cells) for the size on screen
        self._next_row = 0  # where the next partial repaint starts
        self.grid_shape = (0, 0)  # (rows of samples, columns) of the last grid drawn

    def show(self, values, max_rows: int | None = None, *, batch=(), neuron_lines=(), show_neurons=False) -> None:
        """Draw the picture for `values`: `batch` the indexes of the points the last step used (bracketed),
        `neuron_lines` (name, a, b, c) for each line a*x + b*y + c = 0, drawn when `show_neurons`.

        With `max_rows` (a slow link), repaint at most that many changed rows now, taking them in turn from the top:
        the picture reaches the newest state over a few frames, each small."""
        self.values = dict(values)
        self.batch, self.neuron_lines, self.show_neurons = tuple(batch), tuple(neuron_lines), bool(show_neurons)
        w, h = self.size
        if self._key != (w, h, self.colour_off) or w <= GUTTER or h < 2:
            self._key = None
            self.refresh()
            return
        band, glyphs, sids = self._picture(w, h)
        changed = (glyphs != self._glyphs) | (sids != self._sids)
        rows = np.nonzero(changed.any(axis=1))[0]
        if len(rows) == 0:
            self._band = band  # the same cells as on screen: nothing to send to the terminal
            return
        if max_rows is not None and len(rows) > max_rows:
            start = self._next_row
            rows = np.array(sorted(rows, key=lambda r: (r < start, r))[:max_rows])
            self._next_row = int(rows[-1]) + 1
            keep = np.zeros(len(changed), bool)
            keep[rows] = True
            changed &= keep[:, None]
        self._glyphs[rows], self._sids[rows] = glyphs[rows], sids[rows]
        half = np.r_[2 * rows, 2 * rows + 1]
        self._band[half] = band[half]
        for r in rows:
            self._strips[r] = None
        self.refresh(*(Region(GUTTER + c, r, n, 1) for r, c, n in spans(changed)))

    @property
    def colour_off(self) -> bool:
        """NO_COLOR is set: Textual (App.__init__) takes it from the environment into `app.no_color` and then
        filters every colour on screen into a grey (or drops it), so the regions must be drawn with characters."""
        try:
            return bool(self.app.no_color)
        except NoActiveAppError:  # not in an app (yet): the colour drawing
            return False

    @property
    def _positive(self):
        """score > 0 on the half-cell grid on screen."""
        return None if self._band is None else self._band >= 2

    @property
    def cells(self) -> tuple[int, int]:
        """(rows, columns) of the picture's character cells at the size on screen (at least 1 x 1)."""
        w, h = self.size
        return max(1, h - 1), max(1, w - GUTTER)

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        """The (row, column) cell the data point (x, y) is drawn in (as the points are placed), clamped to the view."""
        rows, cols = self.cells
        x0, x1, y0, y1 = self.box
        c = int(np.floor((x - x0) / (x1 - x0) * cols))
        r = int(np.floor((y1 - y) / (y1 - y0) * 2 * rows)) // 2
        return min(rows - 1, max(0, r)), min(cols - 1, max(0, c))

    def data_of(self, row: int, col: int) -> tuple[float, float]:
        """The data coordinates (x, y) of the centre of cell (row, column)."""
        rows, cols = self.cells
        x0, x1, y0, y1 = self.box
        return x0 + (col + 0.5) * (x1 - x0) / cols, y1 - (row + 0.5) * (y1 - y0) / rows

    @property
    def cursor(self) -> tuple[int, int] | None:
        """The (row, column) cell of the cursor at the size on screen, or None."""
        return None if self.cursor_at is None else self.cell_of(*self.cursor_at)

    def set_cursor(self, at: tuple[float, float] | None) -> None:
        """Put the cursor at the data point `at` (drawn in its cell, clamped to the picture), or take it away
        (None); repainted at once."""
        if at == self.cursor_at:
            return
        self.cursor_at = at
        if self.values is not None:
            self.show(self.values, batch=self.batch, neuron_lines=self.neuron_lines, show_neurons=self.show_neurons)

    def _mesh(self, width: int, height: int):
        """The half-cell centres (X, Y, top row first) and the points' (half row, column), kept per size."""
        if self._grid is None or self._grid[0] != (width, height):
            cols, rows = max(1, width - GUTTER), max(1, height - 1)
            x0, x1, y0, y1 = self.box
            xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
            ys = y1 - (np.arange(2 * rows) + 0.5) * (y1 - y0) / (2 * rows)
            X, Y = np.meshgrid(xs, ys)
            c = np.floor((self._xy[:, 0] - x0) / (x1 - x0) * cols).astype(int)
            r2 = np.floor((y1 - self._xy[:, 1]) / (y1 - y0) * 2 * rows).astype(int)
            vc = np.floor((self._vxy[:, 0] - x0) / (x1 - x0) * cols).astype(int)
            vr2 = np.floor((y1 - self._vxy[:, 1]) / (y1 - y0) * 2 * rows).astype(int)
            self._grid = ((width, height), X, Y, r2, c)
            self._held_cells = (vr2, vc)
        return self._grid[1:]

    def _signs(self, width: int, height: int):
        """score > 0 on the grid of half-cells (2 per character cell, top row first)."""
        X, Y, _, _ = self._mesh(width, height)
        with np.errstate(all="ignore"):
            return self.score(self.values, X, Y) > 0  # NaN scores count as negative

    def _picture(self, width: int, height: int):
        """(band grid, glyphs, style ids) for the values, batch and neuron lines last shown."""
        X, Y, r2, c = self._mesh(width, height)
        with np.errstate(all="ignore"):
            band = bands(self.score(self.values, X, Y))
            pulls = self._lab * self.score(self.values, self._xy[:, 0], self._xy[:, 1]) < 1  # inside the margin
        rows2, cols = band.shape
        batch = set(self.batch)
        points = [(r2[i], c[i], self._lab[i], pulls[i], i in batch) for i in drawn(r2, c, rows2, cols, batch)]
        vr2, vc = self._held_cells
        held = [(vr2[i], vc[i], self._vlab[i]) for i in drawn(vr2, vc, rows2, cols)]
        neurons = []
        if self.show_neurons:
            with np.errstate(all="ignore"):
                neurons = [(name, a * X + b * Y + cc > 0) for name, a, b, cc in self.neuron_lines]
        glyphs, sids = paint(band, self.colour_off, points, neurons, held, self.cursor)
        return band, glyphs, sids

    def _paint_all(self, width: int, height: int) -> None:
        self._table, self._canon = style_table(self.colour_off, self.rich_style)
        self._band, self._glyphs, self._sids = self._picture(width, height)
        self.grid_shape = self._band.shape
        rows = self._glyphs.shape[0]
        self._strips = [None] * rows + [self._x_axis(self._glyphs.shape[1], width, self._axis_style)]
        self._key = (width, height, self.colour_off)

    @property
    def _axis_style(self) -> Style:
        return self.rich_style + AXIS_STYLE if self.colour_off else AXIS_STYLE

    def _row(self, r: int, width: int) -> Strip:
        """Row r's strip from its cells: the tick, then one segment per run of the same style."""
        glyphs, sids = self._glyphs[r], self._sids[r]
        canon = self._canon[sids]
        cut = (np.nonzero(canon[1:] != canon[:-1])[0] + 1).tolist()
        text = "".join(glyphs.tolist())
        table = self._table
        segs = [self._tick(r, self._glyphs.shape[0], self._axis_style)]
        for a, b in zip([0, *cut], [*cut, len(text)]):
            segs.append(Segment(text[a:b], table[sids[a]]))
        return Strip(segs, width)

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
        if self._key != (w, h, self.colour_off):
            self._paint_all(w, h)
        if y >= len(self._strips):
            return Strip.blank(w, self.rich_style)
        strip = self._strips[y]
        if strip is None:
            strip = self._strips[y] = self._row(y, w)
        return strip
