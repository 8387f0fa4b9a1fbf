"""Backprop through the multiclass models (issue 14): for every model type (svm, net, mlp) and both losses, the
analytic pull of the objective against its centered numerical gradient, at random parameters and points drawn by
hypothesis; the same through the lesson's gradient check; the forward and backward passes counted per point."""
from __future__ import annotations

import random
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hnn_tui.engine.models import init_params
from hnn_tui.engine.multiclass_losses import MULTICLASS_LOSSES
from hnn_tui.engine.multiclass_objective import MulticlassObjective, forward_fn, make_class_model
from hnn_tui.engine.objectives import Interrupted
from hnn_tui.engine.strategies import numerical_gradient

MODELS = {"svm": dict(), "net": dict(hidden=3), "mlp": dict(layers=(4, 3))}
H = 1e-6


def build(model: str, k: int, loss: str, seed: int, n: int = 6, reg: float = 0.3):
    """A K-class model at random parameters (in ±1) and n random points with random classes, full batch."""
    rng = np.random.default_rng(seed)
    points = [tuple(p) for p in rng.uniform(-2, 2, size=(n, 2)).tolist()]
    labels = [int(c) for c in rng.integers(0, k, size=n)]
    m = make_class_model(model, k, **MODELS[model])
    init_params(m, None, 1.0, random.Random(seed))
    m.set([v + 0.1 * (i % 3 == 2) for i, v in enumerate(m.get())])  # the mlp's biases start at 0: move them off
    obj = MulticlassObjective(m, points, labels, reg, loss)
    obj.batch = list(range(n))
    return m, obj


def far_from_kinks(m, obj, loss: str) -> bool:
    """No hinge margin and no ReLU pre-activation within 1e-4 of its kink: a probe of H cannot straddle one."""
    X = np.array(obj.points)
    S, layers = forward_fn(m)(m.values(), X[:, 0], X[:, 1])
    near = [abs(pre).min() for pre, _ in layers]
    if loss == "multiclass_hinge":
        y = np.array(obj.labels)
        margins = S - S[np.arange(len(y)), y][:, None] + 1
        margins[np.arange(len(y)), y] = np.inf
        near.append(abs(margins).min())
    return min(near, default=np.inf) > 1e-4


@pytest.mark.parametrize("loss", MULTICLASS_LOSSES)
@pytest.mark.parametrize("model", list(MODELS))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 5))
def test_backprop_matches_the_centered_numerical_gradient(model, loss, seed, k):
    m, obj = build(model, k, loss, seed)
    if not far_from_kinks(m, obj, loss):
        return
    analytic = obj.pull()
    numerical = numerical_gradient(obj, H, centered=True)
    assert len(analytic) == len(m.params)
    for name, a, n in zip(obj.names, analytic, numerical):
        assert a == pytest.approx(n, rel=1e-5, abs=1e-6), name


@pytest.mark.parametrize("loss", MULTICLASS_LOSSES)
@pytest.mark.parametrize("model", list(MODELS))
def test_the_pull_is_the_mean_data_pull_plus_the_spring(model, loss):
    m, obj = build(model, 3, loss, 7, reg=0.5)
    grads = obj.pull()
    values = m.values()
    for name, g in zip(obj.names, grads):
        spring = -0.5 * values[name] if name in m.regularized else 0.0
        assert obj.inside.spring_pull[name] == spring
        assert g == obj.inside.data_pull[name] + spring
    biases = {"svm": {"c1", "c2", "c3"}, "net": {"b1[0]", "b1[1]", "b1[2]", "b2[0]", "b2[1]", "b2[2]"}}
    if model in biases:
        assert set(m.params) - set(m.regularized) == biases[model]
    # the objective is minus (mean point loss + reg/2 * |w|^2), the spring on the weights only
    assert obj.evaluate() == pytest.approx(-(np.mean([
        -np.log(np.exp(p.scores[p.label]) / np.sum(np.exp(p.scores))) if loss == "softmax" else
        sum(max(0.0, s - p.scores[p.label] + 1) for j, s in enumerate(p.scores) if j != p.label)
        for p in obj.inside.batch]) + 0.25 * sum(values[w] ** 2 for w in m.regularized)), abs=1e-12)


def test_linear_scores_are_a_times_x_plus_b_times_y_plus_c_per_class():
    m = make_class_model("svm", 3)
    assert m.params == ["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"]
    m.set([1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert m.outputs((1.0, -1.0)) == [1 - 2 + 3, 4 - 5 + 6, 7 - 8 + 9]
    S, hidden = forward_fn(m)(m.values(), np.array([1.0]), np.array([-1.0]))
    assert S.tolist() == [[2.0, 5.0, 8.0]] and hidden == []
    assert m.regularized == ["a1", "b1", "a2", "b2", "a3", "b3"]


@pytest.mark.parametrize("model", list(MODELS))
def test_forward_fn_gives_the_models_own_scores(model):
    m, obj = build(model, 4, "softmax", 3)
    X = np.array(obj.points)
    S, _ = forward_fn(m)(m.values(), X[:, 0], X[:, 1])
    for row, p in zip(S.tolist(), obj.points):
        assert row == pytest.approx(m.outputs(p), abs=1e-12)


def test_passes_are_counted_per_point_and_stop_interrupts():
    m, obj = build("net", 3, "multiclass_hinge", 1, n=5)
    obj.evaluate()
    obj.pull()
    assert (obj.forward_passes, obj.backward_passes) == (10, 5)
    obj.batch = [2]
    obj.pull()
    assert (obj.forward_passes, obj.backward_passes) == (11, 6)
    assert obj.inside.hidden is not None and len(obj.inside.hidden[0]) == 3  # one point: its hidden outputs
    obj.stop = threading.Event()
    obj.stop.set()
    with pytest.raises(Interrupted):
        obj.evaluate()
    with pytest.raises(Interrupted):
        obj.pull()
