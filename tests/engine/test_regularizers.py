"""L1 and dropout (issue 15): L1's value and pull in the three objectives and in the measured cost, the gradient
check with L1, dropout's masks (drawn as the contract says, applied forward and back, off when measuring)."""
from __future__ import annotations

import dataclasses
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hnn_tui.engine import penalties
from hnn_tui.engine.gradcheck import check_classifier, rel_error
from hnn_tui.engine.lessons.regression import make_model as make_regression_model
from hnn_tui.engine.models import MLP, LinearSVM, init_params
from hnn_tui.engine.multiclass_objective import MulticlassObjective, check_multiclass, make_class_model
from hnn_tui.engine.objectives import ClassifierObjective
from hnn_tui.engine.regression_losses import RegressionObjective
from hnn_tui.engine.scenario import load_scenario
from hnn_tui.engine.session import Session
from hnn_tui.engine.strategies import numerical_gradient

POINTS = ((1.2, 0.7), (-0.3, -0.5), (3.0, 0.1), (-0.1, -1.0), (-1.0, 1.1), (2.1, -3.0))
LABELS = (1, -1, 1, -1, -1, 1)  # the guide's SVM data
CLASSES = (0, 1, 2, 0, 1, 2)


def objectives():
    """One objective of each kind over the same six points, full batch."""
    svm = LinearSVM()
    svm.set([1.0, -2.0, -1.0])
    binary = ClassifierObjective(svm, POINTS, LABELS, 0.1)
    k3 = make_class_model("svm", 3)
    k3.set([0.5, -0.25, 0.1, 0.0, 1.5, -0.2, -0.75, 0.3, 0.05])
    multi = MulticlassObjective(k3, POINTS, CLASSES, 0.1, "softmax")
    line = make_regression_model("line")
    line.set([-1.5, 0.25])
    fit = RegressionObjective(line, [p[0] for p in POINTS], [p[1] for p in POINTS], 0.1)
    for obj in (binary, multi, fit):
        obj.batch = list(range(6))
    return {"binary": binary, "multiclass": multi, "regression": fit}


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_l1_adds_its_value_and_its_pull_on_the_weights_only(kind):
    obj = objectives()[kind]
    plain_value, plain_pull = obj.evaluate(), obj.pull()
    obj.l1 = 0.3
    params = obj.get()
    assert obj.l1_idx == [obj.names.index(p) for p in obj.model.regularized]
    norm = sum(abs(params[j]) for j in obj.l1_idx)
    assert obj.evaluate() == pytest.approx(plain_value - 0.3 * norm, abs=1e-12)
    pull = obj.pull()
    for j, name in enumerate(obj.names):
        want = -0.3 * penalties.sign(params[j]) if j in obj.l1_idx else 0.0  # sign(0) = 0: the multiclass a2 = 0
        assert pull[j] == pytest.approx(plain_pull[j] + want, abs=1e-12), name
        assert pull[j] == pytest.approx(obj.inside.data_pull[name] + obj.inside.spring_pull[name], abs=1e-12)
    if kind == "multiclass":
        assert pull[obj.names.index("a2")] == plain_pull[obj.names.index("a2")]  # w = 0: no L1 pull


def test_without_l1_the_objectives_give_todays_numbers_bit_for_bit():
    obj = objectives()["binary"]
    params = obj.get()
    total = sum(max(0.0, 1 - y * (params[0] * x + params[1] * yy + params[2])) for (x, yy), y in zip(POINTS, LABELS))
    assert obj.evaluate() == -(total / 6 + 0.5 * 0.1 * (params[0] ** 2 + params[1] ** 2))


def scenario(name, **changes):
    sc = load_scenario(name)
    return dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, **changes))


