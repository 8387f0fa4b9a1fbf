"""The first ten minutes with a lesson: one gradient story, a reset that resets, knobs that can be found, a layout
that fits the terminal, nothing cut off."""
from __future__ import annotations

import re

import pytest
from helpers import SIZE, status_text

from hnn_tui.app import HnnApp
from hnn_tui.screens.help import HelpScreen
from hnn_tui.widgets.chart_stack import MIN_ROWS, ChartStack
from hnn_tui.widgets.charts import HistoryChart
from hnn_tui.widgets.circuit_view import CircuitView
from hnn_tui.widgets.number_tables import GradCheckTable, ParamTable

GRAD = re.compile(r"^\W*(\w+) = \S+ (∇≈?) (\S+)")


def tree_grads(app) -> dict[str, tuple[str, str]]:
    """Each wire's gradient on the tree: label -> (mark, number)."""
    text = str(app.screen.query_one(CircuitView).render())
    return {m[1]: (m[2], m[3]) for m in map(GRAD.match, text.splitlines()) if m}


def table(app) -> dict[str, list[str]]:
    rows = [ln.split() for ln in str(app.screen.query_one(GradCheckTable).render()).splitlines()]
    return {r[0]: r for r in rows[1:] if r}  # input, value, backprop, numeric, |diff|


# --- one gradient story -----------------------------------------------------------------------------

async def test_the_tree_shows_the_gradient_at_the_values_shown_and_the_table_agrees():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # step 0: the guide's gradients at the start, [-0.105, 0.315, 0.105, 0.105, 0.210], before any step
        assert {n: tree_grads(app)[n] for n in "abcxy"} == {
            "a": ("∇", "-0.1050"), "b": ("∇", "0.3150"), "c": ("∇", "0.1050"), "x": ("∇", "0.1050"),
            "y": ("∇", "0.2100")}
        await pilot.press("3", "s")  # one backprop step: the tree shows the gradient at the new values
        grads, rows = tree_grads(app), table(app)
        assert grads["b"] == ("∇", "0.3112")
        for name in "abcxy":
            assert grads[name][1] == rows[name][2], name  # the table's backprop column, at the same point
        assert "forward passes 1   backward passes 1" in status_text(app)  # the display's passes are not counted


async def test_after_a_numerical_step_the_inputs_show_its_estimate_marked_as_such():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "s")
        grads, rows = tree_grads(app), table(app)
        assert set(grads) == set("abcxy")  # only the inputs: the numerical gradient probes no inner wire
        for name in "abcxy":
            assert grads[name] == ("∇≈", rows[name][3]), name  # the table's numerical column
        assert "∇≈ numerical, h 0.0001, pull +1" in str(app.screen.query_one(CircuitView).render())
        assert "forward passes 6   backward passes 0" in status_text(app)


# --- reset ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,output,step_size", [("r", "0.882550", "0.01"), ("R", "0.889351", "0.05")])
async def test_r_resets_the_knobs_too_and_R_keeps_them(key, output, step_size):
    # + + takes the step size from 0.01 to 0.05; r restores the file's 0.01 (the guide's 0.8825 after a step),
    # R restarts with 0.05 kept.
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "plus", "1", "s", key)
        assert app.screen.snapshot.step == 0
        assert app.screen.session.strategy == ("analytic" if key == "r" else "random")
        await pilot.press("3", "s")
        assert f"output {output}" in status_text(app) and f"step size {step_size}" in status_text(app)


# --- keys people can find -----------------------------------------------------------------------------------

