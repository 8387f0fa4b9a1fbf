"""The boundary without colour (NO_COLOR) and in 16 and 256 colours: the bands, the lines and the points stay apart.

Pilot tests: the app is started in-process, and the boundary's own rendered strips are read cell by cell.
"""
from __future__ import annotations

import numpy as np
import pytest
from helpers import SIZE
from rich.color import ColorSystem
from rich.style import Style

from hnn_tui.app import HnnApp
from hnn_tui.widgets.boundary_paint import BAND_BG, MARGIN_FG, ZERO_FG, bands
from hnn_tui.widgets.boundary_view import GUTTER, BoundaryView
from hnn_tui.widgets.circuit_view import CircuitView

ZERO_GLYPHS, MARGIN_GLYPHS = "│╲─╱", "┆⋱┄⋰"  # by direction; the score's 0 line solid, its ±1 lines dotted
ZERO, MARGIN = set(ZERO_GLYPHS + "┼"), set(MARGIN_GLYPHS)
LINE = ZERO | MARGIN
POINTS = {"●": 1, "○": 1, "▲": -1, "△": -1}  # filled: inside the margin (label * score < 1), pulling; hollow: safe
PULLING = {1: "●", -1: "▲"}
SAFE = {1: "○", -1: "△"}
EVEN, ODD = "- ·+", "  ··"  # without colour, by band (0-3), on cells whose row + column is even or odd


def cells(boundary: BoundaryView) -> list[list[tuple[str, Style]]]:
    """The plot's character cells (tick gutter and x axis left out), each (character, style), top row first."""
    w, h = boundary.size
    rows = []
    for y in range(h - 1):
        row = [(ch, seg.style) for seg in boundary.render_line(y) for ch in seg.text]
        rows.append(row[GUTTER:w])
    return rows


def half_scores(boundary: BoundaryView) -> np.ndarray:
    """The score at the centre of each half cell, from the lesson's own score function and the plot's box."""
    w, h = boundary.size
    cols, rows = w - GUTTER, h - 1
    x0, x1, y0, y1 = boundary.box
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(2 * rows) + 0.5) * (y1 - y0) / (2 * rows)
    X, Y = np.meshgrid(xs, ys)
    return boundary.score(boundary.values, X, Y)


async def trained(pilot, steps: int) -> BoundaryView:
    pilot.app.screen.advance(steps)
    await pilot.pause()
    await pilot.pause(0.1)  # a full repaint through the app's filters (NO_COLOR's crashed here)
    return pilot.app.screen.query_one(BoundaryView)


def marks(boundary: BoundaryView) -> set[str]:
    """Glyphs that may sit anywhere: the batch's brackets, and neuron lines and numbers if shown."""
    return {"[", "]"} | (set("|\\~/*0123456789") if boundary.show_neurons else set())


