"""The path map (widgets.path_map) in the app: shown for two trainable values only (a 2-input circuit, one edited to
two inputs, a regression's line), every step's point on it joined up and the point now marked, pokes that start
the path again on a new landscape, the view that grows, and a picture readable without colour and in 16 colours.

Pilot tests: the app in-process, the map's own rendered strips read cell by cell."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import SIZE, write
from rich.color import ColorSystem
from textual.widgets import Input

from hnn_tui.app import HnnApp
from hnn_tui.engine.landscape import grid, landscape_for
from hnn_tui.panels.circuit import CircuitPanel
from hnn_tui.widgets.boundary_view import GUTTER
from hnn_tui.widgets.path_map import BAND_BG, JOINS, NOW, PATH_FG, PLAIN_EVEN, PLAIN_ODD, STEP, PathMap, path_cells

CONTOUR = set("┆⋱┄⋰")


def cells(path_map: PathMap) -> list[list[tuple[str, object]]]:
    """The picture's character cells (the tick gutter and the x axis left out), each (character, style)."""
    w, h = path_map.size
    rows = []
    for y in range(h - 1):
        row = [(ch, seg.style) for seg in path_map.render_line(y) for ch in seg.text]
        rows.append(row[GUTTER:w])
    return rows


def half_cell(path_map: PathMap, u: float, v: float) -> tuple[int, int]:
    """The (half-cell row, column) the point (u, v) falls in, in the map's view."""
    rows, cols = path_map.cells
    u0, u1, v0, v1 = path_map.view
    return int(np.floor((v1 - v) / (v1 - v0) * 2 * rows)), int(np.floor((u - u0) / (u1 - u0) * cols))


def cell_of(path_map: PathMap, u: float, v: float) -> tuple[int, int]:
    r2, c = half_cell(path_map, u, v)
    return r2 // 2, c


async def shown(pilot, steps: int = 0) -> PathMap | None:
    if steps:
        pilot.app.screen.advance(steps)
    await pilot.pause()
    await pilot.pause(0.05)
    found = pilot.app.screen.query(PathMap)
    return found.first() if found else None


async def test_a_two_input_circuit_has_the_map_and_every_steps_point_is_on_it():
    app = HnnApp("bigger_step")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "plus", "plus")  # step size 1: each step jumps across the top
        path_map = await shown(pilot, 5)
        assert path_map is not None and path_map.display
        snaps_values = [(3.0, 4.0), (-3.0, -4.0)]  # the bounce: (3, 4) -> (-3, -4) -> (3, 4) ...
        assert path_map.path.steps.tolist() == [0, 1, 2, 3, 4, 5]
        assert list(zip(path_map.path.us, path_map.path.vs)) == [snaps_values[k % 2] for k in range(6)]
        grid_ = cells(path_map)
        r, c = cell_of(path_map, -3.0, -4.0)
        assert grid_[r][c][0] == NOW  # the point now
        r0, c0 = cell_of(path_map, 3.0, 4.0)
        assert grid_[r0][c0][0] == STEP  # the start, a step's point
        (a2, ac), (b2, bc) = half_cell(path_map, 3.0, 4.0), half_cell(path_map, -3.0, -4.0)
        joins = path_cells(np.array([a2, b2]), np.array([ac, bc]))[1]
        between = [grid_[rr][cc][0] for rr, cc in zip(*joins[:2])]
        assert between and set(between) == {"/"}  # the join: up and to the right, one stroke all the way


