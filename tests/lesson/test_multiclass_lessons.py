"""The bundled multiclass lessons (issue 14): every number their descriptions promise is what the code does."""
from __future__ import annotations

import math
import time

import pytest

from hnn_tui.engine import Session, load_scenario


def steps(name: str):
    """(session, [the start, then every snapshot of the scenario's own run])."""
    s = Session(load_scenario(name))
    return s, [s.current, *s.run(s.scenario.steps)]


@pytest.fixture(scope="module")
def blobs():
    return steps("softmax_blobs")


@pytest.fixture(scope="module")
def spiral():
    t = time.process_time()
    s, snaps = steps("multiclass_svm")
    return s, snaps, time.process_time() - t


def acc(snap) -> float:
    return snap.measures["accuracy"]


# --- softmax_blobs ------------------------------------------------------------------------------------

def test_softmax_blobs_is_what_it_says(blobs):
    s, snaps = blobs
    spec, sc = s.scenario.spec, s.scenario
    assert (spec.model, spec.loss, spec.batch, spec.reg, spec.classes) == ("svm", "softmax", "full", 0.01,
                                                                            ("1", "2", "3"))
    assert (spec.dataset, spec.data_n, spec.data_noise, len(spec.points)) == ("blobs", 60, 0.5, 60)
    assert [spec.labels.count(j) for j in range(3)] == [20, 20, 20]
    assert (sc.order, sc.steps, sc.settings.step_size, sc.kind) == (13, 200, 0.2, "classifier")
    assert all(v == 0.0 for v in snaps[0].values.values())  # every parameter starts at 0


def test_softmax_blobs_start(blobs):
    _, snaps = blobs
    start = snaps[0]
    assert acc(start) == 20 / 60 and f"{acc(start):.2f}" == "0.33"  # every score ties: class 1 wins
    assert start.output == pytest.approx(60 * math.log(3), abs=1e-12) and f"{start.output:.2f}" == "65.92"
    for p in snaps[1].detail.inside.batch:  # the first step's batch holds the start's scores: p_k = 1/3
        assert p.probs == pytest.approx((1 / 3,) * 3, abs=1e-15)


def test_softmax_blobs_accuracy(blobs):
    _, snaps = blobs
    assert f"{acc(snaps[1]):.2f}" == "0.87"
    best = max(acc(s) for s in snaps)
    assert best == 58 / 60 and f"{best:.2f}" == "0.97"
    first = next(s.step for s in snaps if acc(s) == best)
    assert first == 97 and all(acc(s) == best for s in snaps[97:])


def test_softmax_blobs_cost_falls_after_the_boundaries_settle(blobs):
    _, snaps = blobs
    assert f"{snaps[97].output:.2f}" == "21.03" and f"{snaps[200].output:.2f}" == "19.58"
    costs = [s.output for s in snaps[97:]]
    assert all(b < a for a, b in zip(costs, costs[1:]))  # falling at every step while no point changes class
    assert all(s.extra["confusion"] == snaps[97].extra["confusion"] for s in snaps[97:])
    assert snaps[-1].extra["confusion"] == ((20, 0, 0), (1, 19, 0), (0, 1, 19))


# --- multiclass_svm ----------------------------------------------------------------------------

def test_spiral_is_what_it_says(spiral):
    s, snaps, _ = spiral
    spec, sc = s.scenario.spec, s.scenario
    assert (spec.model, spec.layers, spec.loss, spec.batch, spec.reg) == ("mlp", (16, 16), "multiclass_hinge",
                                                                          "full", 0.0001)
    assert (spec.dataset, spec.data_n, spec.data_noise, spec.classes) == ("spiral", 45, 0.02, ("1", "2", "3"))
    assert [spec.labels.count(j) for j in range(3)] == [15, 15, 15]
    assert (sc.order, sc.steps, sc.settings.step_size, len(snaps[0].values)) == (14, 600, 0.5, 371)


def test_spiral_runs_in_about_a_second(spiral):
    *_, seconds = spiral
    assert seconds < 3.0  # CPU time of the 600 steps; about 1 s on the machine the lesson was written on


def test_spiral_start(spiral):
    _, snaps, _ = spiral
    start = snaps[0]
    assert f"{acc(start):.2f}" == "0.33" and f"{start.output:.2f}" == "109.33"
    assert sum(row[0] for row in start.extra["confusion"]) == 42  # 42 of the 45 points scored class 1


def test_spiral_accuracy_and_cost(spiral):
    s, snaps, _ = spiral
    assert next(s.step for s in snaps if acc(s) == 1.0) == 213
    assert f"{acc(snaps[236]):.2f}" == "0.91" and f"{snaps[236].output:.1f}" == "13.0"
    assert acc(snaps[389]) < 1.0 and all(acc(s) == 1.0 for s in snaps[390:])
    last = snaps[600]
    assert f"{last.output:.3f}" == "0.581"
    # every margin met: no point loses anything, the cost is alpha * sum of squared weights (alpha = reg * N / 2)
    springs = 0.0001 * 45 / 2 * sum(last.values[w] ** 2 for w in s.lesson.model.regularized)
    assert last.output == pytest.approx(springs, rel=1e-12)
