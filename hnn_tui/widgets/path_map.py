"""The path map: the lesson's output over the plane of its two trainable values, in contour bands, and the path the
strategy has taken across it, every step's point joined up, the point now marked.

The landscape and the view come from engine.landscape; the shading is the boundary's (widgets.boundary_paint): each
character cell is two square samples (its upper and lower half), bands of the height as backgrounds, and where the
band changes a contour line (`line_mask`, with a glyph for its direction). Six bands, each about a sixth of the
picture, darker lower; without colour (NO_COLOR) the bands are patterns, denser higher, so nothing is told by colour
alone. On top: the joins between steps in bold ASCII strokes (- / | \\) by their direction, each step's point •, the
point now ◆ in reverse video. Like BoundaryView, `show()` sends only the cells that changed; the heights are worked
out again only when the view, the size, the held inputs or the lesson's knobs change.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.types import NoActiveAppError
from textual.widget import Widget

from ..engine.landscape import BANDS, Landscape, Path, banded, fitted, grid, grown, landscape_for, levels, start_region
from .boundary_paint import MARGIN_GLYPHS, line_mask
from .boundary_view import GUTTER, spans

# Dark (low) to light (high); 16 colours: magenta 5, blue 4, cyan 6, green 2, bright yellow 11, bright white 15
# (8 colours: yellow, white): six apart. The path is bright red (9; red on 8), on no band.
BAND_BG = ("#5f005f", "#1c3f94", "#1f8a8a", "#2f9f2f", "#c0c040", "#ffffaf")
LINE_FG = ("#dadada",) * 3 + ("#1c1c1c",) * 3  # contours: light on the dark bands, dark on the light
PATH_FG = "#ff5f5f"
PLAIN_EVEN, PLAIN_ODD = np.array(list(" ··::+")), np.array(list("  ··::"))  # no colour: denser higher
CONTOUR = np.array(list(MARGIN_GLYPHS))  # dotted, by direction (the boundary's ±1 lines)
JOINS = np.array(list("-/|\\"))  # a join's stroke by its direction: across, up right, up, up left
STEP, NOW = "•", "◆"
FILL, LINE, PATH = 0, BANDS, 2 * BANDS  # style ids: kind + the band (slot) under it
CURSOR = 3 * BANDS
MAX_JOIN_CELLS = 200_000  # a very long path's joins: the newest ones (every point is still drawn)


def slots(band: np.ndarray, count: int) -> np.ndarray:
    """Bands 0..count-1 spread over the BANDS colours and patterns (fewer bands keep the ends: lowest, highest)."""
    if count <= 1:
        return np.zeros_like(band)
    return np.rint(band * (BANDS - 1) / (count - 1)).astype(np.int8)


def path_cells(r2: np.ndarray, c: np.ndarray, limit: int = MAX_JOIN_CELLS):
    """The path's points (half-cell rows `r2`, columns `c`, in order) as cells: (rows, cols) of each step's point,
    and (rows, cols, stroke index) of the cells its joins pass through, between points in different cells."""
    r, keep = r2 // 2, np.ones(len(c), bool)
    keep[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])  # a run of steps within one cell is one point
    a2, ac = r2[keep], c[keep]
    dr, dc = np.diff(a2), np.diff(ac)
    m = np.maximum(np.abs(dr), np.abs(dc))  # samples along a join: one per half row or column crossed
    inner = np.maximum(m - 1, 0)
    if inner.sum() > limit:  # the newest joins only
        keep_from = np.searchsorted(np.cumsum(inner[::-1]), limit)
        inner[: len(inner) - keep_from] = 0
    seg = np.repeat(np.arange(len(m)), inner)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(inner) - inner, inner) + 1
    t = k / np.maximum(m[seg], 1)
    jr = np.rint(a2[:-1][seg] + t * dr[seg]).astype(int) // 2
    jc = np.rint(ac[:-1][seg] + t * dc[seg]).astype(int)
    angle = np.degrees(np.arctan2(-dr, dc)) % 180  # samples are square: the angle as seen
    stroke = (((angle + 22.5) // 45).astype(int) % 4)[seg]
    return (r, c), (jr, jc, stroke)


def tick(value: float, span: float) -> str:
    """An axis label for `value` on an axis `span` long: 0 for the float dust of a centre, else short (-4.4, 0.09)."""
    mantissa, _, exponent = f"{0.0 if abs(value) < 1e-9 * span else value:.2g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def style_table(plain: bool, base: Style) -> list[Style]:
    """The Style of each style id: bands as backgrounds, contours and the path in their colours; plain (NO_COLOR):
    the widget's own style, the fill dim, the path bold, the point now bold and reversed."""
    table = [base] * (CURSOR + 1)
    for b in range(BANDS):
        if plain:
            table[FILL + b], table[LINE + b], table[PATH + b] = base + Style(dim=True), base, base + Style(bold=True)
        else:
            table[FILL + b] = Style.parse(f"on {BAND_BG[b]}")
            table[LINE + b] = Style.parse(f"{LINE_FG[b]} on {BAND_BG[b]}")
            table[PATH + b] = Style.parse(f"bold {PATH_FG} on {BAND_BG[b]}")
    table[CURSOR] = base + Style(bold=True, reverse=True) if plain else Style.parse(f"bold {PATH_FG} reverse")
    return table


