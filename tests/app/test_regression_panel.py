"""The regression screen: what its fit chart hands plotext (the curve is the model's prediction over x at the
snapshot's values, the points are the data, each set with its own marker, the step's point and its residual), the
inspector's numbers (the snapshot's batch, as `hnn-tui run --json` prints it), the cost and rmse charts (the
snapshots' values, the held-out ones dotted), the gradient check, and 80x24."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import SIZE, wait_for
from textual.widgets import Static
from textual_plotext.plot import Plot

from hnn_tui import keys
from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.regression_losses import FitPoint
from hnn_tui.numbers import num
from hnn_tui.panels.regression import RegressionPanel, batch_lines, why
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.widgets.charts import SECOND, HistoryChart
from hnn_tui.widgets.fit_chart import CURVE, HELD, MAX_GRID, RESIDUAL, STEP, TRAIN, FitChart, cells

XS = [-2.0, -1.6, -1.2, -0.8, -0.4, 0.0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.4]
TARGETS = [-3.1, -2.0, -1.5, -0.4, 0.3, 1.2, 1.7, 2.8, 3.3, 4.4, 4.9, 5.8]


def scenario(folder, batch: str = "sgd", validation: float = 0.25, loss: str = "squared") -> str:
    """A line fit of 12 points (3 held out), by backprop from a = 0.2, b = -0.5."""
    path = folder / "fit.toml"
    path.write_text(f"""kind = "regression"
title = "a line fit"
strategy = "analytic"
steps = 100
seed = 0

[model]
type = "line"
loss = "{loss}"
batch = "{batch}"
reg = 0.1
init = {{ a = 0.2, b = -0.5 }}

[data]
xs = {XS}
targets = {TARGETS}
validation = {validation}

