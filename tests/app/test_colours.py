"""The boundary without colour (NO_COLOR) and in 16 and 256 colours: the regions and the points stay apart.

Pilot tests: the app is started in-process, and the boundary's own rendered strips are read cell by cell.
"""
from __future__ import annotations

import numpy as np
import pytest
from helpers import SIZE
from rich.color import ColorSystem
from rich.style import Style

from hnn_tui.app import HnnApp
from hnn_tui.widgets.boundary_view import GUTTER, BoundaryView
from hnn_tui.widgets.circuit_view import CircuitView

LINE = set("│╲─╱┼")  # the boundary line's glyphs without colour
POINTS = {"●": 1, "▲": -1}


def cells(boundary: BoundaryView) -> list[list[tuple[str, Style]]]:
    """The plot's character cells (tick gutter and x axis left out), each (character, style), top row first."""
    w, h = boundary.size
    rows = []
    for y in range(h - 1):
        row = [(ch, seg.style) for seg in boundary.render_line(y) for ch in seg.text]
        rows.append(row[GUTTER:w])
    return rows


def half_signs(boundary: BoundaryView) -> np.ndarray:
    """score > 0 at the centre of each half cell, from the lesson's own score function and the plot's box."""
    w, h = boundary.size
    cols, rows = w - GUTTER, h - 1
    x0, x1, y0, y1 = boundary.box
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(2 * rows) + 0.5) * (y1 - y0) / (2 * rows)
    X, Y = np.meshgrid(xs, ys)
    return boundary.score(boundary.values, X, Y) > 0


async def trained(pilot, steps: int) -> BoundaryView:
    pilot.app.screen.advance(steps)
    await pilot.pause()
    await pilot.pause(0.1)  # a full repaint through the app's filters (NO_COLOR's crashed here)
    return pilot.app.screen.query_one(BoundaryView)


def check_plain(boundary: BoundaryView) -> dict[str, int]:
    """Every cell of the colour-off picture agrees with the score's sign; returns how often each glyph is used."""
    grid, signs = cells(boundary), half_signs(boundary)
    seen: dict[str, int] = {}
    colours = set()
    for r, row in enumerate(grid):
        for c, (ch, style) in enumerate(row):
            seen[ch] = seen.get(ch, 0) + 1
            assert style is not None, (r, c)  # Textual's NO_COLOR filter reads every segment's style
            colours.add((style.color, style.bgcolor))
            top, bot = bool(signs[2 * r, c]), bool(signs[2 * r + 1, c])
            if ch in POINTS:
                continue
            if top != bot:
                assert ch in LINE, f"cell {r},{c} has the boundary through it but shows {ch!r}"
            elif top:
                assert ch == "·" or ch in LINE, f"cell {r},{c} is on the positive side but shows {ch!r}"
            else:
                assert ch == " ", f"cell {r},{c} is on the negative side but shows {ch!r}"
    assert colours == {(boundary.rich_style.color, boundary.rich_style.bgcolor)}  # one colour pair: the widget's
    return seen


@pytest.mark.parametrize("name,steps", [("svm", 0), ("svm", 400), ("neural_net", 3000)])
async def test_without_colour_the_positive_side_is_dotted_the_line_drawn_and_the_points_kept(monkeypatch, name, steps):
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp(name, seed=0)
    assert app.no_color  # Textual's reading of the variable: every colour on screen is turned grey or dropped
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, steps)
        seen = check_plain(boundary)
        n = len(boundary.points)
        assert seen.get("●", 0) + seen.get("▲", 0) == n  # six points in both lessons, none hidden by the drawing
        assert seen.get("●", 0) == sum(lab == 1 for lab in boundary.labels)
        assert seen.get("·", 0) > 100 and seen.get(" ", 0) > 100  # both regions on screen, told apart by text
        assert sum(seen.get(g, 0) for g in LINE) >= boundary.size[1] // 2  # the line runs across the plot
        shot = app.export_screenshot()  # the whole screen renders through the NO_COLOR filter
        assert "boundary" in shot


async def test_without_colour_a_line_across_the_plot_shows_its_direction(monkeypatch):
    # a = 0, b = 1: score = y + c, a level line; a = 1, b = 0: an upright one; a = -b: a diagonal (about 45 degrees
    # on screen, as the plot's box is about as tall in half cells as it is wide in cells), each through the middle.
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, 0)
        for values, glyph in [({"a": 0.0, "b": 1.0, "c": 0.3}, "─"), ({"a": 1.0, "b": 0.0, "c": -1.0}, "│"),
                              ({"a": 1.0, "b": -1.0, "c": -1.95}, "╱"), ({"a": -1.0, "b": -1.0, "c": 0.05}, "╲")]:
            boundary.show(values)
            await pilot.pause()
            seen = check_plain(boundary)
            drawn = {g: seen.get(g, 0) for g in LINE}
            assert max(drawn, key=drawn.get) == glyph, (values, drawn)


async def test_without_colour_the_circuit_lessons_work(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "s")
        await pilot.pause(0.1)
        tree = str(app.screen.query_one(CircuitView).render())
        assert "∇" in tree and "← sigmoid" in tree  # gradients and gates are told by marks, not by colour
        assert "gradient" in app.export_screenshot()  # every widget renders through the NO_COLOR filter


def test_the_legend_says_what_the_pattern_means_when_colour_is_off():
    from hnn_tui.widgets.boundary_view import PATTERN, legend

    assert legend(False) == "boundary: ● +1 ▲ -1 · blue: score > 0"  # the colour title, unchanged
    plain = legend(True)
    assert "blue" not in plain and f"({PATTERN}): score > 0" in plain and "● +1" in plain and "▲ -1" in plain
    assert len(plain) <= 44  # fits the boundary's border at 80x24


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


@pytest.mark.parametrize("system,regions", [(ColorSystem.STANDARD, {True: 4, False: 1}),
                                            (ColorSystem.EIGHT_BIT, {True: 24, False: 88})])
async def test_in_16_and_256_colours_the_regions_and_the_points_stay_apart(monkeypatch, system, regions):
    # Colour on: each half cell is its region's colour once downgraded (blue and red in 16 colours), the line
    # shows as a half block, and the two kinds of point keep colours of their own, off both regions.
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = HnnApp("svm", seed=0)
    async with app.run_test(size=SIZE) as pilot:
        boundary = await trained(pilot, 400)
        signs = half_signs(boundary)
        point_colours = {1: set(), -1: set()}
        glyphs = set()
        for r, row in enumerate(cells(boundary)):
            for c, (ch, style) in enumerate(row):
                fg = style.color.downgrade(system).number if style.color else None
                bg = style.bgcolor.downgrade(system).number
                top, bot = bool(signs[2 * r, c]), bool(signs[2 * r + 1, c])
                glyphs.add(ch)
                if ch in POINTS:
                    point_colours[POINTS[ch]].add(fg)
                    assert bg in (regions[top], regions[bot])
                elif ch == "▀":
                    assert (fg, bg) == (regions[top], regions[bot]) and top != bot
                else:
                    assert ch == " " and top == bot and bg == regions[top], (r, c, ch, style)
        assert glyphs == {" ", "▀", "●", "▲"}
        pos, neg = point_colours[1], point_colours[-1]
        assert len(pos) == len(neg) == 1 and pos != neg
        assert not (pos | neg) & set(regions.values())
        if system == ColorSystem.STANDARD:  # 8-colour terminals show bright colours as their base colour
            assert len({n % 8 for n in pos | neg}) == 2 and not {n % 8 for n in pos | neg} & set(regions.values())
