"""The craft-of-training keys on the model screens (keys.py `_craft`, panels.craft): L1 and dropout live, the start's
scheme and biases restarting, class weights and the engine live on the classifiers; each knob's value on the knobs
line, and a knob a model has not refused with a notice. The binary classifier's per-class accuracy under its charts."""
from __future__ import annotations

import pytest
from helpers import wait_for
from textual.widgets import Static

from hnn_tui.app import HnnApp
from hnn_tui.panels.base import fitted_items
from hnn_tui.panels.craft import ranked
from hnn_tui.screens import playground

SIX = "[[0.5, 1.0], [1.5, 0.5], [2.0, 2.0], [1.0, 0.2], [0.3, 0.4], [1.2, 1.8]]"
SIZE = (120, 40)


def scenario(tmp_path, model: str, labels: str = "[1, -1, 1, -1, 1, -1]", name: str = "craft") -> str:
    """A tiny classifier on six inline points: quick steps, whatever the engine."""
    f = tmp_path / f"{name}.toml"
    f.write_text(f'title = "{name}"\nkind = "classifier"\nstrategy = "analytic"\nseed = 0\nsteps = 100000\n'
                 f"[model]\n{model}\nreg = 0.1\nbatch = \"full\"\n[data]\npoints = {SIX}\nlabels = {labels}\n"
                 "[settings]\nstep_size = 0.01\n")
    return str(f)


def knobs_line(app) -> str:
    box = next(b for b in app.screen.query(Static) if b.id and b.id.endswith("-keys"))
    return " ".join(str(box.render()).split())


def spec(app):
    return app.screen.session.scenario.spec


