"""The bounded history, the datasets, and the README's claims about the SVM's seeds."""
from __future__ import annotations

import numpy as np
import pytest

from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.datasets import DATASETS, GENERATORS, load
from hnn_tui.engine.history import History


def test_history_keeps_everything_until_full():
    h = History(capacity=10)
    for step in range(9):
        h.add(step, step * 0.5)
    assert h.steps == list(range(9)) and h.values[-1] == 4.0 and h.stride == 1


def test_history_halves_its_resolution_when_full_and_stays_bounded():
    h = History(capacity=100)
    for step in range(1_000_000):
        h.add(step, float(step))
    assert len(h) < 100
    assert h.steps[0] == 0 and all(s % h.stride == 0 for s in h.steps)
    gaps = {b - a for a, b in zip(h.steps, h.steps[1:])}
    assert gaps == {h.stride}  # evenly spaced: a fixed resolution over the whole run


def test_history_sample_is_even_and_ends_with_the_latest():
    h = History(capacity=1000)
    for step in range(500):
        h.add(step, float(step))
    steps, values = h.sample(11)
    assert steps == [0, 50, 100, 150, 200, 250, 299, 349, 399, 449, 499]
    assert values[-1] == 499.0


def test_history_ignores_repeated_steps():
    h = History()
    h.add(0, 1.0)
    h.add(0, 2.0)
    assert h.values == [1.0]


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generated_datasets_are_seeded_balanced_and_labelled_plus_minus_one(name):
    points, labels = load(name, n=101, noise=0.1, seed=3)
    again, _ = load(name, n=101, noise=0.1, seed=3)
    other, _ = load(name, n=101, noise=0.1, seed=4)
    assert len(points) == 101 and all(len(p) == 2 for p in points)
    assert points == again and points != other
    assert set(labels) == {1, -1}
    if name != "xor":  # xor labels by quadrant, so its classes are only roughly even
        assert abs(labels.count(1) - labels.count(-1)) <= 1
    assert np.isfinite(np.array(points)).all()


def test_moons_without_noise_lie_on_two_half_circles():
    points, labels = load("moons", n=100, noise=0.0, seed=0)
    P = np.array(points)
    upper = P[np.array(labels) == -1]
    lower = P[np.array(labels) == 1]
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)  # centred at (0, 0)
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)  # centred at (1, 0.5)


def test_the_guides_fixed_datasets_are_there():
    assert {"guide_intro", "guide_svm", "guide_cost"} <= set(DATASETS)
    points, labels = load("guide_svm")
    assert points[1] == [-0.3, -0.5] and labels == [1, -1, 1, -1, -1, 1]


def first_perfect_step(seed: int, steps: int = 2000) -> int | None:
    s = Session(load_scenario("svm", seed), "analytic")
    return next((snap.step for snap in s.run(steps) if snap.measures["accuracy"] == 1.0), None)


def test_readme_claim_bundled_svm_first_reaches_full_accuracy_at_step_366():
    assert first_perfect_step(0) == 366


def test_readme_claim_seeds_0_to_19_first_reach_full_accuracy_between_255_and_730():
    firsts = [first_perfect_step(seed) for seed in range(20)]
    assert min(firsts) == 255 and max(firsts) == 730
