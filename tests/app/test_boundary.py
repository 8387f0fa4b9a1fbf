"""The boundary picture, widget by widget: a BoundaryView alone in a small app, over a linear score whose bands, lines
and point marks can be worked out by hand; and the pure functions that paint it.

score = a*x + b*y + c. Bands: 0 for score <= -1, 1 for -1 < score <= 0, 2 for 0 < score < 1, 3 for score >= 1.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color, ColorSystem
from rich.style import Style
from textual.app import App, ComposeResult

from hnn_tui.widgets.boundary_paint import (
    BAND_BG,
    MARGIN_GLYPHS,
    NEURON_FG,
    NEURON_GLYPHS,
    ZERO_GLYPHS,
    bands,
    label_cell,
    neuron_number,
    paint,
    style_table,
)
from hnn_tui.widgets.boundary_view import GUTTER, BoundaryView, drawn, spans

SIZE = (100, 30)
X_SCORE = {"a": 1.0, "b": 0.0, "c": 0.0}  # score = x: the 0 line at x = 0, the margin lines at x = -1 and x = 1
# (point, label): scores under X_SCORE 0.5, 3, -3, -0.5, -2.5, 1 and -1
POINTS = [((0.5, 2.0), 1), ((3.0, -2.0), 1), ((-3.0, 2.0), -1), ((-0.5, -2.0), -1), ((-2.5, 0.0), 1),
          ((1.0, 3.0), 1), ((-1.0, -1.0), -1)]
LINES = set(ZERO_GLYPHS) | set(MARGIN_GLYPHS)
POINT_GLYPHS = set("●○▲△")


def linear(v, X, Y):
    return v["a"] * np.asarray(X, float) + v["b"] * np.asarray(Y, float) + v["c"]


class OneBoundary(App):
    def compose(self) -> ComposeResult:
        yield BoundaryView(linear, [p for p, _ in POINTS], [lab for _, lab in POINTS])


async def shown(pilot, values=X_SCORE, **kwargs) -> BoundaryView:
    boundary = pilot.app.query_one(BoundaryView)
    boundary.show(values, **kwargs)
    await pilot.pause()
    return boundary


def cells(boundary: BoundaryView) -> list[list[tuple[str, Style]]]:
    """The plot's cells (gutter and x axis left out) as the widget renders them: (character, style)."""
    w, h = boundary.size
    return [[(ch, seg.style) for seg in boundary.render_line(y) for ch in seg.text][GUTTER:w] for y in range(h - 1)]


def text(boundary: BoundaryView) -> list[str]:
    return ["".join(ch for ch, _ in row) for row in cells(boundary)]


def geometry(boundary: BoundaryView):
    """(x of each column's centre, y of each half row's centre, rows, columns), as the widget samples the plane."""
    w, h = boundary.size
    cols, rows = w - GUTTER, h - 1
    x0, x1, y0, y1 = boundary.box
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(2 * rows) + 0.5) * (y1 - y0) / (2 * rows)
    return xs, ys, rows, cols


def cell_of(boundary: BoundaryView, x: float, y: float) -> tuple[int, int]:
    _, _, rows, cols = geometry(boundary)
    x0, x1, y0, y1 = boundary.box
    return int((y1 - y) / (y1 - y0) * 2 * rows) // 2, int((x - x0) / (x1 - x0) * cols)


def point_cells(boundary: BoundaryView) -> set[tuple[int, int]]:
    return {cell_of(boundary, x, y) for (x, y), _ in POINTS}


# ---- pure functions ------------------------------------------------------------------------------------------

def test_bands_split_the_score_at_the_margin_and_at_zero():
    scores = [-5, -1, -0.999, -0.5, 0, 1e-9, 0.5, 0.999, 1, 7, np.nan]
    assert bands(scores).tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 0]  # NaN (diverged) counts as negative


