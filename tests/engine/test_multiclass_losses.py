"""The multiclass losses (issue 14): softmax cross-entropy and the multiclass SVM hinge, by hand on small cases, their
pulls against the centered numerical derivative of the point loss, and the numpy forms against the scalar ones."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hnn_tui.engine import multiclass_losses as ml

# --- softmax, by hand ----------------------------------------------------------------------------


def test_softmax_of_equal_scores_is_uniform_and_its_loss_is_log_k():
    # p_k = 1/3 each; -log(1/3) = log 3; pull = [k == y] - 1/3
    assert ml.softmax([0.0, 0.0, 0.0]) == pytest.approx([1 / 3] * 3, abs=1e-15)
    assert ml.softmax_loss([0.0, 0.0, 0.0], 1) == pytest.approx(math.log(3), abs=1e-15)
    assert ml.softmax_pull([0.0, 0.0, 0.0], 1) == pytest.approx([-1 / 3, 2 / 3, -1 / 3], abs=1e-15)


def test_softmax_by_hand():
    # scores 0, log 2, log 3: exp gives 1, 2, 3 (sum 6), so p = 1/6, 2/6, 3/6; for y = 2 the loss is -log(1/2)
    scores = [0.0, math.log(2), math.log(3)]
    assert ml.softmax(scores) == pytest.approx([1 / 6, 1 / 3, 1 / 2], abs=1e-15)
    assert ml.softmax_loss(scores, 2) == pytest.approx(math.log(2), abs=1e-15)
    assert ml.softmax_pull(scores, 2) == pytest.approx([-1 / 6, -1 / 3, 1 / 2], abs=1e-15)
    assert ml.softmax_loss(scores, 0) == pytest.approx(math.log(6), abs=1e-15)  # -log(1/6)
    assert ml.softmax_pull(scores, 0) == pytest.approx([5 / 6, -1 / 3, -1 / 2], abs=1e-15)


def test_softmax_is_stable_for_huge_scores():
    # exp(1000) overflows; log-sum-exp subtracts the largest score first
    assert ml.softmax_loss([1000.0, 0.0, -1000.0], 0) == pytest.approx(math.exp(-1000), abs=1e-300)
    assert ml.softmax_loss([1000.0, 0.0, -1000.0], 1) == pytest.approx(1000.0, rel=1e-15)
    assert ml.softmax_pull([1000.0, 0.0, -1000.0], 1) == pytest.approx([-1.0, 1.0, 0.0], abs=1e-15)
    S = np.array([[1000.0, 0.0, -1000.0]])
    assert ml.losses(S, [1], "softmax").tolist() == pytest.approx([1000.0], rel=1e-15)


# --- the multiclass hinge, by hand (CS231n's three examples) ------------------------------------------


def test_hinge_by_hand_cs231n_examples():
    # the cat image: cat 3.2, car 5.1, frog -1.7; right class cat (0):
    # max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
    assert ml.hinge_loss([3.2, 5.1, -1.7], 0) == pytest.approx(2.9, abs=1e-12)
    assert ml.hinge_pull([3.2, 5.1, -1.7], 0) == [1.0, -1.0, 0.0]  # car violates: down 1; cat up 1
    # the car: 1.3, 4.9, 2.0, right class car (1): every margin met, loss 0, no pull
    assert ml.hinge_loss([1.3, 4.9, 2.0], 1) == 0.0
    assert ml.hinge_pull([1.3, 4.9, 2.0], 1) == [0.0, 0.0, 0.0]
    # the frog: 2.2, 2.5, -3.1, right class frog (2): (2.2 + 3.1 + 1) + (2.5 + 3.1 + 1) = 6.3 + 6.6
    assert ml.hinge_loss([2.2, 2.5, -3.1], 2) == pytest.approx(12.9, abs=1e-12)
    assert ml.hinge_pull([2.2, 2.5, -3.1], 2) == [-1.0, -1.0, 2.0]  # two violators: the right score up by 2


def test_hinge_at_the_margin_pulls_nothing_and_is_a_kink():
    # s_k - s_y + 1 == 0 exactly: not a violator (loss 0, pull 0), but the loss bends there
    assert ml.hinge_loss([0.0, 1.0, 0.0], 1) == 0.0
    assert ml.hinge_pull([0.0, 1.0, 0.0], 1) == [0.0, 0.0, 0.0]
    assert ml.at_kink([0.0, 1.0, 0.0], 1, "multiclass_hinge") == [0, 2]
    assert ml.at_kink([0.0, 1.0, 0.0], 1, "softmax") == []
    assert ml.hinge_pull([0.0, 0.5, 0.0], 1) == [-1.0, 2.0, -1.0]  # within the margin: both pull


def test_cost_is_the_sum_of_point_losses_plus_alpha_times_the_squared_weights():
    S = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    assert ml.cost(S, [0, 1, 2], [1.0, -2.0], 0.5, "multiclass_hinge") == pytest.approx(2.9 + 0 + 12.9 + 0.5 * 5)
    soft = ml.cost(S, [0, 1, 2], [3.0], 2.0, "softmax")
    assert soft == pytest.approx(sum(ml.softmax_loss(s, y) for s, y in zip(S, [0, 1, 2])) + 18.0, abs=1e-12)


# --- every pull is minus the derivative of the point loss; numpy agrees with the scalar forms -----------

scores_st = st.lists(st.floats(-20, 20, allow_nan=False), min_size=2, max_size=10)


@settings(max_examples=200, deadline=None)
@given(scores=scores_st, data=st.data())
def test_pull_is_minus_the_centered_numerical_derivative(scores, data):
    y = data.draw(st.integers(0, len(scores) - 1))
    loss = data.draw(st.sampled_from(ml.MULTICLASS_LOSSES))
    h = 1e-6
    if loss == "multiclass_hinge":  # a probe straddling the hinge's kink mixes both slopes: keep away from it
        margins = [s - scores[y] + 1 for k, s in enumerate(scores) if k != y]
        if min(abs(m) for m in margins) < 10 * h:
            return
    pull = ml.point_pull(scores, y, loss)
    for k in range(len(scores)):
        up, down = list(scores), list(scores)
        up[k] += h
        down[k] -= h
        numerical = (ml.point_loss(up, y, loss) - ml.point_loss(down, y, loss)) / (2 * h)
        assert pull[k] == pytest.approx(-numerical, abs=1e-5), (k, loss)
    assert sum(pull) == pytest.approx(0.0, abs=1e-12)  # both losses: shifting every score alike changes nothing


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(st.floats(-20, 20), min_size=4, max_size=4), min_size=1, max_size=6), data=st.data())
def test_numpy_losses_match_the_scalar_ones(rows, data):
    y = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    for loss in ml.MULTICLASS_LOSSES:
        fast = ml.losses(np.array(rows), y, loss)
        slow = [ml.point_loss(s, c, loss) for s, c in zip(rows, y)]
        assert fast.tolist() == pytest.approx(slow, abs=1e-9)
    for fast, s in zip(ml.probabilities(np.array(rows)).tolist(), rows):
        assert fast == pytest.approx(ml.softmax(s), abs=1e-12)
