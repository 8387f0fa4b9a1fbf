"""The regression lesson kind (issue 14): reading `kind = "regression"` files, the generated curves, the held-out
split, what a snapshot measures, and the stage a panel draws from."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from hnn_tui.engine import ScenarioError, Session, curves, heldout, parse_scenario
from hnn_tui.engine.lessons import KINDS, LESSONS, lesson_for
from hnn_tui.engine.lessons.regression import (
    RegressionDetail,
    RegressionLesson,
    RegressionSpec,
    RegressionStage,
    param_names,
)
from hnn_tui.engine.regression_losses import losses


def text(model='type = "line"', data='dataset = "line"\nn = 20', top="", settings=""):
    return f'title = "fit"\nkind = "regression"\n{top}\n[model]\n{model}\n[data]\n{data}\n[settings]\n{settings}\n'


def load(**kw):
    return parse_scenario(text(**kw), "fit.toml")


# --- reading the file -------------------------------------------------------------------------------------

def test_a_regression_file_reads_into_its_spec_with_the_documented_defaults():
    sc = load()
    spec = sc.spec
    assert isinstance(spec, RegressionSpec) and sc.kind == "regression" and lesson_for(spec) is RegressionLesson
    assert RegressionLesson in LESSONS and "regression" in KINDS
    assert (spec.model, spec.loss, spec.delta, spec.reg, spec.batch, spec.init, spec.init_scale) == \
        ("line", "squared", 1.0, 0.0, "sgd", None, 0.5)
    assert (spec.dataset, spec.data_n, spec.data_noise, spec.data_seed, spec.validation) == ("line", 20, 0.1, 0, 0.0)
    assert (spec.xs, spec.targets) == tuple(map(tuple, curves.load("line", 20, 0.1, 0)))
    assert (spec.val_xs, spec.val_targets) == ((), ())
    assert hash(sc) == hash(load())  # frozen all the way down


def test_the_models_parameters():
    assert param_names("line") == ["a", "b"]
    assert param_names("net", 2) == ["a1", "b1", "a2", "b2", "w1", "w2", "c"]
    assert param_names("mlp", layers=(2,)) == ["w1[0,0]", "b1[0]", "w1[1,0]", "b1[1]", "w2[0,0]", "w2[0,1]",
                                               "b2[0]"]
    s = Session(load(model='type = "net"\nhidden = 2\ninit = { a1 = 1.0, b1 = -0.5, a2 = -1.0, b2 = 0.25, '
                           'w1 = 2.0, w2 = 3.0, c = 0.1 }'))
    assert s.lesson.model.regularized == ["a1", "a2", "w1", "w2"]  # the weights feel the spring, not the biases
    # prediction = c + w1 * relu(a1 x + b1) + w2 * relu(a2 x + b2); at x = 1: 0.1 + 2 * 0.5 + 3 * 0 = 1.1
    # at x = -1: 0.1 + 2 * 0 + 3 * 1.25 = 3.85
    assert s.stage.predict(dict(s.current.values), np.array([1.0, -1.0])).tolist() == pytest.approx([1.1, 3.85])
    # drawn starts: the line and the net draw their biases too (so the net's kinks start spread, not all at x = 0);
    # the mlp's biases start at 0, as micrograd's
    net = Session(load(model='type = "net"\nhidden = 4')).current.values
    assert all(net[p] != 0.0 for p in ("b1", "b2", "b3", "b4", "c"))
    assert Session(load()).current.values["b"] != 0.0
    mlp = Session(load(model='type = "mlp"\nlayers = [3]')).current.values
    assert [mlp[p] for p in ("b1[0]", "b1[1]", "b1[2]", "b2[0]")] == [0.0] * 4 and mlp["w1[0,0]"] != 0.0


def test_inline_points_and_a_line_start():
    sc = load(model='type = "line"\ninit = { a = 2.0, b = -1.0 }', data="xs = [0, 1, 2]\ntargets = [-1, 1.5, 3]")
    assert (sc.spec.xs, sc.spec.targets, sc.spec.dataset) == ((0.0, 1.0, 2.0), (-1.0, 1.5, 3.0), "inline")
    s = Session(sc)
    assert dict(s.current.values) == {"a": 2.0, "b": -1.0}
    # predictions -1, 1, 3: the squared losses 0, 0.25, 0
    assert s.current.output == 0.25
    assert s.current.measures["rmse"] == pytest.approx(math.sqrt(0.25 / 3), rel=1e-15)


BAD = [
    ("unknown model", 'type = "svm"', "", "model.type", "expected one of line, net, mlp"),
    ("a classifier loss", 'type = "line"\nloss = "hinge"', "", "model.loss",
     "expected one of squared, absolute, huber"),
    ("delta without huber", 'type = "line"\ndelta = 0.5', "", "model.delta", 'applies to loss = "huber" only'),
    ("delta 0", 'type = "line"\nloss = "huber"\ndelta = 0', "", "model.delta", "greater than 0"),
    ("hidden on a line", 'type = "line"\nhidden = 4', "", "model.hidden", 'applies to type = "net" only'),
    ("layers on a net", 'type = "net"\nlayers = [4]', "", "model.layers", 'applies to type = "mlp" only'),
    ("bad layers", 'type = "mlp"\nlayers = [0]', "", "model.layers", "expected 1 to 4 whole numbers from 1 to 64"),
    ("unknown init", 'type = "line"\ninit = { c = 1.0 }', "", "model.init.c", "expected some of a, b"),
    ("negative reg", 'type = "line"\nreg = -1', "", "model.reg", "expected a number >= 0.0"),
    ("unknown curve", 'type = "line"', 'dataset = "moons"', "data.dataset", "expected one of line, sine, step"),
    ("two sources", 'type = "line"', 'dataset = "line"\nxs = [1]\ntargets = [2]', "data.xs",
     "expected one source of points"),
    ("lengths differ", 'type = "line"', "xs = [1, 2, 3]\ntargets = [1, 2]", "data.targets",
     "expected 3 targets (one per x), got 2"),
    ("nan target", 'type = "line"', "xs = [1, 2]\ntargets = [1, nan]", "data.targets[1]",
     "expected a finite number, got nan"),
    ("inf x", 'type = "line"', "xs = [inf]\ntargets = [1]", "data.xs[0]", "expected a finite number, got inf"),
    ("a string target", 'type = "line"', 'xs = [1]\ntargets = ["1"]', "data.targets[0]", "expected a finite number"),
    ("no points", 'type = "line"', "xs = []\ntargets = []", "data.xs", "expected at least one point"),
    ("labels", 'type = "line"', "xs = [1]\ntargets = [1]\nlabels = [1]", "data.labels", "unknown key"),
    ("huge noise", 'type = "line"', 'dataset = "line"\nnoise = 1e308', "data.noise", "every generated target"),
    ("nothing left to train", 'type = "line"', "xs = [1]\ntargets = [1]\nvalidation = 0.5", "data.validation",
     "holding out 1 of 1 points leaves none to train on"),
    ("validation 1", 'type = "line"', 'dataset = "line"\nvalidation = 1.0', "data.validation", "0 <= validation < 1"),
]


@pytest.mark.parametrize("why,model,data,key,words", BAD, ids=[b[0] for b in BAD])
def test_bad_regression_files_name_the_key(why, model, data, key, words):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text(model=model, data=data or 'dataset = "line"'), "bad.toml")
    assert (e.value.source, e.value.key) == ("bad.toml", key)
    assert words in e.value.problem and "\n" not in str(e.value)


def test_a_start_that_is_not_finite_is_refused():
    with pytest.raises(ScenarioError) as e:
        load(model='type = "line"\ninit = { a = 1e308 }', data="xs = [1e10]\ntargets = [0]")
    assert e.value.key == "model.init" and "the start is not finite" in e.value.problem


# --- the curves and the held-out split ---------------------------------------------------------------------

def test_the_curves_are_seeded_and_follow_their_formulas():
    xs, ts = curves.load("sine", 30, 0.0, 5)
    assert (xs, ts) == curves.load("sine", 30, 0.0, 5) and xs != curves.load("sine", 30, 0.0, 6)[0]
    assert all(-1 <= x <= 1 for x in xs) and ts == pytest.approx(np.sin(np.pi * np.array(xs)).tolist(), abs=1e-15)
    xs, ts = curves.load("line", 30, 0.0, 1)
    assert ts == pytest.approx([2 * x - 1 for x in xs], abs=1e-15)
    xs, ts = curves.load("step", 30, 0.0, 1)
    assert ts == [1.0 if x > 0 else -1.0 for x in xs]
    xs_noisy, ts_noisy = curves.load("step", 30, 0.2, 1)
    assert xs_noisy == xs and 0.05 < np.std(np.array(ts_noisy) - np.array(ts)) < 0.4  # the same xs, noisy targets
    with pytest.raises(ValueError, match="unknown curve"):
        curves.load("circle")


def test_the_held_out_split_and_its_measures():
    sc = load(data='dataset = "sine"\nn = 50\nvalidation = 0.2\nseed = 3')
    spec = sc.spec
    xs, ts = curves.load("sine", 50, 0.1, 3)
    out = heldout.held_out_indices(50, 0.2, 3)
    assert len(out) == 10 and len(spec.xs) == 40
    assert spec.val_xs == tuple(xs[i] for i in out) and spec.val_targets == tuple(ts[i] for i in out)
    assert spec.xs == tuple(x for i, x in enumerate(xs) if i not in out)
    s = Session(sc)
    v = dict(s.current.values)
    p = s.stage.predict(v, np.array(spec.val_xs))
    assert s.current.extra["val_rmse"] == pytest.approx(float(np.sqrt(np.mean((p - spec.val_targets) ** 2))),
                                                        rel=1e-12)
    assert s.current.extra["val_cost"] == pytest.approx(float(np.mean(losses(p, spec.val_targets))), rel=1e-12)
    assert s.current.detail == RegressionDetail(None, s.current.extra["val_rmse"], s.current.extra["val_cost"])
    assert (s.stage.val_xs, s.stage.val_targets) == (spec.val_xs, spec.val_targets)
    assert load().spec.val_xs == () and Session(load()).current.extra["val_rmse"] is None


# --- a snapshot: cost, rmse, the inside of a step -----------------------------------------------------------

@pytest.mark.parametrize("loss", ["squared", "absolute", "huber"])
@pytest.mark.parametrize("model", ['type = "line"', 'type = "net"', 'type = "mlp"\nlayers = [4, 3]'])
def test_the_cost_is_n_times_the_full_batch_objective(model, loss):
    sc = load(model=f'{model}\nloss = "{loss}"\nreg = 0.3\nbatch = "full"', data='dataset = "sine"\nn = 12')
    s = Session(sc)
    obj, n = s.lesson.objective, 12
    obj.batch = list(range(n))
    assert s.lesson.alpha == 0.3 * 12 / 2
    assert s.current.output == pytest.approx(-n * obj.evaluate(), rel=1e-12)
    values = dict(s.current.values)
    predictions = [s.lesson.model.outputs((x,))[0] for x in sc.spec.xs]  # the circuit, point by point
    assert s.stage.predict(values, np.array(sc.spec.xs)).tolist() == pytest.approx(predictions, abs=1e-12)
    assert s.stage.predict(values, np.zeros((2, 3))).shape == (2, 3)  # shaped like X: a grid for a chart
    forwards = obj.forward_passes  # 12 so far: the evaluate() above
    snap = s.step()
    assert snap.grads == pytest.approx({k: snap.extra["data_pull"][k] + snap.extra["spring_pull"][k]
                                        for k in snap.grads}, rel=1e-12, abs=1e-15)
    assert [p.index for p in snap.detail.inside.batch] == list(range(n))
    assert (snap.forward_passes - forwards, snap.backward_passes) == (n, n)


def test_an_sgd_step_records_its_point_and_pull():
    sc = load(model='type = "line"\ninit = { a = 1.0, b = 0.0 }\nreg = 0.5', data="xs = [1, 2]\ntargets = [3, 0]",
              settings="step_size = 0.1")
    s = Session(sc)
    snap = s.step()
    (point,) = snap.detail.inside.batch
    x, t = sc.spec.xs[point.index], sc.spec.targets[point.index]
    assert (point.x, point.target, point.prediction) == (x, t, x)  # a = 1, b = 0: the prediction is x
    assert point.residual == t - x and point.pull == 2 * (t - x)  # squared: -2 (p - t)
    assert dict(snap.extra["data_pull"]) == {"a": point.pull * x, "b": point.pull}
    assert dict(snap.extra["spring_pull"]) == {"a": -0.5, "b": 0.0}
    assert dict(snap.values) == pytest.approx({"a": 1 + 0.1 * (point.pull * x - 0.5), "b": 0.1 * point.pull})
    assert (snap.forward_passes, snap.backward_passes) == (1, 1)
    assert s.step().detail.inside is not None and Session(sc, "numerical").step().detail.inside is None


def test_the_stage_and_its_gradient_check():
    sc = load(model='type = "mlp"\nlayers = [4]\nloss = "huber"\ndelta = 0.3\nreg = 0.2',
              data='dataset = "sine"\nn = 15\nvalidation = 0.2')
    s = Session(sc)
    stage = s.stage
    assert isinstance(stage, RegressionStage)
    assert (stage.xs, stage.targets, stage.params) == (sc.spec.xs, sc.spec.targets, tuple(s.current.values))
    forwards = s.lesson.objective.forward_passes
    result = stage.check_gradient(dict(s.current.values), 1e-6, True)
    assert set(result) == {"output", "analytic", "numerical", "max_rel_error", "h", "kinks"}
    assert result["max_rel_error"] < 1e-4 and set(result["analytic"]) == set(stage.params)
    assert s.lesson.objective.forward_passes == forwards  # a model of its own: the session's counters stay
    assert stage.check_gradient({"nope": 1.0}, 1e-6, True) is None


def test_retune_changes_the_loss_for_the_next_step():
    sc = load(model='type = "line"\ninit = { a = 0.0, b = 0.0 }', data="xs = [1]\ntargets = [3]")
    s = Session(sc)
    s.lesson.retune(dataclasses.replace(sc.spec, loss="absolute", reg=1.0))
    assert s.step().detail.inside.batch[0].pull == 1.0  # absolute: +1 towards a target above
    assert s.lesson.stage.check_gradient({"a": 0.0, "b": 0.0}, 1e-6, True)["analytic"] == \
        pytest.approx({"a": 1.0, "b": 1.0})
    with pytest.raises(ValueError, match="a regression takes loss squared, absolute, huber"):
        s.lesson.retune(dataclasses.replace(sc.spec, loss="hinge"))  # a classifier's loss knob
    assert s.lesson.objective.loss == "absolute"


def test_a_run_that_blows_up_is_reported():
    sc = load(model='type = "line"\ninit = { a = 0.0, b = 0.0 }', data="xs = [100]\ntargets = [1]",
              settings="step_size = 10")
    snaps = list(Session(sc).run(200))
    assert snaps[-1].diverged and "diverged at step" in snaps[-1].diverged