@pytest.mark.parametrize("name", ["svm", "softmax_blobs", "line_fit"])
def test_the_measured_cost_adds_l1_times_n(name):
    s = Session(scenario(name, l1=0.05))
    s.step()  # off the all-zero starts
    with_l1 = s.lesson.measure(False)
    spec = s.scenario.spec
    s.lesson.retune(dataclasses.replace(spec, l1=0.0))
    plain = s.lesson.measure(False)
    n = len(spec.labels) if hasattr(spec, "labels") else len(spec.targets)
    norm = sum(abs(plain.values[p]) for p in s.lesson.model.regularized)
    assert norm > 0 and with_l1.values == plain.values
    assert with_l1.output == pytest.approx(plain.output + 0.05 * n * norm, rel=1e-12)


away_from_zero = st.floats(0.05, 2.0).flatmap(lambda m: st.sampled_from([m, -m]))


@settings(max_examples=25, deadline=None)
@given(values=st.lists(away_from_zero, min_size=9, max_size=9), l1=st.floats(0.001, 1.0))
def test_the_gradient_check_holds_with_l1_away_from_zero(values, l1):
    obj = MulticlassObjective(make_class_model("svm", 3), POINTS, CLASSES, 0.1, "softmax")
    obj.l1, obj.class_weights = l1, {0: 2.0, 1: 0.5, 2: 1.0}
    obj.batch = list(range(6))
    out = check_multiclass(obj, dict(zip(obj.names, values)), h=1e-5)
    assert out["max_rel_error"] < 1e-6


@settings(max_examples=25, deadline=None)
@given(a=away_from_zero, b=away_from_zero, c=st.floats(-2, 2), l1=st.floats(0.001, 1.0))
def test_the_binary_gradient_check_holds_with_l1(a, b, c, l1):
    obj = ClassifierObjective(LinearSVM(), POINTS, LABELS, 0.1, "squared_hinge")
    obj.l1 = l1
    obj.batch = list(range(6))
    out = check_classifier(obj, {"a": a, "b": b, "c": c}, h=1e-6)
    assert out["max_rel_error"] < 1e-4 or out["kinks"]


# ---- dropout -------------------------------------------------------------------------------------------------

def tiny():
    """2 -> 2 ReLUs -> 1: h1 = relu(x), h2 = relu(y); score = 3 h1 + 5 h2 + 0.5."""
    m = MLP((2,))
    m.set([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 3.0, 5.0, 0.5])
    return m


def test_a_hand_checked_tiny_case():
    m = tiny()
    assert m.score(2.0, 4.0) == 26.5  # 3*2 + 5*4 + 0.5
    m.mask = [[2.0, 0.0]]  # p = 0.5: h1 kept (x 1/(1-p) = 2), h2 dropped
    m.zero_grad()
    assert m.score(2.0, 4.0) == 12.5  # 3 * (2*2) + 5 * 0 + 0.5
    m.backward(1.0)
    g = dict(zip(m.params, m.grads()))
    assert (g["w2[0,0]"], g["w2[0,1]"], g["b2[0]"]) == (4.0, 0.0, 1.0)  # d/dw2 = the masked hidden outputs
    assert (g["w1[0,0]"], g["w1[0,1]"], g["b1[0]"]) == (12.0, 24.0, 6.0)  # pull 3 * mask 2 = 6, times x, y, 1
    assert (g["w1[1,0]"], g["w1[1,1]"], g["b1[1]"]) == (0.0, 0.0, 0.0)  # a dropped unit passes nothing back
    m.mask = None
    assert m.score(2.0, 4.0) == 26.5  # no masks: the full net again


def test_masks_are_drawn_in_the_contracts_order_and_not_at_all_when_off():
    r = random.Random(5)
    want = [[[2.0 if r.random() >= 0.5 else 0.0 for _ in range(w)] for w in (3, 2)] for _ in range(2)]
    assert penalties.draw_masks(random.Random(5), 2, (3, 2), 0.5) == want
    r = random.Random(5)
    state = r.getstate()
    assert penalties.draw_masks(r, 2, (3, 2), 0.0) is None and r.getstate() == state


