"""The guide's three strategies, each against the same steps written out by hand from the same random stream."""
from __future__ import annotations

import random

import pytest

from hnn_tui.engine import Session, Settings, build_circuit, load_scenario
from hnn_tui.engine.objectives import CircuitObjective
from hnn_tui.engine.strategies import STRATEGIES, numerical_gradient


def replay_random_search(x0, tries, tweak, rng):
    """The guide's strategy #1 by hand: `tries` tweaks of every input, keep the best output."""
    outs = []
    for _ in range(tries):
        x_try = [x + tweak * (rng.random() * 2 - 1) for x in x0]
        outs.append((x_try[0] * x_try[1], x_try))
    best = max(range(tries), key=lambda i: (outs[i][0], -i))  # the first of equal bests, as `>` keeps it
    return best, outs[best][1], outs


def test_random_search_moves_to_the_best_of_its_tries():
    # x * y from (-2, 3), 100 tries of at most 0.01, seed 0: the step lands exactly on the best try.
    snap = Session(load_scenario("single_gate", seed=0), "random").step()
    best, x_best, outs = replay_random_search([-2.0, 3.0], 100, 0.01, random.Random(0))
    assert best not in (0, 99)  # neither the first nor the last try: keeping either would be caught
    assert dict(snap.values) == {"x": x_best[0], "y": x_best[1]}
    assert snap.output == outs[best][0] == max(o for o, _ in outs)
    assert snap.forward_passes == 100 and snap.grads is None


def test_random_search_over_several_steps_keeps_the_best_each_time():
    s = Session(load_scenario("single_gate", seed=3), "random")
    s.set_settings(tries=7, tweak=0.5)
    rng, x = random.Random(3), [-2.0, 3.0]
    for _ in range(20):
        _, x, _ = replay_random_search(x, 7, 0.5, rng)
        assert list(s.step().values.values()) == x


def test_random_search_never_adopts_nan():
    # sqrt-like trouble: log(x) is nan below 0; from x = 0.001 with tweak 1 most tries are nan.
    c = build_circuit("log(x) * 1", {"x": 0.001})
    obj = CircuitObjective(c, ["x"])
    STRATEGIES["random"].step(obj, Settings(tweak=1.0, tries=50), random.Random(1))
    assert obj.get()[0] > 0


@pytest.mark.parametrize("centered,expected", [(False, 1 + 1e-4), (True, 1.0)])
def test_numerical_gradient_forward_and_centered(centered, expected):
    # d/dx of x * x + x at 0 is 1. The forward difference ((h^2 + h) - 0) / h = 1 + h carries the curvature;
    # the centered one ((h^2 + h) - (h^2 - h)) / 2h = 1 cancels it.
    c = build_circuit("x * x + x", {"x": 0.0})
    obj = CircuitObjective(c, ["x"])
    g = numerical_gradient(obj, 1e-4, centered)
    assert g == pytest.approx([expected], abs=1e-12)
    assert obj.forward_passes == 2  # P + 1 forward, 2P centered: both 2 for one input
    assert obj.get() == [0.0]  # the probe leaves the input where it was


@pytest.mark.parametrize("strategy", ["numerical", "analytic"])
def test_a_gradient_step_is_value_plus_step_size_times_the_pull(strategy):
    s = Session(load_scenario("neuron"), strategy)
    before = dict(s.current.values)
    snap = s.step()
    for name, g in snap.grads.items():
        assert snap.values[name] == before[name] + 0.01 * g
