"""Classifier lessons: the pull is minus the gradient of the objective, the cost is N times it, and a full
batch is the mean pull plus the spring."""
from __future__ import annotations

import pytest
from cases import classifier_text

from hnn_tui.engine import Session, parse_scenario


def test_full_batch_analytic_step_is_the_mean_pull_plus_the_spring():
    # At a=1, b=-2, c=-1 the six guide points score -1.2, -0.3, 1.8, 0.9, -4.2, 7.1, so the pulls
    # are +1, -1, 0, -1, 0, 0 on points (1.2, 0.7), (-0.3, -0.5), (-0.1, -1.0). By hand:
    # da = (1.2 + 0.3 + 0.1)/6 - 1, db = (0.7 + 0.5 + 1.0)/6 + 2, dc = (1 - 1 - 1)/6.
    sc = parse_scenario(classifier_text(model='batch = "full"\ninit = { a = 1.0, b = -2.0, c = -1.0 }'), "full.toml")
    g = Session(sc).step().grads
    assert g["a"] == pytest.approx(1.6 / 6 - 1, abs=1e-12)
    assert g["b"] == pytest.approx(2.2 / 6 + 2, abs=1e-12)
    assert g["c"] == pytest.approx(-1 / 6, abs=1e-12)


# --- classifiers: the pull is minus the gradient of the objective, and the cost is N times it -----

def moons_text(model, loss):
    return f"""
title = "moons"
kind = "classifier"
seed = 4
[model]
type = "{model}"
loss = "{loss}"
batch = "full"
reg = 0.5
[data]
dataset = "moons"
n = 40
"""


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("model", ["svm", "net"])
def test_classifier_pull_matches_the_numerical_gradient_of_the_objective(model, loss):
    # Same start (same seed), full batch: backprop's pull against the centered difference of the
    # objective the numerical strategy probes. Away from hinge and ReLU kinks they agree closely.
    sc = parse_scenario(moons_text(model, loss), "moons.toml")
    analytic = Session(sc, "analytic").step().grads
    numerical_session = Session(sc, "numerical")
    numerical_session.set_settings(centered=True)
    numerical = numerical_session.step().grads
    assert set(analytic) == set(numerical) and len(analytic) == (3 if model == "svm" else 13)
    for name in analytic:
        assert analytic[name] == pytest.approx(numerical[name], abs=1e-6), name


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("model", ["svm", "net"])
def test_cost_is_n_times_the_full_batch_objective(model, loss):
    # hnn_tui/scenarios/README.md: the cost shown is sum of losses + alpha * sum w^2 with alpha = reg * N / 2,
    # "exactly N times the full-batch objective".
    sc = parse_scenario(moons_text(model, loss), "moons.toml")
    s = Session(sc)
    obj = s.lesson.objective
    n = len(sc.spec.labels)
    obj.batch = list(range(n))
    assert s.lesson.alpha == 0.5 * 40 / 2
    assert s.current.output == pytest.approx(-n * obj.evaluate(), rel=1e-12)


@pytest.mark.parametrize("model", ["svm", "net"])
def test_vectorized_scores_match_the_circuit(model):
    sc = parse_scenario(moons_text(model, "hinge"), "moons.toml")
    s = Session(sc)
    m, points, labels = s.lesson.model, sc.spec.points, sc.spec.labels
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    scores = s.stage.score(dict(s.current.values), xs, ys)  # the pure function the boundary draws with
    assert list(scores) == pytest.approx([m.score(x, y) for x, y in points], rel=1e-12, abs=1e-12)
    accuracy = sum((sc_ > 0) == (label > 0) for sc_, label in zip(scores, labels)) / len(labels)
    assert s.current.measures["accuracy"] == accuracy

