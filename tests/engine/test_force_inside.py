"""Inside a classifier's step (issue 12): the batch's scores and pulls, the pull split into the data's part and the
spring's part, the hidden neurons (their outputs, their lines, the dead ones) and the full-batch gradient check.

The identities are exact (==, not approx) where the engine computes the same floats the same way: grads is the
float sum data_pull + spring_pull, and a step is p + step_size * grad. A score recomputed with the stage's numpy
scorer adds in another order, so it agrees to rounding only.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from hnn_tui.engine import Session, load_scenario, parse_scenario
from hnn_tui.engine.inside import ForcePoint, Inside, forward_fn, update_dead_since
from hnn_tui.engine.lessons.base import first_non_finite
from hnn_tui.engine.objectives import hinge_pull

MLP_LAYERS = "[4, 4]"


def classifier(model: str, extra: str = "", data: str = 'dataset = "guide_svm"', seed: int = 0) -> str:
    return f"""
title = "inside a step"
kind = "classifier"
strategy = "analytic"
seed = {seed}
[model]
type = "{model}"
{extra}
[data]
{data}
[settings]
step_size = 0.01
"""


MOONS = 'dataset = "moons"\nn = 30\nnoise = 0.1\nseed = 2'
SCENARIOS = {
    "svm": lambda: load_scenario("svm"),
    "net": lambda: load_scenario("neural_net"),
    "mlp": lambda: parse_scenario(classifier("mlp", f"layers = {MLP_LAYERS}\nreg = 0.01\ninit_scale = 1.0", MOONS),
                                  "mlp.toml"),
    "svm full": lambda: parse_scenario(classifier("svm", 'batch = "full"\ninit = { a = 1.0, b = -2.0, c = -1.0 }'),
                                       "svm_full.toml"),
    "net full": lambda: parse_scenario(classifier("net", 'batch = "full"\nreg = 0.1'), "net_full.toml"),
    "mlp full": lambda: parse_scenario(classifier("mlp", f'layers = {MLP_LAYERS}\nreg = 0.01\nbatch = "full"', MOONS),
                                       "mlp_full.toml"),
    "svm squared": lambda: parse_scenario(classifier("svm", 'loss = "squared_hinge"'), "svm_sq.toml"),
    "net squared full": lambda: parse_scenario(classifier("net", 'loss = "squared_hinge"\nbatch = "full"'),
                                               "net_sq.toml"),
}


def rule(score: float, label: int, loss: str) -> float:
    """The force specification written out: hinge pulls with the label while label * score < 1."""
    if label * score < 1:
        return float(label) if loss == "hinge" else 2.0 * label * (1 - label * score)
    return 0.0


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_step_splits_into_data_and_spring_and_moves_by_step_size_times_grads(name):
    sc = SCENARIOS[name]()
    spec = sc.spec
    s = Session(sc, "analytic")
    stage, reg_names = s.stage, set(s.lesson.model.regularized)
    hidden_model = spec.model != "svm"
    prev = s.current
    for _ in range(200):
        step_size = s.scheduled().step_size
        snap = s.step()
        assert snap.diverged is None
        inside, grads = snap.detail.inside, snap.grads
        assert set(inside.data_pull) == set(inside.spring_pull) == set(grads) == set(snap.values)
        for p, g in grads.items():
            assert g == inside.data_pull[p] + inside.spring_pull[p], (snap.step, p)  # exactly, bit for bit
            assert snap.values[p] == prev.values[p] + step_size * g, (snap.step, p)  # the step, exactly
            spring = -spec.reg * prev.values[p] if p in reg_names else 0.0  # at the parameters the step pulled at
            assert inside.spring_pull[p] == spring, (snap.step, p)
        want = list(range(len(spec.labels))) if spec.batch == "full" else None
        assert [b.index for b in inside.batch] == (want or [inside.batch[0].index])
        for b in inside.batch:
            assert b.point == spec.points[b.index] and b.label == spec.labels[b.index]
            x, y = b.point
            assert b.score == pytest.approx(float(stage.score(prev.values, x, y)), rel=1e-12, abs=1e-12)
            assert b.pull == rule(b.score, b.label, spec.loss) == hinge_pull(b.score, b.label, spec.loss)
        if spec.batch != "full" and inside.batch[0].pull == 0.0:
            assert all(v == 0.0 for v in inside.data_pull.values())  # no pull on the score: only the spring moves
        if hidden_model and spec.batch != "full":  # the point's hidden outputs at the parameters before the step
            x, y = inside.batch[0].point
            flat = [v for layer in inside.hidden for v in layer]
            at = stage.hidden_at(prev.values, x, y)
            assert [n for n, _, _ in at] == list(stage.hidden_names)
            assert flat == pytest.approx([out for _, _, out in at], rel=1e-12, abs=1e-12)
        else:
            assert inside.hidden is None
        d = snap.to_dict()  # the JSON keys carry the same numbers
        assert d["data_pull"] == dict(inside.data_pull) and d["spring_pull"] == dict(inside.spring_pull)
        assert d["batch"] == [{"index": b.index, "point": list(b.point), "label": b.label, "score": b.score,
                               "pull": b.pull} for b in inside.batch]
        assert ("hidden" in d, "dead" in d) == (hidden_model, hidden_model)
        if hidden_model:
            assert d["dead"] == list(snap.detail.dead)
        prev = snap


@pytest.mark.parametrize("label, score, hinge, squared", [
    (1, 0.5, 1.0, 1.0),  # label * score < 1: the label (squared: 2 * label * margin)
    (1, -3.0, 1.0, 8.0),
    (1, 1.0, 0.0, 0.0),  # exactly at the margin: no pull
    (1, 2.5, 0.0, 0.0),  # beyond it: no pull
    (-1, -0.5, -1.0, -1.0),
    (-1, 0.25, -1.0, -2.5),
    (-1, -1.0, 0.0, 0.0),
    (-1, -7.0, 0.0, 0.0),
])
def test_the_hinge_pull_rule(label, score, hinge, squared):
    assert hinge_pull(score, label) == hinge == rule(score, label, "hinge")
    assert hinge_pull(score, label, "squared_hinge") == squared == rule(score, label, "squared_hinge")


# ---- step 0 and the strategies that never backprop --------------------------------------------------

@pytest.mark.parametrize("strategy", ["random", "numerical"])
@pytest.mark.parametrize("scenario", ["svm", "neural_net"])
def test_no_inside_at_step_0_nor_without_backprop(scenario, strategy):
    s = Session(load_scenario(scenario), strategy)
    snaps = [s.current, *s.run(3)]
    net = scenario == "neural_net"
    for snap in snaps:
        assert snap.detail.inside is None
        d = snap.to_dict()
        assert d["batch"] is d["data_pull"] is d["spring_pull"] is None
        assert (d.get("hidden", "absent"), "dead" in d) == ((None, True) if net else ("absent", False))
        assert (snap.detail.dead is None) == (not net)
    s.set_strategy("analytic")  # then one analytic step has an inside, and the next numerical one has none again
    assert s.step().detail.inside is not None
    s.set_strategy(strategy)
    assert s.step().detail.inside is None
    a = Session(load_scenario(scenario), "analytic")
    assert a.current.detail.inside is None and a.current.to_dict()["batch"] is None


# ---- dead neurons -----------------------------------------------------------------------------------

# Data in the positive quadrant; neuron 2 has a, b, c all strongly negative, so a2*x + b2*y + c2 < 0 everywhere:
# its ReLU is 0 on every point, it passes no pull back, and only the spring moves a2, b2 (towards 0, not enough).
QUADRANT = ("points = [[0.5, 1.0], [1.5, 0.5], [2.0, 2.0], [1.0, 0.2], [0.3, 0.4], [1.2, 1.8]]\n"
            "labels = [1, -1, 1, -1, 1, -1]")
DEAD_INIT = ("init = { a1 = 1.0, b1 = 0.5, c1 = 0.5, a2 = -3.0, b2 = -3.0, c2 = -3.0, a3 = 0.5, b3 = 1.0, c3 = 0.2, "
             "a4 = 1.0, b4 = 1.0, c4 = -1.0, d4 = 0.0 }")


def dead_net(strategy: str = "analytic") -> Session:
    return Session(parse_scenario(classifier("net", f"reg = 0.1\n{DEAD_INIT}", QUADRANT), "dead.toml"), strategy)


def dead_by_hand(s: Session, values) -> list[str]:
    """The neurons whose output is 0 at every training point, point by point through stage.hidden_at."""
    outs = [s.stage.hidden_at(values, x, y) for x, y in s.scenario.spec.points]
    return [n for n in s.stage.hidden_names if all(o == 0.0 for row in outs for m, _, o in row if m == n)]


@pytest.mark.parametrize("strategy", ["analytic", "numerical", "random"])
def test_a_neuron_dead_on_every_point_is_named_on_every_line(strategy):
    s = dead_net(strategy)
    assert s.current.detail.dead == ("n2",) and s.current.detail.dead_since == {"n2": 0}
    assert s.current.to_dict()["dead"] == ["n2"]
    for snap in s.run(60):
        assert snap.detail.dead == ("n2",) and dict(snap.detail.dead_since) == {"n2": 0}, snap.step
        assert snap.to_dict()["dead"] == ["n2"]
    assert dead_by_hand(s, s.current.values) == ["n2"]


def test_dead_since_dates_the_current_run_and_resets_when_the_neuron_fires_again():
    s = dead_net()
    model = s.lesson.model
    list(s.run(5))
    assert s.current.detail.dead_since == {"n2": 0} and s.current.step == 5
    alive = dict(s.current.values, c2=50.0)  # a large bias: n2 fires on every point
    model.set([alive[p] for p in model.params])
    snap = s.step()
    assert snap.detail.dead == () and dict(snap.detail.dead_since) == {}
    assert snap.to_dict()["dead"] == []
    again = dict(snap.values, c2=-50.0)
    model.set([again[p] for p in model.params])
    snaps = list(s.run(4))
    assert [sn.detail.dead for sn in snaps] == [("n2",)] * 4
    assert [dict(sn.detail.dead_since) for sn in snaps] == [{"n2": 7}] * 4  # died again in step 7's measurement
    assert dead_by_hand(s, s.current.values) == ["n2"]


def test_update_dead_since_keeps_the_first_step_of_each_unbroken_run():
    since: dict[str, int] = {}
    seen = [dict(update_dead_since(since, dead, k)) for k, dead in
            enumerate([(), ("n1",), ("n1", "n3"), ("n3",), ("n1", "n3"), ()])]
    assert seen == [{}, {"n1": 1}, {"n1": 1, "n3": 2}, {"n3": 2}, {"n1": 4, "n3": 2}, {}]


def test_mlp_dead_neurons_by_layer():
    # h1[0]: weights and bias all -5 on points in the positive quadrant: 0 everywhere. h2[1]: every weight and
    # its bias -5, fed ReLU outputs (>= 0): 0 everywhere too. The names say the layer (from 1) and the index.
    init = ("init = { 'w1[0,0]' = -5.0, 'w1[0,1]' = -5.0, 'b1[0]' = -5.0, 'w2[1,0]' = -5.0, 'w2[1,1]' = -5.0, "
            "'w2[1,2]' = -5.0, 'b2[1]' = -5.0 }")
    sc = parse_scenario(classifier("mlp", f"layers = [3, 2]\nreg = 0.01\n{init}", QUADRANT, seed=3), "m.toml")
    s = Session(sc, "analytic")
    assert s.stage.hidden_names == ("h1[0]", "h1[1]", "h1[2]", "h2[0]", "h2[1]")
    expect = tuple(dead_by_hand(s, s.current.values))
    assert {"h1[0]", "h2[1]"} <= set(expect)
    assert s.current.detail.dead == expect
    for snap in s.run(20):
        assert snap.detail.dead == tuple(dead_by_hand(s, snap.values)), snap.step
        assert [len(layer) for layer in snap.detail.inside.hidden] == [3, 2]


# ---- the stage's pure functions -------------------------------------------------------------------

def test_neuron_lines_and_hidden_at_describe_the_first_layer():
    s = Session(load_scenario("neural_net"))
    v = s.current.values
    lines = s.stage.neuron_lines(v)
    assert [ln[0] for ln in lines] == ["n1", "n2", "n3"] == list(s.stage.hidden_names)
    assert lines[1] == ("n2", v["a2"], v["b2"], v["c2"])
    x, y = 0.7, -1.3
    at = s.stage.hidden_at(v, x, y)
    for (name, a, b, c), (name2, pre, out) in zip(lines, at):
        assert name == name2 and pre == pytest.approx(a * x + b * y + c) and out == max(0.0, pre)
    score = v["d4"] + sum(v[w] * out for w, (_, _, out) in zip(("a4", "b4", "c4"), at))
    assert score == pytest.approx(float(s.stage.score(v, x, y)))
    svm = Session(load_scenario("svm")).stage
    assert svm.neuron_lines({"a": 1, "b": 2, "c": 3}) == () == svm.hidden_at({"a": 1, "b": 2, "c": 3}, 0, 0)
    assert svm.hidden_names == ()
    mlp = Session(SCENARIOS["mlp"]())
    mv = mlp.current.values
    first = mlp.stage.neuron_lines(mv)
    assert first[2] == ("h1[2]", mv["w1[2,0]"], mv["w1[2,1]"], mv["b1[2]"]) and len(first) == 4
    at = mlp.stage.hidden_at(mv, x, y)
    assert [n for n, _, _ in at] == [f"h{k}[{i}]" for k in (1, 2) for i in range(4)]
    assert at[2][1] == pytest.approx(mv["w1[2,0]"] * x + mv["w1[2,1]"] * y + mv["b1[2]"])


@pytest.mark.parametrize("name", ["svm", "net", "mlp"])
def test_the_measuring_pass_scores_bit_for_bit_as_the_scorer(name):
    # measure() takes the cost from forward_fn's one pass (which also gives the dead neurons): its scores must be
    # the model scorer's exactly, or the cost of every line would move in its last digits.
    s = Session(SCENARIOS[name]())
    forward, rng = forward_fn(s.lesson.model), np.random.default_rng(5)
    X, Y = rng.normal(size=200) * 3, rng.normal(size=200) * 3
    for _ in range(20):
        v = {p: float(x) for p, x in zip(s.stage.params, rng.normal(size=len(s.stage.params)) * 2)}
        scores, layers = forward(v, X, Y)
        assert np.array_equal(scores, s.stage.score(v, X, Y))
        assert len(layers) == (0 if name == "svm" else 1 if name == "net" else 2)


# ---- the full-batch gradient check -----------------------------------------------------------------

@pytest.mark.parametrize("steps", [0, 3])
@pytest.mark.parametrize("name", ["svm", "net"])
def test_check_gradient_agrees_and_leaves_the_session_alone(name, steps):
    s = Session(SCENARIOS[name]())
    list(s.run(steps))
    before = (s.lesson.objective.forward_passes, s.lesson.objective.backward_passes, s.lesson.model.get())
    values = dict(s.current.values)
    r = s.stage.check_gradient(values, 1e-5, True)
    assert r["max_rel_error"] < 1e-6 and r["kinks"] == [] and r["h"] == 1e-5
    assert set(r) == {"output", "analytic", "numerical", "max_rel_error", "h", "kinks"}
    assert list(r["analytic"]) == list(s.current.values)
    n = len(s.scenario.spec.labels)  # the output is minus the full-batch objective: minus cost / n
    assert r["output"] == pytest.approx(-s.current.output / n, rel=1e-12)
    after = (s.lesson.objective.forward_passes, s.lesson.objective.backward_passes, s.lesson.model.get())
    assert after == before and s.current.forward_passes == before[0]
    assert s.stage.check_gradient(values, 1e-5, True) == r  # the same answer each time
    elsewhere = {p: v + 0.25 for p, v in values.items()}  # e.g. an older snapshot's values: the model stays put
    assert s.stage.check_gradient(elsewhere, 1e-5, True)["output"] != r["output"]
    assert s.lesson.model.get() == before[2] and s.step().step == steps + 1


def test_check_gradient_on_the_mlp_names_its_relu_kinks():
    # Biases start at 0: on a point where every first-layer neuron is off, a second-layer neuron's pre-activation
    # is its bias, exactly 0, so the numerical difference of that bias straddles the ReLU's kink. The check names
    # those neurons and points; every other parameter agrees.
    s = Session(SCENARIOS["mlp"]())
    r = s.stage.check_gradient(dict(s.current.values), 1e-5, True)
    assert r["kinks"] and all(k.startswith("h2[") and " at 0 on point" in k for k in r["kinks"])
    kinked = {k.split()[0].replace("h2", "b2") for k in r["kinks"]}
    for p, a in r["analytic"].items():
        if p not in kinked:
            assert abs(a - r["numerical"][p]) <= 1e-6 * max(1.0, abs(a)), p
    assert any(abs(r["analytic"][p] - r["numerical"][p]) > 1e-3 for p in kinked)
    assert s.current.forward_passes == s.lesson.objective.forward_passes == 0


def test_check_gradient_is_the_full_batch_steps_gradient():
    sc = SCENARIOS["net full"]()
    s = Session(sc)
    r = s.stage.check_gradient(dict(s.current.values), 1e-5, True)
    assert r["analytic"] == dict(s.step().grads)  # the very pull a full-batch analytic step takes


def test_check_gradient_names_points_at_the_margin_and_refuses_what_is_not_finite():
    # score = 1*x + 0*y + 0: the point (1, 0) labelled +1 sits exactly at label * score == 1.
    data = "points = [[1.0, 0.0], [-2.0, 1.0], [0.5, 0.5]]\nlabels = [1, -1, 1]"
    s = Session(parse_scenario(classifier("svm", "init = { a = 1.0, b = 0.0, c = 0.0 }", data), "k.toml"))
    r = s.stage.check_gradient(dict(s.current.values), 1e-4, True)
    assert r["kinks"] == ["point 0 at the margin"]
    assert r["max_rel_error"] > 1e-3  # the centered difference straddles the kink: half the pull
    assert s.stage.check_gradient({"a": math.inf, "b": 0.0, "c": 0.0}, 1e-4, True) is None
    assert s.stage.check_gradient({"a": 1e200, "b": 1e200, "c": 0.0}, 1e-4, True) is None
    # n1 = max(0, x - 1) is exactly at its kink on the point (1, 0)
    init = "init = { a1 = 1.0, b1 = 0.0, c1 = -1.0 }"
    net = Session(parse_scenario(classifier("net", init, data), "n.toml"))
    assert "n1 at 0 on point 0" in net.stage.check_gradient(dict(net.current.values), 1e-4, True)["kinks"]


# ---- what is not finite is named ------------------------------------------------------------------------

def test_first_non_finite_reads_the_classifier_detail():
    s = Session(load_scenario("neural_net"))
    snap = s.step()
    lesson = s.lesson
    assert first_non_finite(lesson, snap.output, dict(snap.values), dict(snap.grads), snap.detail) is None
    bad = Inside((ForcePoint(4, (1.0, 2.0), 1, math.inf, 1.0),), {}, {}, None)
    detail = type(snap.detail)(bad, (), {})
    assert first_non_finite(lesson, snap.output, dict(snap.values), None, detail) == "the score of point 4 became inf"
    bad = Inside((ForcePoint(4, (1.0, 2.0), 1, 0.5, 1.0),), {}, {}, ((0.0, math.nan, 1.0),))
    detail = type(snap.detail)(bad, (), {})
    assert "hidden neuron 2 of layer 1 became nan" in first_non_finite(lesson, 0.0, {}, None, detail)


def test_a_diverging_net_still_stops_with_its_reason():
    sc = parse_scenario(classifier("net", "reg = 0.0\ninit_scale = 3.0", seed=1).replace("0.01", "1e150"), "d.toml")
    s = Session(sc)
    last = None
    for snap in s.run(50):
        last = snap
    assert last.diverged and "diverged at step" in last.diverged


def test_frozen_records():
    s = Session(load_scenario("neural_net"))
    snap = s.step()
    with pytest.raises(AttributeError):
        snap.detail.inside.batch[0].score = 1.0
    with pytest.raises(TypeError):
        snap.detail.inside.data_pull["a1"] = 1.0
    with pytest.raises(TypeError):
        snap.extra["batch"] = None
    assert isinstance(snap.detail.inside.hidden, tuple) and isinstance(snap.detail.inside.batch, tuple)