def test_paint_puts_the_zero_line_over_the_margin_lines_and_points_over_everything():
    # 4 character rows (8 half rows) x 10 columns; the score rises to the right: bands 0 0 1 1 2 2 3 3 3 3.
    band = np.tile(np.array([0, 0, 1, 1, 2, 2, 3, 3, 3, 3], np.int8), (8, 1))
    glyphs, sids = paint(band, plain=True)
    assert ["".join(row) for row in glyphs] == ["- ┆ │·┆·+·", " -┆ │·┆+·+", "- ┆ │·┆·+·", " -┆ │·┆+·+"]
    glyphs, _ = paint(band, plain=True, points=[(3, 4, 1, True, True), (4, 6, -1, False, False)])
    assert "".join(glyphs[1]) == " -┆[●]┆+·+"  # a pulling +1 in the batch: filled, in brackets, over the 0 line
    assert "".join(glyphs[2]) == "- ┆ │·△·+·"  # a safe -1 over the +1 margin line
    colour, sids = paint(band, plain=False)
    assert "".join(colour[0]) == "  ┆ │ ┆   "  # in colour the bands are backgrounds; the lines are the same
    table, _ = style_table(False)
    assert [table[s].bgcolor for s in sids[0]] == [Color.parse(BAND_BG[b]) for b in [0, 0, 1, 1, 2, 2, 3, 3, 3, 3]]


def test_a_cell_split_between_two_bands_has_a_line_through_it():
    band = np.full((4, 5), 3, np.int8)
    band[3, 2] = 2  # one half sample inside the margin: the +1 line bends round it, a solid line would not
    glyphs, sids = paint(band, plain=False)
    assert "".join(glyphs[0]) == "     " and glyphs[1, 0] == glyphs[1, 4] == " " and glyphs[1, 2] == "┄"
    assert glyphs[1, 1] in MARGIN_GLYPHS and glyphs[1, 3] in MARGIN_GLYPHS  # its neighbours, on the line's edge
    band[3, 2] = 1  # now across 0 as well: the 0 line is drawn over the margin lines
    glyphs, _ = paint(band, plain=False)
    assert glyphs[1, 2] == "─"


def test_a_neuron_label_avoids_points_and_other_labels():
    on = np.zeros((4, 6), bool)
    on[1, :] = True  # a level line in row 1
    assert label_cell(on, "2", set()) == (1, 0)  # its first cell
    assert label_cell(on, "2", {(1, 0)}) == (1, 5)  # else its other end
    assert label_cell(on, "12", {(1, 0)}) == (1, 4)  # a longer number runs left from the right edge
    assert label_cell(np.zeros((4, 6), bool), "1", set()) is None
    band = np.zeros((8, 6), np.int8)
    n1, n3 = np.zeros((8, 6), bool), np.zeros((8, 6), bool)
    n1[:3] = True  # a level line through row 1, its number on its first cell, (1, 0)
    n3[2:4, 1:] = True  # a short one in row 1 from column 1: not next to the 1 (it would read 13) but at its end
    glyphs, _ = paint(band, plain=True, neurons=[("n1", n1), ("n3", n3)])
    assert glyphs[1, 0] == "1" and glyphs[1, 1] != "3" and glyphs[1, 5] == "3"
    assert [neuron_number(n) for n in ("n1", "n12", "h1[3]", "x")] == ["1", "12", "3", "x"]


def test_changed_cells_go_out_as_spans_split_at_wide_gaps():
    changed = np.zeros((3, 100), bool)
    changed[0, [2, 3, 40]] = True  # close together: one span (re-sending 1-byte cells costs less than a region)
    changed[2, [1, 60]] = True  # far apart: two
    assert spans(changed) == [(0, 2, 39), (2, 1, 1), (2, 60, 1)]


