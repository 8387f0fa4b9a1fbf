"""Session: what a step costs, reset, seeds, divergence, immutable snapshots, and settings swapped whole."""
from __future__ import annotations

import dataclasses
import math
import sys
import threading

import pytest
from cases import TROUBLE, TROUBLE_IDS, circuit_text, classifier_text

from hnn_tui.engine import Diverged, Session, load_scenario, parse_scenario

REQUIRED = ["single_gate", "two_gates", "neuron", "svm", "neural_net"]
# Trainable parameters per scenario, from the guide: x, y | x, y, z | a, b, c, x, y | a, b, c |
# a1 b1 c1 a2 b2 c2 a3 b3 c3 a4 b4 c4 d4.
PARAMS = {"single_gate": 2, "two_gates": 3, "neuron": 5, "svm": 3, "neural_net": 13}


# --- what a step costs ----------------------------------------------------------------------------

def expected_cost(strategy, params, batch, steps, centered=False, tries=100):
    """Cumulative (forward, backward) passes the README documents for `steps` steps."""
    if strategy == "random":
        return steps * tries * batch, 0
    if strategy == "numerical":
        return steps * (2 * params if centered else params + 1) * batch, 0
    return steps * batch, steps * batch


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("name", REQUIRED)
def test_cost_of_three_steps(name, strategy, centered):
    s = Session(load_scenario(name), strategy)
    s.set_settings(centered=centered)
    counts = [(sn.forward_passes, sn.backward_passes) for sn in s.run(3)]
    p = PARAMS[name]
    assert len(s.current.values) == p
    assert counts == [expected_cost(strategy, p, 1, k, centered) for k in (1, 2, 3)]
    assert (s.current.grads is None) == (strategy == "random")


@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
def test_cost_of_a_full_batch_is_per_point(strategy):
    # batch = "full": all 6 guide points per step, so every count is multiplied by 6.
    sc = parse_scenario(classifier_text(model='batch = "full"\ninit = { a = 1.0, b = -2.0, c = -1.0 }'), "full.toml")
    s = Session(sc, strategy)
    s.set_settings(tries=7)
    counts = [(sn.forward_passes, sn.backward_passes) for sn in s.run(3)]
    assert counts == [expected_cost(strategy, 3, 6, k, tries=7) for k in (1, 2, 3)]


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("name", REQUIRED)
def test_a_session_knows_what_its_next_step_will_cost(name, strategy, centered):
    # The app uses this to keep costly steps off the UI thread; it must match what a step counts.
    s = Session(load_scenario(name), strategy)
    s.set_settings(centered=centered)
    for _ in range(2):
        expected = s.forward_passes_per_step()
        before = s.current.forward_passes
        assert s.step().forward_passes - before == expected


def test_a_full_batch_step_costs_every_point():
    sc = load_scenario("svm")
    sc = dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, batch="full"))
    s = Session(sc, "numerical")
    assert s.forward_passes_per_step() == 6 * (3 + 1)
    assert s.step().forward_passes == 24


# --- reset, seeds, strategies ---------------------------------------------------------------------

def state(snap):
    return snap.to_dict(), snap.detail, snap.diverged


@pytest.mark.parametrize("name,strategy", [("neural_net", "analytic"), ("single_gate", "random"),
                                           ("svm", "numerical"), ("neuron", "analytic")])
def test_reset_restores_the_start_exactly(name, strategy):
    s = Session(load_scenario(name), strategy)
    start = state(s.current)
    first = [state(sn) for sn in s.run(50)]
    assert first[-1][0]["step"] == 50 and first[-1] != start
    again = s.reset()
    assert state(again) == start and s.current is again
    assert (again.step, again.forward_passes, again.backward_passes) == (0, 0, 0)
    second = [state(sn) for sn in s.run(50)]
    assert second == first  # same values, counters and random stream


