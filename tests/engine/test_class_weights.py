"""Class weights (issue 15) in the binary and multiclass losses: training cost, pull, held-out cost, "balanced",
the binary snapshot's class_accuracy; and the chapter 3 knobs and saved keys."""
from __future__ import annotations

import dataclasses

import pytest
from cases import classifier_text

from hnn_tui.engine import knobs, penalties
from hnn_tui.engine.models import LinearSVM
from hnn_tui.engine.objectives import ClassifierObjective, point_loss
from hnn_tui.engine.save import scenario_toml
from hnn_tui.engine.scenario import load_scenario, parse_scenario
from hnn_tui.engine.session import Session
from hnn_tui.engine.table import ScenarioError

POINTS = ((1.2, 0.7), (-0.3, -0.5), (3.0, 0.1), (-0.1, -1.0), (-1.0, 1.1), (2.1, -3.0))
LABELS = (1, -1, 1, -1, -1, 1)


def test_balanced_weights_are_n_over_k_times_the_class_count():
    labels = [1] * 190 + [-1] * 10
    assert penalties.balanced(labels, (1, -1)) == ((1, 200 / 380), (-1, 10.0))
    assert penalties.balanced([0, 0, 0, 1, 2, 2], (0, 1, 2)) == ((0, 6 / 9), (1, 2.0), (2, 1.0))


def test_each_points_loss_and_pull_are_times_its_class_weight():
    svm = LinearSVM()
    svm.set([1.0, -2.0, -1.0])
    obj = ClassifierObjective(svm, POINTS, LABELS, 0.0)
    obj.batch = list(range(6))
    plain = obj.pull()
    obj.class_weights = {1: 3.0, -1: 0.5}
    losses = [point_loss(svm.score(x, y), c) for (x, y), c in zip(POINTS, LABELS)]
    want = sum((3.0 if c == 1 else 0.5) * loss for loss, c in zip(losses, LABELS)) / 6
    assert obj.evaluate() == pytest.approx(-want, abs=1e-12)
    pulled = obj.pull()
    by_hand = [0.0, 0.0, 0.0]
    for (x, y), c, row in zip(POINTS, LABELS, obj.inside.batch):
        w = 3.0 if c == 1 else 0.5
        if c * row.score < 1:  # the hinge pulls with the label, times the class's weight
            assert row.pull == w * c
            by_hand = [by_hand[0] + w * c * x, by_hand[1] + w * c * y, by_hand[2] + w * c]
        else:
            assert row.pull == 0.0
    assert pulled == pytest.approx([g / 6 for g in by_hand], abs=1e-12) and pulled != plain


def unbalanced(weights=""):
    points = [[0.1 * i, 1.0] for i in range(6)] + [[0.5, -1.0 - 0.1 * i] for i in range(4)]
    model = 'type = "svm"\n' + weights
    text = classifier_text(model=model, data=f"points = {points}\nlabels = {[1] * 6 + [-1] * 4}\nvalidation = 0.3")
    return parse_scenario(text.replace('type = "svm"\ntype = "svm"', 'type = "svm"'), "u.toml")


def test_reading_a_table_or_balanced():
    assert unbalanced().spec.class_weights is None
    sc = unbalanced('class_weights = { "+1" = 2, "-1.0" = 0.5 }')
    assert (sc.spec.class_weights, sc.spec.class_weights_mode) == (((1, 2.0), (-1, 0.5)), None)
    sc = unbalanced('class_weights = { "-1" = 4 }')
    assert sc.spec.class_weights == ((1, 1.0), (-1, 4.0))  # a class left out weighs 1
    sc = unbalanced('class_weights = "balanced"')
    n_pos, n_neg = sc.spec.labels.count(1), sc.spec.labels.count(-1)  # over the training points only
    assert sc.spec.class_weights_mode == "balanced"
    assert sc.spec.class_weights == ((1, 7 / (2 * n_pos)), (-1, 7 / (2 * n_neg)))
    with pytest.raises(ScenarioError, match="model.class_weights.-2: unknown class"):
        unbalanced('class_weights = { "-2" = 4 }')


def test_multiclass_class_names_are_read_as_the_data_names_them():
    sc = load_scenario("softmax_blobs")
    text = scenario_toml(dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, class_weights=((0, 2.0), (1, 1.0),
                                                                                                   (2, 0.5)))))
    assert "[model.class_weights]\n1 = 2.0\n2 = 1.0\n3 = 0.5" in text
    back = parse_scenario(text.replace("2 = 1.0", '"2.0" = 1.5'), "b.toml")
    assert back.spec.class_weights == ((0, 2.0), (1, 1.5), (2, 0.5))