[settings]
step_size = 0.02
""")
    return str(path)


@pytest.fixture
def series(monkeypatch):
    """Every series each plotext figure was asked to draw since its last clear:
    {Plot: [(kind, marker, xs, ys, color)]}."""
    seen: dict = {}
    real_plot, real_scatter, real_clear = Plot.plot, Plot.scatter, Plot.clear_data

    def spy(kind, real):
        def record(self, *args, **kwargs):
            seen.setdefault(self, []).append((kind, kwargs.get("marker"), list(args[0]), list(args[1]),
                                              kwargs.get("color")))
            return real(self, *args, **kwargs)
        return record

    def cleared(self, *args, **kwargs):
        seen[self] = []
        return real_clear(self, *args, **kwargs)

    monkeypatch.setattr(Plot, "plot", spy("plot", real_plot))
    monkeypatch.setattr(Plot, "scatter", spy("scatter", real_scatter))
    monkeypatch.setattr(Plot, "clear_data", cleared)
    return seen


def fit_series(app, series) -> dict:
    """The fit chart's series by marker, as its last build drew them (built now for the chart's size)."""
    chart = app.screen.query_one(FitChart)
    chart._picture = None
    chart.render()
    return {marker: (kind, xs, ys) for kind, marker, xs, ys, _ in series[chart.plt]}


async def test_the_curve_is_the_models_prediction_and_the_points_are_the_data(tmp_path, series):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(7)
        await pilot.pause()
        assert isinstance(app.screen.panel, RegressionPanel)
        stage, snap = app.screen.session.stage, app.screen.snapshot
        chart = app.screen.query_one(FitChart)
        drawn = fit_series(app, series)
        (x0, x1, *_), _, (columns, _) = chart.axes()
    assert len(stage.xs) == 9 and len(stage.val_xs) == 3  # 3 of 12 held out
    kind, grid, curve = drawn["braille"]
    assert kind == "plot" and grid == np.linspace(x0, x1, min(MAX_GRID, 2 * columns)).tolist()
    assert x0 <= min(XS) and x1 >= max(XS)  # the curve spans every point
    a, b = snap.values["a"], snap.values["b"]
    assert curve == stage.predict(dict(snap.values), np.array(grid)).tolist()
    assert np.allclose(curve, [a * x + b for x in grid], rtol=0, atol=1e-12)  # the line a*x + b, at this step
    assert drawn[TRAIN] == ("scatter", list(stage.xs), list(stage.targets))
    assert drawn[HELD] == ("scatter", list(stage.val_xs), list(stage.val_targets))
    assert TRAIN != HELD


async def test_the_steps_point_is_marked_with_its_residual_to_the_curve(tmp_path, series):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(3)
        await pilot.pause()
        stage, snap = app.screen.session.stage, app.screen.snapshot
        (point,) = snap.detail.inside.batch
        drawn = fit_series(app, series)
        picture = str(app.screen.query_one(FitChart).render())
    x, t = stage.xs[point.index], stage.targets[point.index]
    assert drawn[STEP] == ("scatter", [x], [t])
    _, seg_x, seg_y = drawn[RESIDUAL]
    now = float(stage.predict(dict(snap.values), np.array([x]))[0])  # the curve as drawn: after the step
    assert set(seg_x) == {x} and (min(seg_y), max(seg_y)) == (min(t, now), max(t, now))
    assert f"{STEP} step's point  {RESIDUAL} residual" in picture.splitlines()[0]
    for glyph in (TRAIN, HELD, STEP, RESIDUAL):  # meaning by shape: each mark is on the chart itself
        assert glyph in "".join(picture.splitlines()[1:]), glyph
    assert CURVE in picture.splitlines()[0]


@pytest.mark.parametrize("no_color", [False, True])
async def test_each_mark_has_its_own_colour_and_under_no_color_the_terminals_own(tmp_path, series, monkeypatch,
                                                                                  no_color):
    if no_color:  # Textual would turn magenta into a grey too dark to see: the shapes carry the meaning alone
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(2)
        await pilot.pause()
        chart = app.screen.query_one(FitChart)
        chart._picture = None
        chart.render()
        colors = {marker: color for _, marker, _, _, color in series[chart.plt]}
    assert set(colors) == {"braille", TRAIN, HELD, STEP, RESIDUAL}
    if no_color:
        assert set(colors.values()) == {"default"}
    else:
        assert len({colors["braille"], colors[TRAIN], colors[HELD], colors[STEP]}) == 4


async def test_the_inspector_states_the_steps_point_as_the_json_does(tmp_path):
    path = scenario(tmp_path)
    app = HnnApp(path, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(5)
        await pilot.pause()
        text = str(app.screen.query_one("#inside", Static).render())
    line = Session(load_scenario(path, 0))
    (p,) = [snap.to_dict() for snap in line.run(5)][-1]["batch"]
    assert p["residual"] == p["target"] - p["prediction"] and p["pull"] == 2 * p["residual"]
    way = "up" if p["pull"] > 0 else "down"
    assert (f"point {p['index']} at x {num(p['x'], 3)}: target {num(p['target'], 3)}, prediction "
            f"{num(p['prediction'], 3)}, residual {p['residual']:+.3g}: pull {way} {p['pull']:+.3g} "
            "= 2 × residual") in text, text


async def test_a_full_batch_names_its_largest_residuals(tmp_path, series):
    path = scenario(tmp_path, batch="full")
    app = HnnApp(path, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(2)
        await pilot.pause()
        text = str(app.screen.query_one("#inside", Static).render())
        drawn = fit_series(app, series)
        stage = app.screen.session.stage
    batch = [snap.to_dict() for snap in Session(load_scenario(path, 0)).run(2)][-1]["batch"]
    largest = sorted(batch, key=lambda p: -abs(p["residual"]))[:3]
    up = sum(p["pull"] > 0 for p in batch)
    assert f"all 9 points: {up} pull the curve up, {9 - up} down" in text, text
    assert "the largest residuals: " + ", ".join(f"point {p['index']} {p['residual']:+.3g}" for p in largest) in text
    top = largest[0]["index"]
    assert drawn[STEP][1:] == ([stage.xs[top]], [stage.targets[top]])  # ◆ on the largest one
    assert set(drawn[RESIDUAL][1]) == set(stage.xs)  # 9 points: every residual drawn


async def test_the_cost_and_rmse_charts_hold_the_snapshots_values(tmp_path, series):
    path, steps = scenario(tmp_path), 30
    app = HnnApp(path, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(steps)
        await pilot.pause()
        drawn = {}
        for chart_id in ("loss-chart", "rmse-chart"):
            c = app.screen.query_one(f"#{chart_id}", HistoryChart)
            assert c.display
            c._picture = None
            c.render()
            drawn[chart_id] = [(marker, list(zip(xs, ys))) for _, marker, xs, ys, _ in series[c.plt]]
    lines = [snap.to_dict() for snap in (lambda s: [s.current, *s.run(steps)])(Session(load_scenario(path, 0)))]
    (dotted, held), (line, training) = drawn["rmse-chart"]
    assert (dotted, line) == (SECOND, "braille")
    assert training == [(d["step"], d["rmse"]) for d in lines]
    assert held == [(d["step"], d["val_rmse"]) for d in lines]
    (_, held_cost), (_, cost) = drawn["loss-chart"]
    assert cost == [(d["step"], d["output"]) for d in lines]
    assert held_cost == [(d["step"], d["val_cost"] * 9) for d in lines]  # a mean point loss, × the 9 training points


async def test_a_paused_run_shows_its_last_step_on_every_chart(tmp_path, series):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")  # the step's words take their two lines now: no new layout during the run
        await pilot.pause()
        await pilot.press(*["full_stop"] * 4, "space")  # full speed: the charts are drawn every other frame
        await wait_for(pilot, lambda: app.screen.snapshot.step >= 300)
        await pilot.press("space")
        await wait_for(pilot, lambda: not app.screen.running)
        await pilot.pause(0.2)
        snap = app.screen.snapshot
        last = {}
        for chart_id in ("loss-chart", "rmse-chart"):
            plt = app.screen.query_one(f"#{chart_id}", HistoryChart).plt
            _, _, xs, ys, _ = series[plt][-1]  # the training curve, as its last build drew it
            last[chart_id] = (xs[-1], ys[-1])
        curve = fit_series(app, series)["braille"]
        a, b = snap.values["a"], snap.values["b"]
    assert last == {"loss-chart": (snap.step, snap.output), "rmse-chart": (snap.step, snap.measures["rmse"])}
    assert np.allclose(curve[2], [a * x + b for x in curve[1]], rtol=0, atol=1e-12)


async def test_g_checks_the_gradient_off_the_ui_thread(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(4)
        await pilot.press("g")
        inside = app.screen.query_one("#inside", Static)
        await wait_for(pilot, lambda: "gradient check at step 4" in str(inside.render()))
        table = str(app.screen.query_one("#params").render())
        assert "backprop ∇" in table and "numeric ∇" in table
        await pilot.press("g")
        await pilot.pause()
        assert "step 4 from the inside" in str(inside.render())


async def test_80x24_keeps_the_fit_chart_its_legend_and_a_chart(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.advance(20)
        await pilot.pause()
        screen = app.screen.region
        chart = app.screen.query_one(FitChart)
        assert screen.contains_region(chart.region) and chart.region.width >= 40
        picture = str(chart.render()).splitlines()
        top = next(i for i, line in enumerate(picture) if "┌" in line)
        bottom = next(i for i, line in enumerate(picture) if "└" in line)
        assert bottom - top - 1 == chart.axes()[2][1] >= 6  # the canvas: the points and the curve still readable
        assert len(picture) == chart.size.height and all(len(line) <= chart.size.width for line in picture)
        assert picture[0].split() == [TRAIN, "train", HELD, "held", CURVE, "fit", STEP, "step", RESIDUAL, "resid"]
        shown = [c for c in app.screen.query(HistoryChart) if c.display]
        assert [c.id for c in shown] == ["loss-chart"] and screen.contains_region(shown[0].region)
        assert "rmse" in str(app.screen.query_one(".chart-summary").render())  # the hidden chart, summed up
        for box in ("#inside", "#params", "#regression-keys"):
            widget = app.screen.query_one(box)
            assert widget.region.height >= 1 and screen.contains_region(widget.region), box
        assert app.screen.query_one("#regression-keys").region.height <= 2  # the knobs with their keys wrap once
        assert app.screen.query_one("#params").region.height == 4  # the names and 3 rows of pull, no frame
        assert "step 20: point" in str(app.screen.query_one("#inside").render())


# ---- the pure parts: the words of the inspector, the thinning of many points ---------------------------------------

def test_the_pull_is_explained_by_each_loss():
    assert why(0.5, 1.0, "squared", 1.0) == "pull up +1 = 2 × residual"
    assert why(-0.25, -0.5, "squared", 1.0) == "pull down -0.5 = 2 × residual"
    assert why(-3.0, -1.0, "absolute", 1.0) == "pull down -1: the residual's sign only, whatever its size"
    assert why(0.4, 0.4, "huber", 1.0) == "pull up +0.4 = the residual (|r| ≤ δ 1)"
    assert why(2.5, 1.0, "huber", 1.0) == "pull up +1: capped at δ 1 (|r| > δ)"
    assert why(0.0, 0.0, "absolute", 1.0) == "on its target: no pull"


def test_a_batch_line_names_the_largest_residuals_by_size_whatever_their_sign():
    pts = tuple(FitPoint(i, float(i), 0.0, 0.0, r, 2 * r) for i, r in enumerate([0.1, -3.0, 2.0, 0.0, -0.5, 1.0]))
    (line,) = batch_lines(type("Inside", (), {"batch": pts}), "squared", 1.0)
    assert line == ("all 6 points: 3 pull the curve up, 2 down, 1 not at all; the largest residuals: point 1 -3, "
                    "point 2 +2, point 5 +1; the data's pull is the mean of theirs")
    assert len(batch_lines(type("Inside", (), {"batch": pts[:4]}), "squared", 1.0)) == 4  # few: one line each


def test_many_points_are_thinned_to_one_per_cell_of_the_canvas():
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(0, 1, 5000), rng.uniform(0, 1, 5000)
    box, canvas = (0.0, 1.0, 0.0, 1.0), (40, 10)
    tx, ty = cells(xs, ys, box, canvas)

    def occupied(x, y):
        return set(zip(np.rint(x * 39).tolist(), np.rint(y * 9).tolist()))
    assert occupied(tx, ty) == occupied(xs, ys) and len(tx) == len(occupied(xs, ys)) <= 400
    assert set(zip(tx.tolist(), ty.tolist())) <= set(zip(xs.tolist(), ys.tolist()))  # real points, not centres


def test_the_regression_keys_come_from_their_table_and_hide_no_playground_key():
    flat = [k for r in keys.REGRESSION for k in r.keys]
    assert [(b.key, b.action) for b in RegressionPanel.BINDINGS] == [(k.keys, k.action) for k in flat]
    assert all(hasattr(RegressionPanel, f"action_{k.action.split('(')[0]}") for k in flat)
    bound = {name for b in RegressionPanel.BINDINGS for name in b.key.split(",")}
    assert {part.strip("`") for r in keys.REGRESSION for part in r.shown.split()} <= bound
    assert not bound & {name for b in PlaygroundScreen.BINDINGS for name in b.key.split(",")}


async def test_the_spring_loss_batch_and_seed_keys_turn_the_regression():
    app = HnnApp("line_fit")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.snapshot.step == 1)
        values = dict(app.screen.snapshot.values)
        spec = lambda: app.screen.session.scenario.spec  # noqa: E731
        await pilot.press("K", "l", "a")
        await wait_for(pilot, lambda: (spec().reg, spec().loss, spec().batch) == (0.0001, "absolute", "full"))
        await pilot.pause()
        snap = app.screen.snapshot
        assert dict(snap.values) == values and snap.step == 1  # live knobs: measured again, not a step
        # the cost shown is the absolute loss's at these parameters, plus the spring's 0.0001 * N / 2 * a^2
        xs, ts, a, b = spec().xs, spec().targets, values["a"], values["b"]
        expected = sum(abs(a * x + b - t) for x, t in zip(xs, ts)) + 0.0001 * len(xs) / 2 * a * a
        assert snap.output == pytest.approx(expected, rel=1e-12)
        assert "[l] absolute (L1)" in str(app.screen.query_one("#regression-keys").render())
        await pilot.press("l", "l")  # absolute -> huber -> squared: round the three
        await wait_for(pilot, lambda: spec().loss == "squared")
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.session.scenario.seed == 1)
        assert app.screen.snapshot.step == 0 and spec().reg == 0.0001  # a new start, the knobs kept
