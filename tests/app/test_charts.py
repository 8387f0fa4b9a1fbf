"""The history charts in the app: what is handed to plotext (peaks and dips kept), and the axes read off the
rendered chart (values going up, whole steps, compact labels that never run into each other)."""
from __future__ import annotations

import re

import pytest
from cases import circuit_text
from helpers import SIZE
from textual_plotext.plot import Plot

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario
from hnn_tui.widgets.charts import SECOND, HistoryChart

SIZES = [SIZE, (80, 24)]


@pytest.fixture
def plotted(monkeypatch):
    """The data each plotext figure was last asked to draw: {Plot: [(step, value), ...]}."""
    seen: dict = {}
    real = Plot.plot

    def spy(self, *args, **kwargs):
        seen[self] = list(zip(*args[:2]))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Plot, "plot", spy)
    return seen


def chart(app, chart_id: str) -> HistoryChart:
    return app.screen.query_one(f"#{chart_id}", HistoryChart)


def drawn(app, chart_id: str, plotted) -> list[tuple[int, float]]:
    c = chart(app, chart_id)
    c.render()  # lays the figure out for the chart's size, as a repaint does
    return plotted[c.plt]


def axes(c: HistoryChart) -> tuple[str, list[str], list[tuple[str, int, int]], list[int]]:
    """Read the rendered chart: (title line, y labels top to bottom, x labels with their columns, x tick columns)."""
    lines = str(c.render()).splitlines()
    ylabels = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    ticks = [m.start() for m in re.finditer("┬", lines[bottom])]
    xlabels = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", lines[bottom + 1])]
    return lines[0].strip(), ylabels, xlabels, ticks


def check_axes(c: HistoryChart, first_step: int, last_step: int) -> tuple[list[float], list[int]]:
    """The axes every chart must have; returns the y values (top first) and the steps labelled."""
    _, ylabels, xlabels, ticks = axes(c)
    ys = [float(label) for label in ylabels]
    rows = c.size.height - 5  # the canvas: less the title, the frame, the step labels and the axis name
    assert len(ys) >= 2 if rows >= 2 else not ys, ylabels  # one row stands for the whole range: no label
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys), ylabels  # going up
    assert all(len(label) <= 6 for label in ylabels), ylabels  # compact: -5.5, 0.8808, 1e12
    texts = [text for text, _, _ in xlabels]
    assert all(re.fullmatch(r"\d+", t) for t in texts), texts  # whole steps
    steps = [int(t) for t in texts]
    assert steps == sorted(set(steps)) and steps[0] == first_step and steps[-1] <= last_step, texts
    assert len(ticks) == len(xlabels), (texts, ticks)  # every label has its own tick: none glued to another
    for (_, start, end), tick in zip(xlabels, ticks):
        assert start - 1 <= tick <= end, (texts, ticks)  # each label stands under its tick
    assert all(b[1] - a[2] >= 2 for a, b in zip(xlabels, xlabels[1:])), texts  # a gap of 2 or more between labels
    return ys, steps


# --- item B: the axes ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_the_output_chart_at_step_0_goes_up_from_a_negative_output(size):
    app = HnnApp("single_gate")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.snapshot.output == -6.0
        c = chart(app, "output-chart")
        ys, steps = check_axes(c, 0, 1)
        assert ys[0] > ys[-1] and ys[0] >= -6.0 >= ys[-1]  # -6 between the bottom label and the top one
        assert (ys[0], ys[-1]) == (-5.0, -7.0)  # -6 ± max(1, 10% of 6)
        assert steps == [0, 1]


@pytest.mark.parametrize("size", SIZES)
async def test_step_labels_are_whole_numbers_as_a_run_goes_on(size):
    app = HnnApp("svm", seed=0)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for steps_so_far in (1, 3, 17, 37, 400, 1234):
            app.screen.advance(steps_so_far - app.screen.snapshot.step)
            await pilot.pause()
            shown = [c for c in app.screen.query(HistoryChart) if c.display]  # a short screen may hide one
            assert [c.id for c in shown] == (["loss-chart", "acc-chart"] if size == SIZE else [c.id for c in shown])
            assert shown and shown[0].id == "loss-chart"
            for c in shown:
                check_axes(c, 0, steps_so_far)
        if chart(app, "acc-chart").display:
            ys, _ = check_axes(chart(app, "acc-chart"), 0, 1234)
            assert (ys[0], ys[-1]) == (1.0, 0.0)  # accuracy keeps its 0-1 range


async def test_a_run_past_the_clip_says_so_and_labels_stay_compact(tmp_path):
    # x*y from (1, 1) with step size 1: the pulls are y and x, so x = y = 2**k and the output 4**k: 4**30 ~ 1e18
    path = tmp_path / "grows.toml"
    path.write_text(circuit_text(inputs="x = 1.0, y = 1.0", settings="step_size = 1"))
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(30)
        await pilot.pause()
        assert app.screen.snapshot.output == 4.0**30 and app.screen.snapshot.diverged is None
        c = chart(app, "output-chart")
        title, ylabels, _, _ = axes(c)
        assert title == "output (clipped at ±1e12)"
        ys, steps = check_axes(c, 0, 30)
        assert ylabels[0] == "1e12" and ys[-1] == 0.0
        assert not any("0000" in label for label in ylabels), ylabels


# --- item A: peaks and dips reach the chart; the default lessons succeed ------------------------------------------