def swatches(edges, plain: bool) -> str:
    """The bands' key, lowest first, as Textual markup: each band's swatch, the edge values between them."""
    count = len(edges) + 1
    parts = []
    for b in range(count):
        s = int(slots(np.array([b]), count)[0])
        parts.append(f"▕{PLAIN_EVEN[s]}{PLAIN_ODD[s]}▏" if plain else f"[on {BAND_BG[s]}]  [/]")
        if b < len(edges):
            parts.append(f"{edges[b] + 0.0:g}")  # + 0.0: never -0
    return "".join(parts)


class PathMap(Widget):
    """The landscape of `landscape` in bands, with a view that grows to hold the path; `add` a step's values,
    `restart` after a poke, `clear` on a reset, and `show` the values now."""

    DEFAULT_CSS = "PathMap { width: 1fr; height: 1fr; }"

    def __init__(self, landscape: Landscape, **kwargs):
        super().__init__(**kwargs)
        self.landscape = landscape
        self.path = Path()
        self.holds = None  # what the view must hold (engine.landscape); None until the first point
        self.view = None  # the region fitted to the picture's shape, as last drawn
        self.values: dict | None = None  # the values now (the held inputs, the point now)
        self.token = None  # the spec the landscape is of, when the panel passes one (a regression's knobs turn)
        self.edges = np.zeros(0)
        self._heights = None  # (key, spec, heights on the half-cell grid, band slots, {colour off: base picture})
        self._cells = None  # (glyphs, style ids) on screen
        self._key = None  # (width, height, colour off) the cells were painted for
        self._table: list[Style] = []
        self._strips: list[Strip | None] = []
        self._painted_view = None  # the view the axes on screen were drawn for

    # ---- what it is told ---------------------------------------------------------------------------------
    def _point(self, values) -> tuple[float, float]:
        u, v = self.landscape.names
        return float(values[u]), float(values[v])

    def add(self, step: int, values) -> None:
        """The values after `step` (a run's every step, the start)."""
        if self.holds is None:
            self.holds = start_region(*self._point(values))
        self.path.add(step, *self._point(values))

    def restart(self, step: int, values) -> None:
        """A poke: the path starts again at the values now (the landscape is worked out again at the next show)."""
        self.path.restart(step, *self._point(values))

    def cut(self, step: int) -> None:
        """Training went on from `step` (a rewound run): the path forgets its points after it."""
        path = self.path
        path.n = int(np.searchsorted(path.steps, step, side="right"))

    def clear(self) -> None:
        """A reset: no path, and the next point chooses the view afresh."""
        self.path.clear()
        self.holds = None

    def show(self, values, spec=None) -> None:
        """Draw the landscape at `values` (the held inputs) with the path, the point now at `values`; `spec`: the
        lesson's spec when its knobs may turn (a regression's spring, loss): a new one brings a new landscape."""
        self.values = dict(values)
        if spec is not None and spec is not self.token:
            self.landscape = landscape_for(spec) or self.landscape
            self.token = spec
        if self.holds is None:
            self.holds = start_region(*self._point(values))
        w, h = self.size
        if self._key != (w, h, self.colour_off) or w <= GUTTER or h < 2:
            self._key = None
            self.refresh()
            return
        glyphs, sids = self._picture(w, h)
        if self.view != self._painted_view:  # the view grew: new axes, everything anew
            self._key = None
            self.refresh()
            return
        changed = (glyphs != self._cells[0]) | (sids != self._cells[1])
        rows = np.nonzero(changed.any(axis=1))[0]
        self._legend()
        if not len(rows):
            return
        self._cells = glyphs, sids
        for r in rows:
            self._strips[r] = None
        self.refresh(*(Region(GUTTER + c, r, n, 1) for r, c, n in spans(changed)))

    @property
    def colour_off(self) -> bool:
        try:
            return bool(self.app.no_color)
        except NoActiveAppError:
            return False

    @property
    def cells(self) -> tuple[int, int]:
        w, h = self.size
        return max(1, h - 1), max(1, w - GUTTER)

    # ---- the picture ---------------------------------------------------------------------------------------
    def _fit_view(self, cols: int, rows2: int) -> tuple:
        """The view for this size, grown first if a point of the path lies outside it."""
        view = fitted(self.holds, cols, rows2)
        region = grown(self.holds, view, self.path.us, self.path.vs)
        if region != self.holds:
            self.holds = region
            view = fitted(region, cols, rows2)
        return view

    def heights(self, view, cols: int, rows2: int):
        """(heights, band slots) on the half-cell grid of `view`, kept while nothing they depend on changes."""
        u, v = self.landscape.names
        held = tuple(sorted((k, x) for k, x in self.values.items() if k not in (u, v)))
        key = (view, cols, rows2, held)
        if self._heights is None or self._heights[0] != key or self._heights[1] is not self.token:
            U, V = grid(view, cols, rows2)
            H = self.landscape.height(self.values, U, V)
            self.edges = levels(H)
            self._heights = key, self.token, H, slots(banded(H, self.edges), len(self.edges) + 1), {}
        return self._heights[2:4]

    def _base(self, view, rows: int, cols: int):
        """The bands and their contour lines as (glyphs, style ids, the band slot under each cell), kept with the
        heights: a run's frame only lays the path over a copy."""
        _, band = self.heights(view, cols, 2 * rows)
        kept = self._heights[4]
        if self.colour_off not in kept:
            top, bot = band[0::2], band[1::2]
            if self.colour_off:
                even = (np.add.outer(np.arange(rows), np.arange(cols)) % 2) == 0
                glyphs = np.where(even, PLAIN_EVEN[top], PLAIN_ODD[top])
            else:
                glyphs = np.full((rows, cols), " ")
            sids = (FILL + top).astype(np.int16)
            under = np.maximum(top, bot)
            for s in np.unique(band)[1:]:
                on, kind = line_mask(band >= s)
                glyphs[on], sids[on] = CONTOUR[kind[on]], LINE + under[on]
            kept[self.colour_off] = glyphs, sids, under
        return kept[self.colour_off]

    def _picture(self, width: int, height: int):
        """(glyphs, style ids) of the character cells: bands, contours, the path's joins, its points, the point now."""
        rows, cols = max(1, height - 1), max(1, width - GUTTER)
        self.view = view = self._fit_view(cols, 2 * rows)
        glyphs, sids, under = self._base(view, rows, cols)
        glyphs, sids = glyphs.copy(), sids.copy()
        u0, u1, v0, v1 = view
        with np.errstate(all="ignore"):
            c = np.floor((self.path.us - u0) / (u1 - u0) * cols)
            r2 = np.floor((v1 - self.path.vs) / (v1 - v0) * 2 * rows)
        inside = np.isfinite(c) & np.isfinite(r2) & (c >= 0) & (c < cols) & (r2 >= 0) & (r2 < 2 * rows)
        (pr, pc), (jr, jc, stroke) = path_cells(r2[inside].astype(int), c[inside].astype(int))
        glyphs[jr, jc], sids[jr, jc] = JOINS[stroke], PATH + under[jr, jc]
        glyphs[pr, pc], sids[pr, pc] = STEP, PATH + under[pr, pc]
        nu, nv = self._point(self.values)
        with np.errstate(all="ignore"):
            nc, nr2 = np.floor((nu - u0) / (u1 - u0) * cols), np.floor((v1 - nv) / (v1 - v0) * 2 * rows)
        if np.isfinite(nc) and np.isfinite(nr2) and 0 <= nc < cols and 0 <= nr2 < 2 * rows:
            glyphs[int(nr2) // 2, int(nc)], sids[int(nr2) // 2, int(nc)] = NOW, CURSOR
        return glyphs, sids

    def _legend(self) -> None:
        u, v = self.landscape.names
        title = f"{self.landscape.what} over {u}→ {v}↑ {STEP}path {NOW}now"
        sub = f"low {swatches(self.edges, self.colour_off)} high"
        if (title, sub) != (self.border_title, self.border_subtitle):
            self.border_title, self.border_subtitle = title, sub

    def _paint_all(self, width: int, height: int) -> None:
        self._table = style_table(self.colour_off, self.rich_style)
        self._cells = self._picture(width, height)
        self._painted_view = self.view
        self.call_later(self._legend)  # the border is drawn by now: its words go in after this frame
        self._strips = [None] * self._cells[0].shape[0] + [self._x_axis(self._cells[0].shape[1], width)]
        self._key = (width, height, self.colour_off)

    # ---- drawing -------------------------------------------------------------------------------------------
    @property
    def _axis_style(self) -> Style:
        return self.rich_style + Style(dim=True)

    def _row(self, r: int, width: int) -> Strip:
        glyphs, sids = self._cells[0][r], self._cells[1][r]
        cut = (np.nonzero(sids[1:] != sids[:-1])[0] + 1).tolist()
        text = "".join(glyphs.tolist())
        rows = self._cells[0].shape[0]
        _, _, v0, v1 = self.view
        label = tick(v1 - (r + 0.5) * (v1 - v0) / rows, v1 - v0) if r in (0, rows // 2, rows - 1) else ""
        segs = [Segment(label.rjust(GUTTER - 1)[: GUTTER - 1] + "┤", self._axis_style)]
        segs += [Segment(text[a:b], self._table[sids[a]]) for a, b in zip([0, *cut], [*cut, len(text)])]
        return Strip(segs, width)

    def _x_axis(self, cols: int, width: int) -> Strip:
        u0, u1, _, _ = self.view
        axis = [" "] * cols
        for frac in (0.0, 0.5, 1.0):
            t = tick(u0 + frac * (u1 - u0), u1 - u0)
            at = min(max(0, int(frac * (cols - 1)) - len(t) // 2), max(0, cols - len(t)))
            axis[at: at + len(t)] = t
        return Strip([Segment(" " * (GUTTER - 1) + "└" + "".join(axis)[:cols], self._axis_style)], width)

    def render_line(self, y: int) -> Strip:
        w, h = self.size
        if self.values is None or w <= GUTTER or h < 2:
            return Strip.blank(w, self.rich_style)
        if self._key != (w, h, self.colour_off):
            self._paint_all(w, h)
        if y >= len(self._strips):
            return Strip.blank(w, self.rich_style)
        if self._strips[y] is None:
            self._strips[y] = self._row(y, w)
        return self._strips[y]