async def test_the_knobs_are_on_screen_with_their_keys():
    app = HnnApp("single_gate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = status_text(app).splitlines()[2]
        assert line.split() == ["[-+]", "step", "size", "0.01", "[hH]", "h", "0.0001", "[tT]", "tweak", "0.01",
                                "[,.]", "speed", "30/s", "[yY]", "tries", "100"]
        await pilot.press("plus", "H", "t", "full_stop")
        line = status_text(app).splitlines()[2]
        assert "step size 0.02" in line and "h 0.0002" in line and "tweak 0.005" in line and "speed 100/s" in line


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_help_scrolls_with_the_arrow_keys(size):
    app = HnnApp("neuron")
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y > 0  # it does overflow at this size
        await pilot.press("down", "down", "down")
        assert box.scroll_y > 0
        await pilot.press("end")
        assert box.scroll_y == box.max_scroll_y


# --- a layout by the space there is ---------------------------------------------------------------------------

SIZES = [(60, 18), (80, 24), (100, 30), (120, 40), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", ["neuron", "svm", "neural_net"])
async def test_charts_get_readable_rows_or_a_one_line_summary(name, size):
    app = HnnApp(name)
    async with app.run_test(size=size) as pilot:
        await pilot.press("s")
        await pilot.pause()
        stack = app.screen.query_one(ChartStack)
        shown = [c for c in stack.query(HistoryChart) if c.display]
        assert all(c.size.height >= MIN_ROWS for c in shown), [(c.id, c.size.height) for c in shown]
        summary = str(stack.query_one(".chart-summary").render())
        hidden = [c for c in stack.query(HistoryChart) if not c.display]
        for chart in hidden:
            assert chart.title in summary  # each chart out of view is summarized in a line
        if size[1] >= 30:
            assert not hidden  # a projector's 100x30 and up show every chart
        status = status_text(app).splitlines()
        assert len(status) == 3  # three lines, none wrapped


async def test_a_circuit_pulled_down_summarizes_its_lowest_output_and_pulled_up_its_highest():
    app = HnnApp("momentum_valley")  # pull = -1: the strategies lower the output
    async with app.run_test(size=(100, 30)) as pilot:  # the path map takes the room: the chart is a summary
        await pilot.press("s", "s", "s")
        await pilot.pause()
        stack = app.screen.query_one(ChartStack)
        summary = str(stack.query_one(".chart-summary").render())
        assert "(lowest " in summary and "at step 3)" in summary  # each step lowered it: the best is the newest
        await pilot.press("p", "p")  # the pull's cycle +1, +2, -1, 0: from -1 to 0, then +1
        await pilot.pause()
        assert app.screen.session.settings.pull == 1
        assert "(highest " in str(stack.query_one(".chart-summary").render())


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", ["two_gates", "neuron"])
async def test_the_circuit_panel_keeps_its_width_as_gradients_appear(name, size):
    app = HnnApp(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        before = app.screen.query_one(CircuitView).size.width
        await pilot.press("1", "s", "2", "s", "3", "s")
        await pilot.pause()
        assert app.screen.query_one(CircuitView).size.width == before


# --- nothing cut off -------------------------------------------------------------------------------------------

async def test_the_nets_parameters_all_show_at_120x40():
    app = HnnApp("neural_net")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        params = app.screen.query_one(ParamTable)
        lines = str(params.render()).splitlines()
        names = [cell for ln in lines if ln.startswith("parameter") for cell in ln.split()[1:]]
        assert names == list(app.screen.snapshot.values)  # all 13, none cut off
        assert all(len(ln) <= params.content_size.width for ln in lines)


@pytest.mark.parametrize("size", [(80, 24), (60, 18)])
async def test_the_gradient_check_keeps_its_difference_column_at_small_sizes(size):
    app = HnnApp("neuron")
    async with app.run_test(size=size) as pilot:
        await pilot.press("3", "s")
        widget = app.screen.query_one(GradCheckTable)
        lines = str(widget.render()).splitlines()
        assert lines[0].split()[:2] == ["input", "backprop"]  # the values are on the tree: their column goes first
        assert all(len(ln) <= widget.content_size.width for ln in lines)
        if size == (80, 24):
            assert lines[0].split()[-1] == "|diff|"


async def test_a_long_expression_keeps_its_whole_root_on_the_tree(tmp_path):
    expression = "sigmoid(a*x + b*y + c) * tanh(d*x - e*y) + relu(a - d)"
    f = tmp_path / "long.toml"
    f.write_text(f'title = "long"\nkind = "circuit"\n[circuit]\nexpression = "{expression}"\n'
                 "inputs = { a = 1.0, b = 2.0, c = -3.0, d = 0.5, e = -1.0, x = -1.0, y = 3.0 }\n")
    app = HnnApp(str(f))
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        first = str(app.screen.query_one(CircuitView).render()).splitlines()[2]
        assert first.startswith("sigmoid(a * x + b * y + c) * tanh(d * x - e * y) + relu(a - d) = ")


async def test_the_gradient_check_says_why_backprop_and_the_estimate_differ_at_a_kink(tmp_path):
    f = tmp_path / "kink.toml"
    f.write_text('title = "kink"\nkind = "circuit"\n[circuit]\nexpression = "relu(x) * y"\n'
                 "inputs = { x = 0.0, y = 2.0 }\n[settings]\ncentered = true\n")
    app = HnnApp(str(f))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one(GradCheckTable).render())
        assert table(app)["x"][2:4] == ["0", "1"]  # backprop 0 (relu passes nothing at 0), centered estimate 2/2
        assert "at a kink (relu(x) at 0): backprop gives one valid subgradient" in " ".join(text.split())


async def test_keys_typed_in_a_burst_with_back_or_before_the_screen_is_up_are_harmless():
    # Keys queued behind `b` (or typed ahead of a screen's first paint) may reach a screen with no panel.
    from textual import events

    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for key in ("b", "r", "R", "c", "s", "space", "r", "c"):
            app.post_message(events.Key(key, key if key != "space" else " "))  # as the driver delivers keys
        await pilot.pause(0.3)
        for key in ("r", "R", "c"):  # and straight at a screen that is gone
            getattr(screen, "action_" + {"r": "reset", "R": "reset", "c": "cycle_charts"}[key])()
        await pilot.pause(0.1)
        assert app.screen is not screen  # back at the picker; an exception would have been raised by run_test
