"""The regression losses (issue 14): exact values of each loss and its pull worked by hand, and every loss's
backprop gradient through the whole objective against the centered numerical gradient, for every model."""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hnn_tui.engine.lessons.regression import MODELS, check_regression, make_model, pre_activations_fn
from hnn_tui.engine.models import init_params
from hnn_tui.engine.regression_losses import (
    LOSSES,
    RegressionObjective,
    cost,
    losses,
    point_loss,
    point_pull,
    rmse,
)
from hnn_tui.engine.strategies import numerical_gradient

# (p, t, loss, delta, loss value, pull = -d loss / d p), each worked by hand with r = p - t
HAND = [
    (3.0, 1.0, "squared", 1.0, 4.0, -4.0),  # r = 2: r^2 = 4, -2r = -4
    (-0.5, 1.0, "squared", 1.0, 2.25, 3.0),  # r = -1.5: 2.25, +3
    (1.0, 1.0, "squared", 1.0, 0.0, 0.0),
    (3.0, 1.0, "absolute", 1.0, 2.0, -1.0),  # |2| = 2, -sign(2) = -1
    (0.0, 1.0, "absolute", 1.0, 1.0, 1.0),  # |-1| = 1, -sign(-1) = +1
    (1.0, 1.0, "absolute", 1.0, 0.0, 0.0),  # the kink: the pull is 0
    (1.5, 1.0, "huber", 1.0, 0.125, -0.5),  # |r| = 0.5 <= 1: r^2/2 = 0.125, -r = -0.5
    (4.0, 1.0, "huber", 1.0, 2.5, -1.0),  # |r| = 3 > 1: 1 * (3 - 0.5) = 2.5, pull clipped to -1
    (-1.0, 1.0, "huber", 0.5, 0.875, 0.5),  # r = -2, delta 0.5: 0.5 * (2 - 0.25) = 0.875, pull +0.5
    (2.0, 1.0, "huber", 1.0, 0.5, -1.0),  # |r| = delta: both pieces give 0.5; the pull is -delta
    (1.0, 1.0, "huber", 1.0, 0.0, 0.0),
]


@pytest.mark.parametrize("p,t,loss,delta,value,pull", HAND)
def test_each_loss_and_pull_by_hand(p, t, loss, delta, value, pull):
    assert point_loss(p, t, loss, delta) == value
    assert point_pull(p, t, loss, delta) == pull
    assert str(point_pull(p, t, loss, delta)) != "-0.0"  # no -0.0 in a JSON line
    assert losses([p], [t], loss, delta).tolist() == [value]  # the vectorized loss the cost uses


def test_cost_is_the_sum_of_point_losses_plus_alpha_times_the_squared_weights():
    # squared: (3-1)^2 + (0-1)^2 = 5; alpha * (2^2 + 1^2) = 0.5 * 5 = 2.5
    assert cost([3.0, 0.0], [1.0, 1.0], [2.0, -1.0], 0.5, "squared") == 7.5
    assert cost([3.0, 0.0], [1.0, 1.0], [], 0.5, "absolute") == 3.0
    assert cost([4.0, 1.5], [1.0, 1.0], [1.0], 2.0, "huber", 1.0) == 2.5 + 0.125 + 2.0
    assert rmse([3.0, 0.0], [1.0, 1.0]) == pytest.approx((5 / 2) ** 0.5, rel=1e-15)


def test_the_objective_is_minus_the_mean_loss_and_the_spring_and_its_pull_is_recorded():
    # the line a*x + b at a = 2, b = 0.5 on x = 1, t = 1 and x = -1, t = 0: p = 2.5 and -1.5, r = 1.5 and -1.5
    model = make_model("line")
    model.set([2.0, 0.5])
    obj = RegressionObjective(model, (1.0, -1.0), (1.0, 0.0), reg=0.1, loss="squared")
    obj.batch = [0, 1]
    assert obj.evaluate() == pytest.approx(-((2.25 + 2.25) / 2 + 0.05 * 4.0), rel=1e-15)
    grads = obj.pull()
    # pulls -3 and +3; d p / d a = x, d p / d b = 1: da = (-3*1 + 3*-1)/2 = -3, spring -0.1*2; db = 0
    assert grads == pytest.approx([-3.0 - 0.2, 0.0], abs=1e-15)
    inside = obj.inside
    assert [(p.index, p.x, p.target, p.prediction, p.residual, p.pull) for p in inside.batch] == \
        [(0, 1.0, 1.0, 2.5, -1.5, -3.0), (1, -1.0, 0.0, -1.5, 1.5, 3.0)]
    assert dict(inside.data_pull) == {"a": -3.0, "b": 0.0}
    assert dict(inside.spring_pull) == pytest.approx({"a": -0.2, "b": 0.0}, abs=1e-15)
    assert (obj.forward_passes, obj.backward_passes) == (4, 2)  # evaluate: 2 forwards; pull: 2 and 2
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        RegressionObjective(model, (1.0,), (1.0,), 0.0, "hinge")