async def settle(pilot, *keys) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_l1_is_live_and_shown_mid_run_too(tmp_path):
    app = HnnApp(scenario(tmp_path, 'type = "mlp"\nlayers = [4]'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "[[]] L1 0 " in knobs_line(app) and spec(app).l1 == 0
        await settle(pilot, "right_square_bracket")
        assert spec(app).l1 == 0.0001 and "[[]] L1 0.0001 " in knobs_line(app)
        await settle(pilot, "right_square_bracket")
        assert spec(app).l1 == 0.0002 and "[[]] L1 0.0002 " in knobs_line(app)
        await settle(pilot, "left_square_bracket", "left_square_bracket")
        assert spec(app).l1 == 0 and "[[]] L1 0 " in knobs_line(app)
        await settle(pilot, "space")  # mid-run: the same parameters go on, with L1 from the next step
        await wait_for(pilot, lambda: app.screen.snapshot.step > 3)
        await settle(pilot, "right_square_bracket")
        assert spec(app).l1 == 0.0001 and app.screen.running
        at = app.screen.snapshot.step
        await wait_for(pilot, lambda: app.screen.snapshot.step > at + 3)
        assert app.screen.session.lesson.objective.l1 == 0.0001 and "[[]] L1 0.0001 " in knobs_line(app)


async def test_dropout_on_the_mlp_and_a_notice_elsewhere(tmp_path, notices):
    app = HnnApp(scenario(tmp_path, 'type = "mlp"\nlayers = [4]'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "[{}] dropout 0 " in knobs_line(app)
        await settle(pilot, "right_curly_bracket", "right_curly_bracket")
        assert spec(app).dropout == 0.2 and "[{}] dropout 0.2 " in knobs_line(app)
        await settle(pilot, "s")  # the step draws its masks: a list per point of a list per hidden layer
        masks = app.screen.session.lesson.objective.masks
        assert len(masks) == 6 and all(len(m) == 1 and set(m[0]) <= {0.0, 1.25} for m in masks)
        await settle(pilot, "left_curly_bracket")
        assert spec(app).dropout == 0.1 and app.screen.snapshot.step == 1  # live: no restart
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        before = spec(app)
        await settle(pilot, "right_curly_bracket")
        assert spec(app) == before and "dropout" not in knobs_line(app)
        assert any("no dropout on the SVM" in n for n in notices)
    app = HnnApp("neural_net")  # the guide's net is its own code, not models.MLP: no dropout either
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket")
        assert spec(app).dropout == 0 and any("no dropout on the guide's net" in n for n in notices)


async def test_the_start_keys_restart_and_say_so(tmp_path, notices):
    app = HnnApp(scenario(tmp_path, 'type = "mlp"\nlayers = [4]'))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "s", "s")
        await settle(pilot, "I")
        await wait_for(pilot, lambda: spec(app).init_scheme == "xavier" and "[I] init xavier" in knobs_line(app))
        assert app.screen.snapshot.step == 0 and any(n.startswith("restarted: ") for n in notices)
        await settle(pilot, "V")
        await wait_for(pilot, lambda: spec(app).bias_start == -2 and "[vV] bias -2 " in knobs_line(app))
        values = app.screen.snapshot.values
        biases = [p for p in values if p.startswith("b")]
        assert biases and all(values[p] == -2.0 for p in biases)
        await settle(pilot, "V")
        await wait_for(pilot, lambda: spec(app).bias_start == -1 and "[vV] bias -1 " in knobs_line(app))
        await settle(pilot, "v", "v")
        await wait_for(pilot, lambda: spec(app).bias_start is None and "[vV] bias default " in knobs_line(app))
        assert spec(app).init_scheme == "xavier"  # the scheme kept over the bias's restarts


def right_line(app) -> str:
    """The per-class accuracy line on view: under the charts, or beside the step's inside on a short terminal."""
    (shown,) = [b for b in app.screen.query("#class-right, #class-right-short") if b.display]
    return str(shown.render())


async def test_class_weights_are_live_and_the_per_class_accuracy_shows(tmp_path):
    path = scenario(tmp_path, 'type = "svm"\ninit = { a = 0.0, b = 0.0, c = 1.0 }', "[1, 1, 1, 1, 1, -1]")
    app = HnnApp(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert right_line(app) == "right: ● +1 1.00 · ▲ -1 0.00"  # 5 of 6 right: the one -1 point always wrong
        assert app.screen.query_one("#class-right-short").display  # beside the inside: the charts keep their rows
        assert app.screen.snapshot.measures["accuracy"] == pytest.approx(5 / 6)
        await settle(pilot, "W")
        assert spec(app).class_weights_mode == "balanced" and "[W] weights balanced" in knobs_line(app)
        assert app.screen.snapshot.step == 0 and dict(app.screen.snapshot.values) == {"a": 0.0, "b": 0.0, "c": 1.0}
        app.screen.advance(200)
        await pilot.pause()
        acc = app.screen.snapshot.extra["class_accuracy"]
        assert right_line(app) == f"right: ● +1 {acc['+1']:.2f} · ▲ -1 {acc['-1']:.2f}"
        await settle(pilot, "W")
        assert spec(app).class_weights_mode is None and "[W] weights equal" in knobs_line(app)
    app = HnnApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#class-right").display  # under the charts
        assert right_line(app) == "right: ● +1 1.00 · ▲ -1 0.00"


async def test_the_engine_keeps_the_parameters_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(playground, "TABLE_INTERVAL", 1000.0)  # a run's own redraws leave the knobs line alone:
    app = HnnApp(scenario(tmp_path, 'type = "mlp"\nlayers = [4]'))  # a knob turned mid-run shows at once all the same
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "s", "s")
        before = dict(app.screen.snapshot.values)
        await settle(pilot, "E")
        assert spec(app).engine == "numpy" and "[E] numpy" in knobs_line(app)
        assert dict(app.screen.snapshot.values) == before and app.screen.snapshot.step == 2
        await settle(pilot, "s")
        assert app.screen.snapshot.step == 3 and app.screen.snapshot.forward_passes == 18  # 6 points a step
        await settle(pilot, "space")
        await wait_for(pilot, lambda: app.screen.snapshot.step > 8)
        await settle(pilot, "E")  # mid-run: back to python, the run goes on
        assert spec(app).engine == "python" and app.screen.running and "[E] python" in knobs_line(app)
        at = app.screen.snapshot.step
        await wait_for(pilot, lambda: app.screen.snapshot.step > at + 3)


async def test_multiclass_and_regression_have_the_keys_that_apply(tmp_path, notices):
    app = HnnApp("softmax_blobs")  # linear class scores: no hidden units to drop
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket")
        assert spec(app).dropout == 0 and any("no dropout on linear class scores" in n for n in notices)
        await settle(pilot, "E", "W", "right_square_bracket")
        assert (spec(app).engine, spec(app).class_weights_mode, spec(app).l1) == ("numpy", "balanced", 0.0001)
        line = knobs_line(app)
        assert "[E] numpy" in line and "[W] weights balanced" in line and "[[]] L1 0.0001" in line
    app = HnnApp("multiclass_svm")  # a multiclass mlp: dropout applies
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket")
        assert spec(app).dropout == 0.1 and "[{}] dropout 0.1" in knobs_line(app)
    app = HnnApp("sine_fit")  # an mlp: dropout applies; no classes: no W, no E
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket", "right_square_bracket", "E", "W")
        line = knobs_line(app)
        assert (spec(app).dropout, spec(app).l1) == (0.1, 0.0001)
        assert "[{}] dropout 0.1" in line and "[[]] L1 0.0001" in line and "[E]" not in line and "[W]" not in line
    net = tmp_path / "net_fit.toml"  # a regression net: dropout applies
    net.write_text('title = "net"\nkind = "regression"\n[model]\ntype = "net"\nhidden = 3\n'
                   '[data]\ndataset = "line"\nn = 10\n')
    app = HnnApp(str(net))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket")
        assert spec(app).dropout == 0.1 and "[{}] dropout 0.1" in knobs_line(app)
    app = HnnApp("line_fit")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "right_curly_bracket")
        assert spec(app).dropout == 0 and any("no dropout on a line" in n for n in notices)
        await settle(pilot, "V")  # the file's own start (init) gives way to the biases' start
        await wait_for(pilot, lambda: spec(app).bias_start == -2 and "[vV] bias -2" in knobs_line(app))
        assert app.screen.snapshot.values["b"] == -2.0
        assert any(n.startswith("restarted: biases start at -2; the file's starting values give way") for n in notices)
        await settle(pilot, "I")
        await wait_for(pilot, lambda: spec(app).init_scheme == "xavier" and "[I] init xavier" in knobs_line(app))


async def test_a_short_terminal_keeps_the_knobs_lines_and_what_matters_in_them(tmp_path):
    app = HnnApp(scenario(tmp_path, 'type = "svm"'))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = str(app.screen.query_one("#classifier-keys", Static).render()).splitlines()
        assert len(box) == 1 and len(box[0]) <= 78  # the one line the lesson's own knobs took before
        assert "[E] python" in box[0] and box[0].endswith(" …") and "[vV]" not in box[0]
        assert any(c.display for c in app.screen.query("HistoryChart"))  # the cost chart keeps its rows
        await settle(pilot, "V")
        await wait_for(pilot, lambda: "[vV] bias -2" in knobs_line(app))
        await settle(pilot, "right_square_bracket")
        line = knobs_line(app)
        assert "[[]] L1 0.0001" in line and "[vV] bias -2" in line and "[E] python" in line  # turned: kept
    app = HnnApp(scenario(tmp_path, 'type = "svm"\nl1 = 0.01', name="own_l1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "[[]] L1 0.01" in knobs_line(app) and "[vV]" not in knobs_line(app)  # the lesson's own L1 first


def test_items_that_do_not_fit_give_way_least_useful_first():
    items = ["aaaa", "bbbb", "cccc", "dddd"]
    assert fitted_items(items, 9) == ["aaaa", "bbbb", "cccc", "dddd"]  # no limit: every item, one a line
    assert fitted_items(items, 10, " ") == ["aaaa bbbb", "cccc dddd"]
    assert fitted_items(items, 10, " ", max_lines=1) == ["aaaa …"]
    assert fitted_items(items, 10, " ", [3, 2, 0, 1], max_lines=1) == ["cccc …"]
    assert fitted_items(items, 14, " ", [3, 2, 0, 1], max_lines=1) == ["cccc dddd …"]  # their order kept
    assert fitted_items(items, 10, " ", max_lines=2) == ["aaaa bbbb", "cccc dddd"]  # all fit: no …
    shown, ranks = ranked([("reg", "a"), ("bias", "b"), ("engine", "c"), ("l1", "d"), ("seed", "e")], ("bias",))
    assert shown == ["a", "b", "c", "d", "e"] and ranks[1] < ranks[2] < ranks[0] < ranks[3] < ranks[4]
    _, ranks = ranked([("reg", "a"), ("bias", "b"), ("engine", "c"), ("l1", "d")], ("reg", "bias"), {"l1"})
    assert ranks[0] < ranks[1] < ranks[2] < ranks[3] < 1  # turned (the latest first), the engine, set by the lesson