def test_the_seed_changes_the_random_stream():
    a = [state(sn) for sn in Session(load_scenario("single_gate", seed=1)).run(5)]
    b = [state(sn) for sn in Session(load_scenario("single_gate", seed=2)).run(5)]
    c = [state(sn) for sn in Session(load_scenario("single_gate", seed=1)).run(5)]
    assert a == c and a != b


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError):
        Session(load_scenario("neuron"), "genetic")
    s = Session(load_scenario("neuron"))
    with pytest.raises(ValueError):
        s.set_strategy("genetic")
    s.set_strategy("numerical")
    assert s.step().strategy == "numerical"


# --- divergence -----------------------------------------------------------------------------------

def test_divergence_with_a_huge_step():
    # x*y at (-2, 3) with step 1e300: x -> 3e300, y -> -2e300, and their product overflows to -inf.
    s = Session(parse_scenario(circuit_text(settings="step_size = 1e300"), "huge.toml"))
    snap = s.step()
    assert snap.diverged is not None
    assert "step 1" in snap.diverged and "wire 'x * y'" in snap.diverged
    with pytest.raises(Diverged):
        s.step()
    s.reset()
    assert s.current.diverged is None
    assert [sn.step for sn in s.run(10)] == [1]  # run stops after the divergent step


def test_divergence_of_exp():
    # exp(x) from x = 1 with step 100: step 1 moves x by 100*e to 272.8 (exp of it is 1.1e118,
    # still finite); step 2 moves x by 100*1.1e118 and exp overflows to inf.
    s = Session(parse_scenario(circuit_text(expression="exp(x)", inputs="x = 1.0", settings="step_size = 100"),
                               "exp.toml"))
    one = s.step()
    assert one.diverged is None and one.values["x"] == pytest.approx(1 + 100 * math.e, rel=1e-12)
    two = s.step()
    assert "step 2" in two.diverged and "wire 'exp(x)'" in two.diverged
    with pytest.raises(Diverged, match="step 2"):
        s.step()


def test_divergence_of_a_classifier():
    s = Session(parse_scenario(classifier_text(model="init = { a = 1.0, b = -2.0, c = -1.0 }")
                               + "[settings]\nstep_size = 1e300\n", "svm_huge.toml"))
    snaps = list(s.run(20))
    assert snaps[-1].diverged is not None and all(sn.diverged is None for sn in snaps[:-1])
    assert f"step {snaps[-1].step}" in snaps[-1].diverged
    with pytest.raises(Diverged):
        s.step()


def test_snapshots_are_immutable():
    s = Session(load_scenario("two_gates"))
    snap = s.step()
    before = state(snap)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.step = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.output = 0.0
    with pytest.raises(TypeError):
        snap.values["x"] = 1.0
    with pytest.raises(TypeError):
        snap.grads["x"] = 1.0
    with pytest.raises(TypeError):
        snap.detail.wires[0] = ("x", 0.0, 0.0)
    with pytest.raises(TypeError):
        snap.measures["accuracy"] = 1.0
    s.set_settings(step_size=1.0)
    s.step()
    s.reset()
    assert state(snap) == before  # later steps and a reset do not reach into an old snapshot
    d = snap.to_dict()
    d["values"]["x"] = 99.0
    assert snap.values["x"] != 99.0


@pytest.mark.parametrize("case,text,step,names", TROUBLE, ids=TROUBLE_IDS)
def test_the_session_stops_at_the_step_and_names_the_wire(case, text, step, names):
    s = Session(parse_scenario(text, "trouble.toml"))
    start = (dict(s.current.values), s.current.output)
    snaps = list(s.run(100))
    assert [sn.step for sn in snaps] == list(range(1, step + 1))  # run() stops right after it
    assert all(sn.diverged is None for sn in snaps[:-1])
    assert snaps[-1].diverged == f"diverged at step {step}: {names}"
    with pytest.raises(Diverged, match=f"step {step}"):
        s.step()
    s.reset()
    assert (dict(s.current.values), s.current.output) == start and s.current.diverged is None
    assert [sn.step for sn in s.run(100)][-1] == step  # the same again after the reset