@pytest.mark.parametrize("name", ["neural_net", "softmax_blobs", "sine_fit"])
def test_the_lesson_draws_masks_after_the_batch_and_only_with_dropout(name):
    sc = scenario(name)
    spec = dataclasses.replace(sc.spec, model="mlp", layers=(4, 3), dropout=0.2, batch="sgd", init=None)
    lesson = Session(dataclasses.replace(sc, spec=spec)).lesson
    lesson.before_step(random.Random(9))
    r = random.Random(9)
    batch = [r.randrange(len(getattr(spec, "labels", None) or spec.targets))]
    assert lesson.objective.batch == batch
    assert lesson.objective.masks == penalties.draw_masks(r, 1, (4, 3), 0.2)
    lesson.retune(dataclasses.replace(spec, dropout=0.0))
    lesson.before_step(random.Random(9))
    assert lesson.objective.masks is None


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_masks_change_the_pull_and_backprop_matches_the_numerical_gradient_under_them(kind):
    rng = random.Random(4)
    if kind == "binary":
        model = MLP((5, 4))
        obj = ClassifierObjective(model, POINTS, LABELS, 0.1, "squared_hinge")
    elif kind == "multiclass":
        model = make_class_model("net", 3, hidden=5)
        obj = MulticlassObjective(model, POINTS, CLASSES, 0.1, "softmax")
    else:
        model = make_regression_model("mlp", layers=(5, 4))
        obj = RegressionObjective(model, [p[0] for p in POINTS], [p[1] for p in POINTS], 0.1)
    init_params(model, None, 1.0, rng, bias_start=0.3)
    obj.batch = [0, 2, 4]
    full = obj.pull()
    obj.masks = penalties.draw_masks(rng, 3, model.layers, 0.4)
    masked = obj.pull()
    assert masked != full
    numerical = numerical_gradient(obj, 1e-6, centered=True)
    assert max(rel_error(a, n) for a, n in zip(masked, numerical)) < 1e-5
    assert model.mask is None  # the objective leaves the model whole


def test_measurements_use_the_full_net():
    sc = load_scenario("softmax_blobs")
    spec = dataclasses.replace(sc.spec, model="mlp", layers=(8,), dropout=0.5, batch="full")
    s = Session(dataclasses.replace(sc, spec=spec))
    for _ in range(5):
        snap = s.step()
    assert s.lesson.objective.masks is not None
    start = tuple(snap.values.items())
    full = Session(dataclasses.replace(sc, spec=dataclasses.replace(spec, dropout=0.0, init=start))).current
    assert snap.values == full.values
    assert (snap.output, snap.measures["accuracy"]) == (full.output, full.measures["accuracy"])
    assert snap.extra["class_accuracy"] == full.extra["class_accuracy"]
    s.lesson.objective.masks = None
    assert -s.lesson.objective.evaluate() * len(spec.labels) == pytest.approx(snap.output, rel=1e-9)


def test_dropout_is_refused_where_there_are_no_hidden_vector_layers():
    s = Session(load_scenario("svm"))
    with pytest.raises(ValueError, match="mlp only"):
        s.lesson.retune(dataclasses.replace(s.scenario.spec, dropout=0.5))
    assert math.isfinite(s.current.output)


@pytest.mark.parametrize("name", ["svm", "softmax_blobs", "line_fit"])
def test_the_panels_gradient_check_sees_l1_after_the_knob(name):
    s = Session(load_scenario(name))
    s.stage.check_gradient(s.current.values, 1e-5, True)  # the checker builds its own objective before the knob
    s.step()  # off the all-zero starts: L1 has weights to measure
    for _ in range(4):  # 0.0001, 0.0002, 0.0005, 0.001
        snap = s.retuned("l1")
    spec = s.scenario.spec
    n = len(spec.labels) if hasattr(spec, "labels") else len(spec.targets)
    check = s.stage.check_gradient(snap.values, 1e-5, True)
    assert spec.l1 == 1e-3 and check["output"] == pytest.approx(-snap.output / n, rel=1e-12)