def point_marks(boundary: BoundaryView) -> dict[tuple[int, int], str]:
    """The glyph each point's cell must show: by its label, filled when it pulls, hollow when it is safe."""
    w, h = boundary.size
    cols, rows = w - GUTTER, h - 1
    x0, x1, y0, y1 = boundary.box
    out = {}
    for (x, y), label in zip(boundary.points, boundary.labels):
        pulls = label * boundary.score(boundary.values, x, y) < 1
        out[int((y1 - y) / (y1 - y0) * 2 * rows) // 2, int((x - x0) / (x1 - x0) * cols)] = \
            (PULLING if pulls else SAFE)[label]
    return out


def check_plain(boundary: BoundaryView) -> dict[str, int]:
    """Every cell of the colour-off picture agrees with the score's band; returns how often each glyph is used."""
    grid, band = cells(boundary), bands(half_scores(boundary))
    seen: dict[str, int] = {}
    colours = set()
    anywhere, points = marks(boundary), point_marks(boundary)
    for r, row in enumerate(grid):
        for c, (ch, style) in enumerate(row):
            seen[ch] = seen.get(ch, 0) + 1
            assert style is not None, (r, c)  # Textual's NO_COLOR filter reads every segment's style
            colours.add((style.color, style.bgcolor))
            top, bot = int(band[2 * r, c]), int(band[2 * r + 1, c])
            if (r, c) in points:
                assert ch == points[r, c], f"point at {r},{c} shows {ch!r}, not {points[r, c]!r}"
            elif ch in anywhere:
                continue
            elif (top >= 2) != (bot >= 2):
                assert ch in ZERO, f"cell {r},{c} has the boundary through it but shows {ch!r}"
            elif top != bot:
                assert ch in LINE, f"cell {r},{c} has a margin line through it but shows {ch!r}"
            else:
                pattern = (EVEN if (r + c) % 2 == 0 else ODD)[top]
                assert ch == pattern or ch in LINE, f"cell {r},{c} is in band {top} but shows {ch!r}"
    assert colours == {(boundary.rich_style.color, boundary.rich_style.bgcolor)}  # one colour pair: the widget's
    return seen


@pytest.mark.parametrize("name,steps", [("svm", 0), ("svm", 400), ("neural_net", 3000)])
async def test_without_colour_the_bands_are_patterns_the_lines_drawn_and_the_points_kept(monkeypatch, name, steps):
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp(name, seed=0)
    assert app.no_color  # Textual's reading of the variable: every colour on screen is turned grey or dropped
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, steps)
        seen = check_plain(boundary)
        n = len(boundary.points)
        assert sum(seen.get(g, 0) for g in POINTS) == n  # six points in both lessons, none hidden by the drawing
        assert seen.get("●", 0) + seen.get("○", 0) == sum(lab == 1 for lab in boundary.labels)
        assert seen.get("·", 0) > 100 and seen.get(" ", 0) > 100  # both sides on screen, told apart by text
        assert sum(seen.get(g, 0) for g in ZERO) >= boundary.size[1] // 2  # the line runs across the plot
        assert sum(seen.get(g, 0) for g in MARGIN) >= boundary.size[1] // 2  # and at least one margin line
        shot = app.export_screenshot()  # the whole screen renders through the NO_COLOR filter
        assert "boundary" in shot


async def test_without_colour_a_line_across_the_plot_shows_its_direction(monkeypatch):
    # a = 0, b = 1: score = y + c, a level line; a = 1, b = 0: an upright one; a = -b: a diagonal (about 45 degrees
    # on screen, as the plot's box is about as tall in half cells as it is wide in cells), each through the middle.
    # The margin lines run beside it with their own (dotted) glyphs for the same direction.
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, 0)
        for values, k in [({"a": 0.0, "b": 1.0, "c": 0.3}, 2), ({"a": 1.0, "b": 0.0, "c": -1.0}, 0),
                          ({"a": 1.0, "b": -1.0, "c": -1.95}, 3), ({"a": -1.0, "b": -1.0, "c": 0.05}, 1)]:
            boundary.show(values)
            await pilot.pause()
            seen = check_plain(boundary)
            for glyphs in (ZERO_GLYPHS, MARGIN_GLYPHS):
                drawn = {g: seen.get(g, 0) for g in glyphs[:4]}
                assert max(drawn, key=drawn.get) == glyphs[k], (values, drawn)


async def test_without_colour_the_circuit_lessons_work(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "s")
        await pilot.pause(0.1)
        tree = str(app.screen.query_one(CircuitView).render())
        assert "∇" in tree and "← sigmoid" in tree  # gradients and gates are told by marks, not by colour
        assert "gradient" in app.export_screenshot()  # every widget renders through the NO_COLOR filter