def test_measured_costs_and_class_accuracy_carry_the_weights():
    plain = Session(unbalanced()).current
    weighted = Session(unbalanced('class_weights = { "+1" = 2, "-1" = 5 }\ninit = { a = 0.0, b = 1.0, c = -1.5 }'))
    snap, spec = weighted.current, weighted.scenario.spec
    lesson = weighted.lesson
    scores = lesson._score(snap.values, [p[0] for p in spec.points], [p[1] for p in spec.points])
    losses = [max(0.0, 1 - c * s) for c, s in zip(spec.labels, scores)]
    spring = 1.0 * len(spec.labels) / 2 * (snap.values["a"] ** 2 + snap.values["b"] ** 2)
    assert snap.output == pytest.approx(sum((2 if c == 1 else 5) * x for x, c in zip(losses, spec.labels)) + spring)
    assert snap.output != plain.output
    val = lesson._score(snap.values, [p[0] for p in spec.val_points], [p[1] for p in spec.val_points])
    val_losses = [(2 if c == 1 else 5) * max(0.0, 1 - c * s) for c, s in zip(spec.val_labels, val)]
    assert snap.extra["val_cost"] == pytest.approx(sum(val_losses) / len(val_losses))
    right = {c: [(s > 0) == (c == 1) for s, cc in zip(scores, spec.labels) if cc == c] for c in (1, -1)}
    assert snap.extra["class_accuracy"] == {"+1": sum(right[1]) / len(right[1]), "-1": sum(right[-1]) / len(right[-1])}
    assert snap.extra["class_accuracy"] == {"+1": 0.0, "-1": 1.0}  # every +1 scores 1 - 1.5 < 0: all wrong
    assert list(snap.extra)[:3] == ["val_accuracy", "val_cost", "class_accuracy"]


def test_multiclass_weights_in_the_cost_and_the_pull():
    sc = load_scenario("softmax_blobs")
    weights = ((0, 3.0), (1, 1.0), (2, 1.0))
    s0 = Session(sc)
    s1 = Session(dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, class_weights=weights)))
    from hnn_tui.engine.multiclass_losses import losses
    scores = s0.lesson.stage.scores(s0.current.values, *zip(*sc.spec.points))
    point = losses(scores, list(sc.spec.labels), "softmax")
    extra = sum(2.0 * x for x, y in zip(point, sc.spec.labels) if y == 0)  # class 1 weighs 3: 2 more of each
    assert s1.current.output == pytest.approx(s0.current.output + extra, rel=1e-12)
    obj0, obj1 = s0.lesson.objective, s1.lesson.objective
    obj0.batch = obj1.batch = [0]  # a point of the first class (class "1", index 0)
    assert sc.spec.labels[0] == 0
    obj0.pull()
    obj1.pull()
    g0, g1 = obj0.inside.data_pull, obj1.inside.data_pull
    assert any(g0.values()) and all(g1[n] == pytest.approx(3.0 * g0[n], abs=1e-12) for n in g0)


# ---- the knobs ------------------------------------------------------------------------------------------------

def test_live_knobs_l1_dropout_weights_engine():
    spec = load_scenario("svm").spec
    assert knobs.live(spec, "l1").l1 == 1e-4 and knobs.live(knobs.live(spec, "l1"), "l1").l1 == 2e-4
    assert knobs.live(spec, "l1", up=False).l1 == 0.0 and knobs.L1_LADDER[-1] == 1.0
    balanced = knobs.live(spec, "weights")
    assert balanced.class_weights_mode == "balanced" and balanced.class_weights == ((1, 1.0), (-1, 1.0))
    assert knobs.live(balanced, "weights").class_weights is None
    assert knobs.live(spec, "engine").engine == "numpy" and knobs.live(knobs.live(spec, "engine"), "engine").engine \
        == "python"
    with pytest.raises(ValueError, match="mlp only"):
        knobs.live(spec, "dropout")
    mlp = dataclasses.replace(spec, model="mlp")
    assert [knobs.live(mlp, "dropout").dropout, knobs.live(dataclasses.replace(mlp, dropout=0.5), "dropout").dropout,
            knobs.live(dataclasses.replace(mlp, dropout=0.7), "dropout").dropout] == [0.1, 0.7, 0.7]
    fit = load_scenario("line_fit").spec
    for knob in ("weights", "engine", "dropout"):
        with pytest.raises(ValueError):
            knobs.live(fit, knob)
    assert set(knobs.LIVE) >= {"l1", "dropout", "weights", "engine"}