def test_h_zero_set_on_a_session_is_refused_by_the_step():
    s = Session(load_scenario("neuron"), "numerical")
    s.set_settings(h=0.0)
    with pytest.raises(ValueError, match="h must be a positive number"):
        s.step()
    assert s.current.step == 0 and s.current.diverged is None  # nothing was stepped


# --- strategy and settings: frozen values, swapped whole -------------------------------------------

def test_settings_are_frozen_and_swapped_whole():
    s = Session(load_scenario("single_gate"), "analytic")
    before = s.settings
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.settings.step_size = 1.0
    after = s.set_settings(step_size=0.02, h=5e-5)
    assert s.settings is after and after is not before
    assert (before.step_size, before.h) == (0.01, 1e-4)  # the old value is untouched
    assert (after.step_size, after.h, after.tweak) == (0.02, 5e-5, 0.01)
    assert dict(s.step().values) == pytest.approx({"x": -2 + 0.02 * 3, "y": 3 + 0.02 * -2})
    with pytest.raises(TypeError):
        s.set_settings(step_sise=1.0)


def test_a_step_size_set_by_hand_ends_the_schedule():
    # step_size 1.0 falling to 0.1 over 10 steps: 0.55 after 5 steps; set by hand, 0.5 holds from then on.
    sc = parse_scenario(circuit_text(top="steps = 10", settings="step_size = 1.0\nstep_size_end = 0.1"), "s.toml")
    s = Session(sc)
    assert s.controls().step_size_now == 1.0
    list(s.run(5))
    assert s.controls().step_size_now == pytest.approx(0.55)
    assert s.scheduled().step_size == pytest.approx(0.55)
    s.set_step_size(0.5)
    assert s.settings.step_size_end is None
    list(s.run(10))
    assert s.controls().step_size_now == 0.5 and s.scheduled().step_size == 0.5


def test_a_snapshot_names_the_strategy_its_step_used():
    s = Session(load_scenario("single_gate"), "analytic")
    assert s.current.strategy == "analytic"
    s.set_strategy("random")
    assert s.current.strategy == "analytic"  # the snapshot on hand is not relabelled
    snap = s.step()
    assert snap.strategy == "random" and snap.grads is None and snap.forward_passes == 100
    assert s.controls().strategy == "random"


def test_strategy_changes_from_another_thread_never_mislabel_a_step():
    # A key changes the strategy while a worker steps: each snapshot must name the strategy whose cost it shows.
    s = Session(load_scenario("neuron"), "analytic")
    s.set_settings(tries=3)
    cost = {"random": (3, 0), "numerical": (6, 0), "analytic": (1, 1)}
    stop = threading.Event()

    def flip():
        while not stop.is_set():
            for name in cost:
                s.set_strategy(name)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: between any two lines of a step
    t = threading.Thread(target=flip)
    t.start()
    try:
        prev, seen = s.current, set()
        for snap in s.run(30_000):  # at least 3,000 steps, and on until every strategy has labelled one
            assert (snap.forward_passes - prev.forward_passes, snap.backward_passes - prev.backward_passes) \
                == cost[snap.strategy], f"step {snap.step} labelled {snap.strategy}"
            seen.add(snap.strategy)
            prev = snap
            if snap.step >= 3000 and seen == set(cost):
                break  # (under load the flipping thread can miss one strategy for the first 3,000)
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    assert seen == set(cost)  # the flipping really reached the steps

def test_live_knobs_and_rebuilds_in_the_engine():
    from hnn_tui.engine import Session, load_scenario
    s = Session(load_scenario("svm"))
    assert s.retuned("reg", False).output == 12.3  # reg 1 -> 0.5: 4.8 hinge + 0.5 * 6 / 2 * (1 + 4) spring
    snap = s.retuned("loss")
    assert s.scenario.spec.loss == "squared_hinge" and s.lesson.objective.loss == "squared_hinge"
    assert snap.step == 0 and snap.forward_passes == 0  # measured again, not a step
    fresh, what = Session(load_scenario("neural_net")).rebuilt("hidden")
    assert what == "4 hidden neurons" and fresh.restarted().scenario.spec.hidden == 3