# ---- the widget --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("no_color", [False, True])
async def test_a_known_score_on_a_known_cell_shows_its_band(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot)
        grid = cells(boundary)
        for x, band in [(-3.3, 0), (-0.5, 1), (0.5, 2), (3.3, 3)]:
            r, c0 = cell_of(boundary, x, 1.0)
            for c in (c0, c0 + 1):  # two neighbours: both parities of the patterns that alternate
                ch, style = grid[r][c]
                if no_color:
                    even = (r + c) % 2 == 0
                    assert ch == {0: "-" if even else " ", 1: " ", 2: "·", 3: "+" if even else "·"}[band], (x, ch)
                else:
                    assert ch == " " and style.bgcolor == Color.parse(BAND_BG[band]), (x, style)


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_zero_and_margin_lines_lie_where_a_linear_score_crosses_them(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot)  # score = x: upright lines, on the first column of the larger side
        xs, ys, rows, cols = geometry(boundary)
        expected = {int(np.argmax(xs > -1)): "┆", int(np.argmax(xs > 0)): "│", int(np.argmax(xs >= 1)): "┆"}
        taken = point_cells(boundary)
        for r, row in enumerate(text(boundary)):
            drawn = {c: ch for c, ch in enumerate(row) if ch in LINES and (r, c) not in taken}
            assert drawn == {c: g for c, g in expected.items() if (r, c) not in taken}, r
        boundary = await shown(pilot, {"a": 0.0, "b": 1.0, "c": -0.5})  # score = y - 0.5: level lines
        rows_of = {g: int(np.nonzero(ys > t if g != "1" else ys >= t)[0][-1]) // 2
                   for g, t in (("-1", -0.5), ("0", 0.5), ("1", 1.5))}
        shown_text = text(boundary)
        for name, glyph in (("-1", "┄"), ("0", "─"), ("1", "┄")):
            row = shown_text[rows_of[name]]
            assert all(ch == glyph or (rows_of[name], c) in taken for c, ch in enumerate(row)), (name, row)
        boundary = await shown(pilot, {"a": 1.0, "b": -1.0, "c": 0.0})  # the diagonal y = x and its margins
        seen = "".join(text(boundary))
        assert seen.count("╱") > rows and seen.count("⋰") > rows
        assert seen.count("╲") == seen.count("⋱") == seen.count("│") == seen.count("┆") == 0


async def test_points_inside_the_margin_are_filled_the_safe_ones_hollow():
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot)
        grid = text(boundary)
        marks = [grid[r][c] for r, c in (cell_of(boundary, x, y) for (x, y), _ in POINTS)]
        # scores 0.5 (+1), 3 (+1), -3 (-1), -0.5 (-1), -2.5 (+1, wrong side), 1 (+1, on its margin), -1 (-1, on it)
        assert marks == ["●", "○", "△", "▲", "●", "○", "△"]
        boundary = await shown(pilot, {"a": -1.0, "b": 0.0, "c": 0.0})  # score = -x: every point changes side
        grid = text(boundary)
        assert [grid[r][c] for r, c in (cell_of(boundary, x, y) for (x, y), _ in POINTS)] == \
            ["●", "●", "▲", "▲", "○", "●", "▲"]


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_batch_point_is_bracketed_and_reversed(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot, batch=(1,))
        grid = cells(boundary)
        r, c = cell_of(boundary, *POINTS[1][0])
        assert "".join(ch for ch, _ in grid[r][c - 1: c + 2]) == "[○]"  # told by characters, not by colour
        assert grid[r][c][1].reverse
        others = [cell_of(boundary, x, y) for (x, y), _ in POINTS[2:]]
        assert not any(grid[rr][cc][1].reverse for rr, cc in others)
        assert sum(ch in "[]" for row in grid for ch, _ in row) == 2
        boundary = await shown(pilot, batch=())  # the next step: the brackets go, the point stays
        grid = cells(boundary)
        assert grid[r][c][0] == "○" and not grid[r][c][1].reverse
        assert sum(ch in "[]" for row in grid for ch, _ in row) == 0