def test_retune_takes_l1_and_weights_from_the_next_step():
    s = Session(load_scenario("svm"))
    before = s.current.output
    snap = s.retuned("weights")  # balanced on the guide's 3 + 3 points: every weight is 1
    assert snap.output == before
    snap = s.retuned("l1")
    assert s.lesson.objective.l1 == 1e-4 and snap.output > before
    assert snap.values == Session(load_scenario("svm")).current.values  # the same parameters


def test_the_engine_knob_swaps_the_objective_and_carries_its_counters():
    s = Session(load_scenario("neural_net"))
    for _ in range(3):
        s.step()
    old = s.lesson.objective
    s.retuned("engine")
    new = s.lesson.objective
    assert new is not old and s.lesson.spec.engine == "numpy"
    assert (new.forward_passes, new.backward_passes, new.stop) == (old.forward_passes, old.backward_passes, old.stop)
    snap = s.step()
    assert snap.forward_passes == old.forward_passes + 1
    s.retuned("engine")
    assert type(s.lesson.objective) is type(old) and s.lesson.objective.forward_passes == snap.forward_passes


def test_rebuilding_knobs_init_and_bias():
    spec = load_scenario("neural_net").spec
    data = knobs.data_of(spec, None)
    new, _, words = knobs.rebuilt(spec, data, None, "init")
    assert (new.init_scheme, new.init, words) == ("xavier", None, "init xavier")
    assert knobs.rebuilt(new, data, None, "init")[0].init_scheme == "he"
    assert knobs.rebuilt(spec, data, None, "init", up=False)[0].init_scheme == "he"
    biases = [None]
    for _ in range(8):
        biases.append(knobs.rebuilt(dataclasses.replace(spec, bias_start=biases[-1]), data, None, "bias")[0].bias_start)
    assert biases == [None, -2.0, -1.0, -0.5, 0.0, 0.1, 0.5, 1.0, 1.0]
    down = knobs.rebuilt(dataclasses.replace(spec, bias_start=-2.0), data, None, "bias", up=False)
    assert down[0].bias_start is None and down[2] == "biases start as the model draws them"
    assert knobs.rebuilt(dataclasses.replace(spec, bias_start=0.3), data, None, "bias")[0].bias_start == 0.5
    svm = load_scenario("svm").spec  # a start given in the file is dropped: the new biases are drawn afresh
    assert svm.init is not None and knobs.rebuilt(svm, knobs.data_of(svm, None), None, "bias")[0].init is None


# ---- saved ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["svm", "softmax_blobs", "sine_fit"])
def test_the_new_keys_are_saved_when_set_and_read_back_equal(name):
    sc = load_scenario(name)
    assert not any(k in scenario_toml(sc) for k in ("init_scheme", "bias_start", "l1 ", "dropout", "class_weights"))
    model = "mlp" if name != "sine_fit" else sc.spec.model
    changes = dict(model=model, init_scheme="he", bias_start=-0.5, l1=0.01, dropout=0.3, init=None)
    if name != "sine_fit":
        changes["class_weights_mode"] = "balanced"
        changes["class_weights"] = knobs.balanced(sc.spec).class_weights
        changes["layers"] = (4,)
    spec = dataclasses.replace(sc.spec, **changes)
    saved = dataclasses.replace(sc, spec=spec)
    text = scenario_toml(saved)
    assert 'init_scheme = "he"' in text and "bias_start = -0.5" in text and "l1 = 0.01" in text
    back = parse_scenario(text, f"{name}.toml")
    assert back.spec == spec


@pytest.mark.parametrize("name", ["sine_fit", "softmax_blobs", "neural_net"])
def test_every_kind_rebuilds_with_a_new_init_or_bias(name):
    s = Session(load_scenario(name))
    fresh, what = s.rebuilt("bias")
    assert what == "biases start at -2" and fresh.step_count == 0
    biases = [p for p in fresh.lesson.model.params if p not in fresh.lesson.model.fans]
    assert biases and all(fresh.current.values[p] == -2.0 for p in biases)
    fresh, what = fresh.rebuilt("init")
    assert what == "init xavier" and fresh.scenario.spec.bias_start == -2.0