# --- the analytic gradient against the centered numerical one, every model and loss ------------------------

SHAPES = {"line": {}, "net": {"hidden": 3}, "mlp": {"layers": (3, 2)}}
H = 1e-6
KINK_MARGIN = 1e-3  # no residual within this of a loss's kink, no pre-activation within it of a ReLU's


def objective(model_type: str, loss: str, seed: int, reg: float, delta: float):
    rng = np.random.default_rng(seed)
    model = make_model(model_type, **SHAPES[model_type])
    init_params(model, None, 1.0, random.Random(seed))
    xs = tuple(rng.uniform(-2, 2, size=5).tolist())
    targets = tuple(rng.normal(0, 1.5, size=5).tolist())
    obj = RegressionObjective(model, xs, targets, reg, loss, delta)
    obj.batch = list(range(5))
    return obj


def near_a_kink(obj) -> bool:
    v = obj.model.values()
    p = obj.model.scorer()(v, np.array(obj.xs))
    r = np.abs(p - np.array(obj.targets))
    if obj.loss == "absolute" and r.min() < KINK_MARGIN:
        return True
    if obj.loss == "huber" and np.abs(r - obj.delta).min() < KINK_MARGIN:
        return True
    return any(np.abs(pre).min() < KINK_MARGIN for pre in pre_activations_fn(obj.model)(v, obj.xs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.sampled_from(MODELS), st.sampled_from(LOSSES), st.integers(0, 2**32 - 1),
       st.floats(0.0, 1.0), st.floats(0.2, 2.0))
def test_backprop_matches_the_centered_numerical_gradient(model_type, loss, seed, reg, delta):
    obj = objective(model_type, loss, seed, reg, delta)
    assume(not near_a_kink(obj))
    start = obj.get()
    analytic = obj.pull()
    numerical = numerical_gradient(obj, H, centered=True)
    assert obj.get() == start
    for name, a, n in zip(obj.names, analytic, numerical):
        assert a == pytest.approx(n, rel=1e-4, abs=1e-6), (name, a, n)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("model_type", MODELS)
def test_the_gradient_check_agrees_away_from_kinks(model_type, loss):
    seed = next(s for s in range(100) if not near_a_kink(objective(model_type, loss, s, 0.3, 0.7)))
    obj = objective(model_type, loss, seed, 0.3, 0.7)
    result = check_regression(obj, obj.model.values(), 1e-6, True)
    assert result["kinks"] == [] and result["max_rel_error"] < 1e-5
    assert result["output"] == pytest.approx(obj.evaluate(), rel=1e-15)


def test_the_gradient_check_names_the_points_on_a_kink():
    model = make_model("line")
    model.set([0.0, 0.5])  # p = 0.5 everywhere: point 0 (t = 0.5) sits at r = 0, point 1 (t = 1.5) at |r| = 1
    for loss, words in (("absolute", "point 0 at r = 0"), ("huber", "point 1 at |r| = delta")):
        obj = RegressionObjective(model, (0.0, 1.0), (0.5, 1.5), 0.0, loss, 1.0)
        obj.batch = [0, 1]
        assert check_regression(obj, {"a": 0.0, "b": 0.5}, 1e-4, True)["kinks"] == [words]
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        check_regression(obj, {"a": 0.0, "b": 0.5}, 0.0, True)
    with pytest.raises(ValueError, match="no value given for b"):
        check_regression(obj, {"a": 0.0}, 1e-4, True)