async def test_neuron_lines_are_drawn_with_their_numbers_under_the_points():
    lines = (("n1", 1.0, 0.0, 2.5), ("n2", 0.0, 1.0, -1.5))  # x = -2.5 (through the point at (-2.5, 0)), y = 1.5
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot, neuron_lines=lines, show_neurons=False)
        assert not set("|~12") & set("".join(text(boundary)))  # off: not drawn
        boundary = await shown(pilot, neuron_lines=lines, show_neurons=True)
        grid = cells(boundary)
        xs, ys, rows, cols = geometry(boundary)
        col = int(np.argmax(xs > -2.5))  # the first column where n1 fires
        row = int(np.nonzero(ys > 1.5)[0][-1]) // 2  # the row holding n2's last firing half row
        assert grid[0][col][0] == "1" and grid[row][0][0] == "2"  # the numbers at one end (top, left)
        assert grid[0][col][1].color == Color.parse(NEURON_FG)
        taken = point_cells(boundary)
        upright = [grid[r][col][0] for r in range(1, rows) if (r, col) not in taken and r != row]
        assert upright == ["|"] * len(upright) and len(upright) > rows // 2
        level = {grid[row][c][0] for c in range(1, cols) if c != col and (row, c) not in taken}
        assert level == {"~"} | ({"┆", "│"} & level) and "~" in level  # the boundary's lines cross over it
        r, c = cell_of(boundary, -2.5, 0.0)
        assert grid[r][c][0] == "●"  # the point on n1's line is drawn on top of it
        assert set(NEURON_GLYPHS[:4]) >= {"|", "~"}


async def test_without_colour_each_band_has_its_own_characters(monkeypatch):
    # No meaning by colour: any two neighbouring cells of a band tell it from every other band, and the whole
    # picture is in the widget's own colours.
    monkeypatch.setenv("NO_COLOR", "1")
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot, {"a": 0.6, "b": 0.0, "c": 0.0})  # score = 0.6x: every band a few cells wide
        grid = cells(boundary)
        xs, _, rows, cols = geometry(boundary)
        band = bands(0.6 * xs)
        pairs = {b: set() for b in range(4)}
        for r in range(rows):
            for c in range(cols - 1):
                a, b = grid[r][c][0], grid[r][c + 1][0]
                if band[c] == band[c + 1] and not {a, b} & (LINES | POINT_GLYPHS):
                    pairs[int(band[c])].add(a + b)
        assert all(pairs.values())
        for i in range(4):
            for j in range(i + 1, 4):
                assert not pairs[i] & pairs[j], (i, j, pairs[i] & pairs[j])
        assert {(st.color, st.bgcolor) for row in grid for _, st in row} == \
            {(boundary.rich_style.color, boundary.rich_style.bgcolor)}


@pytest.mark.parametrize("system", [ColorSystem.STANDARD, ColorSystem.EIGHT_BIT])
async def test_in_16_and_256_colours_bands_lines_and_points_keep_their_own_colours(monkeypatch, system):
    monkeypatch.delenv("NO_COLOR", raising=False)

    def number(colour):
        return None if colour is None else colour.downgrade(system).number

    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot, batch=(0,), neuron_lines=(("n1", 0.0, 1.0, -1.5),), show_neurons=True)
        backgrounds, foregrounds = {b: set() for b in range(4)}, {}
        xs, _, rows, cols = geometry(boundary)
        band = bands(xs)
        for row in cells(boundary):
            for c, (ch, st) in enumerate(row):
                if ch == " ":
                    backgrounds[int(band[c])].add(number(st.bgcolor))
                elif ch in POINT_GLYPHS or ch in "|~1" or ch in LINES:
                    kind = "+" if ch in "●○" else "-" if ch in "▲△" else "neuron" if ch in "|~1" else ch
                    foregrounds.setdefault(kind, set()).add(number(st.color))
        assert all(len(v) == 1 for v in backgrounds.values())  # one colour a band
        regions = [next(iter(backgrounds[b])) for b in range(4)]
        assert len(set(regions)) == 4  # four bands, four colours, after the downgrade
        marks = {k: next(iter(v)) for k, v in foregrounds.items() if len(v) == 1}
        assert set(marks) >= {"+", "-", "neuron", "│", "┆"}
        assert len({marks["+"], marks["-"], marks["neuron"]}) == 3  # the two kinds of point and the neurons apart
        assert not {marks["+"], marks["-"], marks["neuron"], marks["│"], marks["┆"]} & set(regions)  # off the bands
        if system == ColorSystem.STANDARD:
            assert regions == [1, 9, 12, 4]  # red, bright red | bright blue, blue
            assert {n % 8 for n in regions[:2]} == {1} and {n % 8 for n in regions[2:]} == {4}  # 8 colours: 2 sides
            assert not {marks["+"] % 8, marks["-"] % 8, marks["neuron"] % 8} & {1, 4}