def test_the_legend_says_what_the_marks_and_the_patterns_mean():
    from hnn_tui.widgets.boundary_view import legend, legend_sub

    for no_color in (False, True):
        title = legend(no_color)
        assert title.startswith("boundary") and "●+1" in title and "▲-1" in title and "○△ safe" in title
        assert "[ ] step" in title and len(title) <= 42  # fits the boundary's border at 80x24 (48 wide)
        assert len(legend_sub(no_color, neurons=True)) <= 56  # the subtitle fits it at 100x30
        assert "─ 0" in legend_sub(no_color) and "┄ ±1" in legend_sub(no_color)
        assert "neurons" in legend_sub(no_color, neurons=True) and "neurons" not in legend_sub(no_color)
    assert "blue" in legend_sub(False)
    plain = legend_sub(True)
    assert "blue" not in plain and "red" not in plain  # no colour words when there is no colour
    assert "+· ≥1" in plain and "· >0" in plain and "blank ≤0" in plain and "- ≤-1" in plain


def test_line_cells_follow_the_boundary_on_a_grid():
    from hnn_tui.widgets.boundary_view import line_cells

    # 8 rows of half-cell samples (4 character rows), 6 columns: the top half positive.
    level = np.zeros((8, 6), bool)
    level[:3] = True  # the line inside character row 1 (its upper half positive, its lower negative)
    assert line_cells(level) == {(1, c): "─" for c in range(6)}
    upright = np.zeros((8, 6), bool)
    upright[:, 3:] = True
    assert line_cells(upright) == {(r, 3): "│" for r in range(4)}  # the positive side's edge column
    assert line_cells(np.ones((8, 6), bool)) == {} and line_cells(np.zeros((8, 6), bool)) == {}
    for positive, glyph in [(lambda y, x: x >= y, "╲"), (lambda y, x: x + y >= 7, "╱")]:  # upper right, lower right
        drawn = list(line_cells(np.fromfunction(positive, (16, 8))).values())
        assert max(set(drawn), key=drawn.count) == glyph, drawn


@pytest.mark.parametrize("system", [ColorSystem.STANDARD, ColorSystem.EIGHT_BIT])
async def test_in_16_and_256_colours_the_bands_lines_and_points_stay_apart(monkeypatch, system):
    # Colour on: a plain cell is its band's colour once downgraded (blue, bright blue, bright red, red in 16
    # colours), a line cell has the line's colour on one of its halves' bands, and the two kinds of point keep
    # colours of their own, off every band.
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = HnnApp("svm", seed=0)
    down = {}

    def number(colour):
        if colour not in down:
            down[colour] = colour.downgrade(system).number
        return down[colour]

    band_colours = [Style.parse(f"on {c}").bgcolor for c in BAND_BG]
    regions = [number(c) for c in band_colours]
    assert len(set(regions)) == 4
    line_fg = {number(Style.parse(ZERO_FG).color), number(Style.parse(MARGIN_FG).color)}
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, 400)
        band = bands(half_scores(boundary))
        point_colours = {1: set(), -1: set()}
        glyphs, bgs = set(), set()
        for r, row in enumerate(cells(boundary)):
            for c, (ch, style) in enumerate(row):
                fg = number(style.color) if style.color else None
                bg = number(style.bgcolor)
                bgs.add(bg)
                top, bot = int(band[2 * r, c]), int(band[2 * r + 1, c])
                glyphs.add(ch)
                if ch in POINTS:
                    point_colours[POINTS[ch]].add(fg)
                    assert bg in (regions[top], regions[bot]) or style.reverse
                elif ch in LINE or ch in "[]":
                    assert fg in line_fg and bg in (regions[top], regions[bot]), (r, c, ch, style)
                else:
                    assert ch == " " and top == bot and bg == regions[top], (r, c, ch, style)
        assert bgs == set(regions)  # all four bands on screen after 400 steps
        assert glyphs & ZERO and glyphs & MARGIN and glyphs & set(POINTS)
        pos, neg = point_colours[1], point_colours[-1]
        assert len(pos) == len(neg) == 1 and pos != neg
        assert not (pos | neg) & set(regions)
        if system == ColorSystem.STANDARD:  # 8-colour terminals show bright colours as their base colour
            base = {n % 8 for n in regions}
            assert base == {4, 1}  # blue and red: the sides stay apart
            assert len({n % 8 for n in pos | neg}) == 2 and not {n % 8 for n in pos | neg} & base