async def test_svm_400_steps_every_extreme_reaches_the_charts(plotted):
    app = HnnApp("svm", seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(400)
        await pilot.pause()
        accuracy = drawn(app, "acc-chart", plotted)
        cost = drawn(app, "loss-chart", plotted)
    # the run's lowest cost, 2.806 at step 260: an even sample of 200 of the 401 steps skips step 260
    s = Session(load_scenario("svm", 0))
    costs = [(snap.step, snap.output) for snap in s.run(400)]
    lowest = min(costs, key=lambda c: c[1])
    assert lowest[0] == 260 and lowest in cost and min(v for _, v in cost) == lowest[1]
    assert cost[0] == (0, 19.8) and cost[-1] == costs[-1]
    # all six right at steps 366 and 368 only; they share a bucket of the sample (401 steps in 99 buckets), so its
    # highest value is drawn once, at the first of them
    assert max(v for _, v in accuracy) == 1.0
    perfect = [s for s, v in accuracy if v == 1.0]
    assert perfect[0] == 366 and set(perfect) <= {366, 368}


async def test_a_long_svm_run_keeps_its_first_all_six_right_on_the_chart(plotted):
    app = HnnApp("svm", seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(20_000)
        await pilot.pause()
        accuracy = drawn(app, "acc-chart", plotted)
    assert len(accuracy) <= 200 and accuracy[0][0] == 0 and accuracy[-1][0] == 20_000
    assert (366, 1.0) in accuracy  # the earliest 1.0, in the bucket of steps it falls in


async def test_neural_net_default_run_ends_with_all_six_right(plotted):
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(app.screen.session.scenario.steps)
        await pilot.pause()
        assert app.screen.snapshot.step == 400 and app.screen.snapshot.measures["accuracy"] == 1.0
        accuracy = drawn(app, "acc-chart", plotted)
    assert accuracy[-1] == (400, 1.0)
    assert [s for s, v in accuracy if v == 1.0][0] == 43  # where the description says it first gets there


# --- issue 13: a held-out set's cost and accuracy as second, dotted curves -----------------------------------------

@pytest.fixture
def every_plot(monkeypatch):
    """Every series each plotext figure was asked to draw since its last clear: {Plot: [(marker, points)]}."""
    seen: dict = {}
    real_plot, real_clear = Plot.plot, Plot.clear_data

    def spy(self, *args, **kwargs):
        seen.setdefault(self, []).append((kwargs.get("marker"), list(zip(*args[:2]))))
        return real_plot(self, *args, **kwargs)

    def cleared(self, *args, **kwargs):
        seen[self] = []
        return real_clear(self, *args, **kwargs)

    monkeypatch.setattr(Plot, "plot", spy)
    monkeypatch.setattr(Plot, "clear_data", cleared)
    return seen


async def test_the_held_out_curves_are_drawn_dotted_under_the_training_ones(every_plot):
    steps = 60
    app = HnnApp("heldout")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(steps)
        await pilot.pause()
        series = {}
        for chart_id in ("loss-chart", "acc-chart"):
            c = chart(app, chart_id)
            picture = str(c.render())
            series[chart_id] = every_plot[c.plt]
            assert "⠤ training" in picture.splitlines()[0] and "· held-out" in picture.splitlines()[0]
            assert picture.count(SECOND) > 10  # the dotted line itself, not only the legend
        n = len(app.screen.session.stage.labels)
    session = Session(load_scenario("heldout"))
    lines = [snap.to_dict() for snap in [session.current, *session.run(steps)]]
    for chart_id, key, scale in (("loss-chart", "val_cost", n), ("acc-chart", "val_accuracy", 1)):
        (dotted, held), (line, training) = series[chart_id]  # the held-out curve first: under the training one
        assert (dotted, line) == (SECOND, "braille")
        assert held == [(d["step"], d[key] * scale) for d in lines]
        first = "output" if key == "val_cost" else "accuracy"
        assert training == [(d["step"], d[first]) for d in lines]
    # the lesson's promise, on the chart: the held-out accuracy is best early and the two curves part
    assert max(v for _, v in series["acc-chart"][0][1]) == 0.8


async def test_without_a_held_out_set_each_chart_draws_one_curve(every_plot):
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(10)
        await pilot.pause()
        c = chart(app, "acc-chart")
        picture = str(c.render())
        assert [marker for marker, _ in every_plot[c.plt]] == ["braille"]
        assert picture.splitlines()[0].strip() == "training accuracy" and SECOND not in picture


@pytest.mark.parametrize("no_color", [False, True])
async def test_under_no_color_the_curves_take_the_terminals_own_colour(monkeypatch, no_color):
    """Textual's NO_COLOR filter turns red or magenta into a grey barely seen on a dark terminal: the curves are
    drawn in the terminal's own colour instead, told apart by their markers (braille, ·)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    colours = []
    real = Plot.plot

    def spy(self, *args, **kwargs):
        colours.append((kwargs.get("marker"), kwargs.get("color")))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Plot, "plot", spy)
    app = HnnApp("heldout")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(5)
        await pilot.pause()
        colours.clear()
        for chart_id in ("loss-chart", "acc-chart"):
            chart(app, chart_id).show(app.screen.panel.outputs, second=("a", "b", app.screen.panel.outputs))
            chart(app, chart_id).render()
    assert {m for m, _ in colours} == {"braille", SECOND}
    if no_color:
        assert {c for _, c in colours} == {"default"}
    else:
        assert {c for _, c in colours} == {"red", "green", "magenta"}