async def test_only_changed_cells_are_sent_and_a_slow_link_gets_a_few_rows_at_a_time():
    async with OneBoundary().run_test(size=SIZE) as pilot:
        boundary = await shown(pilot)
        sent = []
        real = boundary.refresh
        boundary.refresh = lambda *regions, **kw: (sent.append(regions), real(*regions, **kw))[1]
        before = text(boundary)
        boundary = await shown(pilot)  # the same picture: nothing to send
        assert sent == []
        boundary = await shown(pilot, batch=(3,))  # three cells change: the point and its brackets
        r, c = cell_of(boundary, *POINTS[3][0])
        assert [(g.x - GUTTER, g.y, g.width) for g in sent[-1]] == [(c - 1, r, 3)]
        old = text(boundary)
        boundary.show({"a": -1.0, "b": 0.0, "c": 0.0}, max_rows=4)  # every row changes; 4 of them now
        await pilot.pause()
        now = text(boundary)
        assert sum(a != b for a, b in zip(old, now)) == 4 and {g.y for g in sent[-1]} == {0, 1, 2, 3}
        for _ in range(10):
            boundary.show({"a": -1.0, "b": 0.0, "c": 0.0}, max_rows=4)
        await pilot.pause()
        count = len(sent)
        boundary.show({"a": -1.0, "b": 0.0, "c": 0.0})
        assert len(sent) == count  # caught up: nothing left to send
        whole = text(boundary)
        assert sum(a != b for a, b in zip(before, whole)) == len(whole)  # every row is the new picture's
        boundary._key = None  # paint everything anew: the same cells as the rows sent a few at a time
        assert text(boundary) == whole


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 400), rows=st.integers(1, 12), cols=st.integers(1, 30), seed=st.integers(0, 2**32 - 1),
       batch_size=st.integers(0, 400), plain=st.booleans())
def test_drawing_the_last_point_of_each_cell_gives_the_picture_of_drawing_every_point(n, rows, cols, seed,
                                                                                      batch_size, plain):
    """Many points share a cell (100,000 of them on a 60x40 picture): only the last of each cell, and of each cell's
    batch points, is drawn, and the picture must be the same as when every point is."""
    rng = np.random.default_rng(seed)
    band = rng.integers(0, 4, (2 * rows, cols))
    r2 = rng.integers(-2, 2 * rows + 2, n)  # a few outside the view too
    c = rng.integers(-2, cols + 2, n)
    lab = rng.choice([1, -1], n)
    pulls = rng.random(n) < 0.5
    batch = set(rng.integers(0, n, min(batch_size, n)).tolist()) if n else set()

    def marks(indices):
        return [(r2[i], c[i], lab[i], pulls[i], i in batch) for i in indices]

    every = [i for i in range(n) if 0 <= c[i] < cols and 0 <= r2[i] < 2 * rows]
    kept = drawn(r2, c, 2 * rows, cols, tuple(batch))
    assert set(kept) <= set(every) and kept == sorted(kept)
    held_r2, held_c = rng.integers(0, 2 * rows, n // 3), rng.integers(0, cols, n // 3)
    held_lab = rng.choice([1, -1], n // 3)
    held = [(held_r2[i], held_c[i], held_lab[i]) for i in range(n // 3)]
    held_kept = [held[i] for i in drawn(held_r2, held_c, 2 * rows, cols)]
    cursor = (int(rng.integers(0, rows)), int(rng.integers(0, cols)))
    glyphs, sids = paint(band, plain, marks(every), (), held, cursor)
    glyphs2, sids2 = paint(band, plain, marks(kept), (), held_kept, cursor)
    assert (glyphs == glyphs2).all() and (sids == sids2).all()
