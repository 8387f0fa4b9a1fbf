"""The multiclass lesson kind (issue 14): its stage (what a panel draws), its detail, the cost's convention, the
gradient check through the stage, the live knobs and divergence."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hnn_tui.engine import Session, parse_scenario
from hnn_tui.engine.lessons import MulticlassDetail, MulticlassLesson, MulticlassStage, lesson_for
from hnn_tui.engine.lessons.multiclass import MAX_CLASSES, MULTICLASS_LOSSES
from hnn_tui.engine.multiclass_losses import point_loss

TEXT = """title = "mc"
kind = "classifier"
seed = 3
[model]
type = "{model}"
{extra}
loss = "{loss}"
batch = "full"
reg = 0.2
[data]
dataset = "blobs"
n = 10
classes = 4
noise = 0.4
[settings]
step_size = {step}
"""
EXTRA = {"svm": "", "net": "hidden = 3", "mlp": "layers = [4, 3]"}


def session(model="svm", loss="softmax", step=0.1) -> Session:
    return Session(parse_scenario(TEXT.format(model=model, extra=EXTRA[model], loss=loss, step=step), "mc.toml"))


def test_the_kind_and_its_constants():
    s = session()
    assert lesson_for(s.scenario.spec) is MulticlassLesson and s.lesson_type.kind == "classifier"
    assert (MAX_CLASSES, MULTICLASS_LOSSES) == (10, ("softmax", "multiclass_hinge"))
    assert (MulticlassLesson.output_name, MulticlassLesson.measures, MulticlassLesson.start_key) == \
        ("cost", ("accuracy",), "model.init")


@pytest.mark.parametrize("model", ["svm", "net", "mlp"])
def test_the_stage(model):
    s = session(model)
    stage, v = s.stage, dict(s.current.values)
    assert isinstance(stage, MulticlassStage) and stage.classes == ("1", "2", "3", "4")
    assert stage.points == s.scenario.spec.points and stage.params == tuple(s.current.values)
    X, Y = np.zeros((3, 5)), np.ones((3, 5))
    assert stage.scores(v, X, Y).shape == (3, 5, 4)
    x, y = stage.points[0]
    assert stage.scores(v, x, y).tolist() == pytest.approx(s.lesson.model.outputs((x, y)), abs=1e-12)
    hidden = {"svm": (), "net": ("n1", "n2", "n3"), "mlp": ("h1[0]", "h1[1]", "h1[2]", "h1[3]", "h2[0]", "h2[1]",
                                                          "h2[2]")}[model]
    assert stage.hidden_names == hidden
    lines = stage.neuron_lines(v)
    if model == "svm":
        assert lines == ()
    else:
        assert [n for n, *_ in lines] == list(hidden[:3 if model == "net" else 4])
        assert lines[0][1:] == (v["w1[0,0]"], v["w1[0,1]"], v["b1[0]"])
    at = stage.hidden_at(v, x, y)
    assert tuple(n for n, *_ in at) == hidden
    if hidden:
        pre = v["w1[0,0]"] * x + v["w1[0,1]"] * y + v["b1[0]"]
        assert at[0][1:] == pytest.approx((pre, max(0.0, pre)), abs=1e-12)


@pytest.mark.parametrize("loss", MULTICLASS_LOSSES)
@pytest.mark.parametrize("model", ["svm", "net", "mlp"])
def test_the_gradient_check_leaves_the_session_alone(model, loss):
    s = session(model, loss)
    s.step()
    before = (s.current.forward_passes, dict(s.lesson.model.values()))
    check = s.stage.check_gradient(dict(s.current.values), 1e-6, True)
    assert set(check) == {"output", "analytic", "numerical", "max_rel_error", "h", "kinks"}
    assert check["max_rel_error"] < 1e-5 and check["kinks"] == []
    assert (s.current.forward_passes, dict(s.lesson.model.values())) == before
    # the check's output is the full-batch objective: minus cost / N
    assert check["output"] == pytest.approx(-s.current.output / 10, abs=1e-12)


def test_the_check_names_a_point_at_the_hinges_margin():
    s = session("svm", "multiclass_hinge")
    v = {p: 0.0 for p in s.current.values}
    v["c2"] = -1.0  # every point: s_2 - s_y + 1 = 0 for class-1 points exactly (s_1 = 0, s_2 = -1)
    kinks = s.stage.check_gradient(v, 1e-6, True)["kinks"]
    first = [i for i, c in enumerate(s.scenario.spec.labels) if c == 0][0]
    assert f"point {first}, class 2 at the margin" in kinks


def test_the_detail_and_the_extra_keys():
    s = session("net", "softmax")
    snap = s.step()
    d = snap.detail
    assert isinstance(d, MulticlassDetail) and d.confusion == snap.extra["confusion"]
    assert d.class_accuracy == snap.extra["class_accuracy"] and (d.val_accuracy, d.val_cost) == (None, None)
    p = d.inside.batch[0]
    assert isinstance(p.label, int) and len(p.scores) == len(p.probs) == len(p.pull) == 4
    assert snap.extra["batch"][0]["label"] == s.stage.classes[p.label]
    assert list(snap.extra) == ["val_accuracy", "val_cost", "class_accuracy", "confusion", "batch", "data_pull",
                                "spring_pull", "hidden", "dead"]
    with pytest.raises(TypeError):
        snap.extra["class_accuracy"]["1"] = 1.0  # read-only


@pytest.mark.parametrize("model", ["svm", "net", "mlp"])
def test_the_cost_is_n_times_the_full_batch_objective(model):
    s = session(model, "multiclass_hinge")
    obj = s.lesson.objective
    obj.batch = list(range(10))
    assert s.current.output == pytest.approx(-10 * obj.evaluate(), abs=1e-12)


def test_the_live_knobs():
    s = session("svm", "softmax")
    spec = s.scenario.spec
    s.lesson.retune(replace(spec, loss="multiclass_hinge", reg=0.0))
    snap = s.step()
    assert "probs" not in snap.extra["batch"][0] and all(v == 0.0 for v in snap.extra["spring_pull"].values())
    with pytest.raises(ValueError):
        s.lesson.retune(replace(spec, loss="hinge"))


def test_a_step_too_big_diverges_and_names_what():
    s = session("svm", "softmax", step=1e300)
    snaps = list(s.run(5))
    assert snaps[-1].diverged and "diverged at step" in snaps[-1].diverged


def test_the_guides_models_draw_their_biases_the_mlp_starts_them_at_0():
    values = {m: session(m).current.values for m in ("svm", "net", "mlp")}
    assert all(values["svm"][f"c{j}"] != 0.0 for j in range(1, 5))
    assert all(values["net"][f"b1[{i}]"] != 0.0 for i in range(3)) and values["net"]["b2[0]"] != 0.0
    assert all(v == 0.0 for p, v in values["mlp"].items() if p.startswith("b"))
    assert all(abs(v) <= 0.5 for m in values for v in values[m].values())  # init_scale 0.5


@pytest.mark.parametrize("loss", MULTICLASS_LOSSES)
def test_held_out_measures_are_the_mean_point_loss_and_the_fraction_right(loss):
    text = TEXT.format(model="svm", extra="", loss=loss, step=0.1).replace("noise = 0.4", "noise = 0.4\n"
                                                                                   "validation = 0.3")
    s = Session(parse_scenario(text, "mc.toml"))
    spec = s.scenario.spec
    assert len(spec.val_points) == 3
    S = [s.lesson.model.outputs(p) for p in spec.val_points]
    by_hand = sum(point_loss(sc, y, loss) for sc, y in zip(S, spec.val_labels)) / 3
    right = sum(max(range(4), key=lambda k: sc[k]) == y for sc, y in zip(S, spec.val_labels)) / 3
    assert s.current.extra["val_cost"] == pytest.approx(by_hand, abs=1e-12)
    assert s.current.extra["val_accuracy"] == right
    assert s.current.detail.val_cost == s.current.extra["val_cost"]