async def test_a_run_reports_every_step_to_the_path():
    app = HnnApp("single_gate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "full_stop", "full_stop", "full_stop", "space")  # max speed, analytic
        await pilot.pause(0.6)
        await pilot.press("space")
        await pilot.pause(0.2)
        path_map = await shown(pilot)
        session = app.screen.session
        n = session.current.step
        assert n > 20 and path_map.path.steps.tolist() == list(range(n + 1))
        assert (path_map.path.us[-1], path_map.path.vs[-1]) == (session.current.values["x"],
                                                              session.current.values["y"])


@pytest.mark.parametrize("name", ["neuron", "sine_fit"])  # five trainable inputs; an mlp
async def test_no_map_without_exactly_two_trainable_values(name):
    app = HnnApp(name)
    async with app.run_test(size=SIZE) as pilot:
        assert await shown(pilot) is None


async def test_an_edit_to_two_inputs_brings_the_map_and_one_to_three_takes_it_away():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        assert await shown(pilot) is None
        for text, has_map in (("x*y + x", True), ("x*y + z; z=1", False)):
            await pilot.press("e")
            await pilot.pause()
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
            path_map = await shown(pilot)
            await pilot.pause(0.1)
            assert app.screen.session.stage.expression == text.split(";")[0]
            assert (path_map is not None) == has_map
            if has_map:
                assert path_map.landscape.names == ("x", "y") and path_map.path.steps.tolist() == [0]
                u, v = app.screen.session.current.values["x"], app.screen.session.current.values["y"]
                r, c = cell_of(path_map, u, v)
                assert cells(path_map)[r][c][0] == NOW


async def test_a_poke_of_a_held_input_changes_the_landscape_and_starts_the_path_again(tmp_path):
    f = write(tmp_path, "pegged.toml", 'title = "t"\nkind = "circuit"\n[circuit]\nexpression = "x*y + z*z"\n'
              'inputs = { z = 1.0, x = -2.0, y = 3.0 }\ntrainable = ["x", "y"]\n')
    app = HnnApp(str(f))
    async with app.run_test(size=SIZE) as pilot:
        path_map = await shown(pilot, 3)
        assert len(path_map.path) == 4
        rows, cols = path_map.cells
        before = path_map.heights(path_map.view, cols, 2 * rows)[0].copy()
        app.screen.panel.post_message(CircuitPanel.Poke("z", value=2.0))  # as a typed value does
        path_map = await shown(pilot)
        assert app.screen.session.current.values["z"] == 2.0
        assert len(path_map.path) == 1  # the path starts again at the point now
        rows, cols = path_map.cells
        after, _ = path_map.heights(path_map.view, cols, 2 * rows)
        U, V = grid(path_map.view, cols, 2 * rows)
        assert np.array_equal(after, U * V + 4.0) and np.array_equal(before, U * V + 1.0)


async def test_the_view_grows_when_the_path_leaves_it():
    app = HnnApp("bigger_step")
    async with app.run_test(size=SIZE) as pilot:
        path_map = await shown(pilot)
        first = path_map.view
        await pilot.press(*["plus"] * 4)  # step size 2: each step lands three times farther out
        path_map = await shown(pilot, 2)
        u0, u1, v0, v1 = path_map.view
        assert u1 - u0 > first[1] - first[0]
        for u, v in zip(path_map.path.us, path_map.path.vs):
            assert u0 <= u <= u1 and v0 <= v <= v1
        await pilot.press("r")
        path_map = await shown(pilot)
        assert path_map.view == first and len(path_map.path) == 1  # a reset chooses the view afresh


async def test_a_regression_line_has_the_map_of_its_cost_on_a_wide_terminal():
    app = HnnApp("line_fit")
    async with app.run_test(size=(160, 50)) as pilot:
        path_map = await shown(pilot, 30)
        assert path_map is not None and path_map.display and path_map.landscape.names == ("a", "b")
        assert path_map.path.steps.tolist() == list(range(31))
        r, c = cell_of(path_map, *(app.screen.session.current.values[k] for k in "ab"))
        assert cells(path_map)[r][c][0] == NOW
        rows, cols = path_map.cells
        U, V = grid(path_map.view, cols, 2 * rows)
        await pilot.press("K", "K")  # a stronger spring: the cost, and so its landscape, changes
        path_map = await shown(pilot)
        spec = app.screen.session.scenario.spec
        assert spec.reg > 0
        heights, _ = path_map.heights(path_map.view, cols, 2 * rows)
        assert np.array_equal(heights, landscape_for(spec).height({}, *grid(path_map.view, cols, 2 * rows)))
        assert not np.array_equal(heights, landscape_for(dataclasses.replace(spec, reg=0.0)).height({}, U, V))
    app = HnnApp("line_fit")
    async with app.run_test(size=SIZE) as pilot:  # at 120 columns the fit keeps the room
        assert not (await shown(pilot)).display


async def test_on_a_small_terminal_the_map_gives_way_to_the_chart():
    app = HnnApp("single_gate")
    async with app.run_test(size=(80, 24)) as pilot:
        path_map = await shown(pilot, 3)
        assert not path_map.display and path_map.path.steps.tolist() == [0, 1, 2, 3]  # hidden, still kept


async def test_without_colour_the_bands_are_patterns_denser_higher(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = HnnApp("bigger_step")
    async with app.run_test(size=SIZE) as pilot:
        path_map = await shown(pilot, 3)
        rows, cols = path_map.cells
        _, band = path_map.heights(path_map.view, cols, 2 * rows)
        seen, colours = set(), set()
        for r, row in enumerate(cells(path_map)):
            for c, (ch, style) in enumerate(row):
                colours.add((style.color, style.bgcolor))  # one pair for every cell: nothing told by colour
                if ch in CONTOUR or ch in STEP + NOW + "".join(JOINS):
                    continue
                b = band[2 * r, c]
                assert ch == (PLAIN_EVEN if (r + c) % 2 == 0 else PLAIN_ODD)[b], (r, c, ch, b)
                seen.add(b)
        assert seen == set(range(6)) and len(colours) == 1
        pairs = [e + o for e, o in zip(PLAIN_EVEN, PLAIN_ODD)]  # each band's pattern: six, denser higher
        assert len(set(pairs)) == 6 and pairs[0] == "  "
        assert [sum(ch != " " for ch in p) for p in pairs] == sorted(sum(ch != " " for ch in p) for p in pairs)
        assert "▕  ▏" in str(path_map.border_subtitle) and "▕+:▏" in str(path_map.border_subtitle)


async def test_in_16_colours_the_six_bands_and_the_path_stay_apart(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    from rich.style import Style
    numbers = [Style.parse(f"on {c}").bgcolor.downgrade(ColorSystem.STANDARD).number for c in BAND_BG]
    assert len(set(numbers)) == 6 and len({n % 8 for n in numbers}) == 6  # 8-colour terminals too
    path = Style.parse(PATH_FG).color.downgrade(ColorSystem.STANDARD).number
    assert path not in numbers and path % 8 not in {n % 8 for n in numbers}
    app = HnnApp("single_gate")
    async with app.run_test(size=SIZE) as pilot:
        path_map = await shown(pilot, 3)
        rows, cols = path_map.cells
        _, band = path_map.heights(path_map.view, cols, 2 * rows)
        for r, row in enumerate(cells(path_map)):
            for c, (ch, style) in enumerate(row):
                if ch == " ":  # a plain cell: its band's colour
                    assert style.bgcolor == Style.parse(f"on {BAND_BG[band[2 * r, c]]}").bgcolor
