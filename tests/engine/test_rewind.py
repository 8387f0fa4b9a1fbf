"""Rewind (engine.rewind, Session.goto): any past step comes back exactly as the run had it, training goes on from
there exactly as a fresh run would, and the timeline stays bounded however long the run."""
from __future__ import annotations

import random

import pytest
from cases import circuit_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hnn_tui.engine import Session, load_scenario, parse_scenario, rewind
from hnn_tui.engine.rewind import CAPACITY, FEW, Timeline

STEPS = 24


def small(session: Session, capacity: int = 4, recent: int = 3) -> Session:
    """`session` with a tiny timeline, so a short run already thins its keyframes and replays between them."""
    session.timeline = Timeline(capacity, recent)
    session.reset()
    return session


# (scenario, strategy, {step: [what is done at that step, after it was taken]})
CASES = {
    "circuit random": ("neuron", "random", {}),
    "circuit numerical": ("neuron", "numerical", {3: [lambda s: s.set_settings(centered=True)]}),
    "circuit analytic, pokes and knobs": ("neuron", "analytic", {
        0: [lambda s: s.set_input("x", 1.5)],
        5: [lambda s: s.set_input("a", 2.0), lambda s: s.set_input("b", -1.0)],
        9: [lambda s: s.set_strategy("numerical")],
        13: [lambda s: s.set_settings(step_size=0.05), lambda s: s.set_input("y", 0.5)],
        17: [lambda s: s.set_strategy("random"), lambda s: s.set_strategy("analytic")]}),
    "momentum and nesterov, a schedule": ("momentum_valley", "analytic", {
        2: [lambda s: s.set_settings(update="momentum")],
        8: [lambda s: s.set_settings(update="nesterov", momentum=0.5)],
        11: [lambda s: s.set_settings(schedule="step", decay=0.5, decay_every=3)],
        16: [lambda s: s.set_settings(update="momentum"), lambda s: s.set_settings(update="nesterov")]}),
    "svm, one point a step, live knobs": ("svm", "analytic", {
        6: [lambda s: s.retuned("reg")], 10: [lambda s: s.retuned("batch")], 14: [lambda s: s.retuned("loss")]}),
    "svm, random search": ("svm", "random", {}),
    "net, one point a step": ("neural_net", "analytic", {}),
    "net, numerical": ("neural_net", "numerical", {}),
    "mlp with dropout": ("dying_relus", "analytic", {0: [lambda s: s.retuned("dropout")],
                                                     9: [lambda s: s.retuned("dropout")]}),
    "numpy engine": ("svm", "analytic", {4: [lambda s: s.retuned("engine")], 15: [lambda s: s.retuned("engine")]}),
    "multiclass": ("softmax_blobs", "analytic", {}),
    "regression": ("sine_fit", "analytic", {7: [lambda s: s.set_settings(schedule="linear", step_size_end=0.001)]}),
}


def scripted(name: str, strategy: str, script: dict, steps: int, tiny: bool = True) -> Session:
    """A session that took `steps` steps, doing what `script` says after each (and at the start)."""
    s = Session(load_scenario(name), strategy, rewind=True)
    if tiny:
        small(s)
    for action in script.get(0, ()):
        action(s)
    for k in range(1, steps + 1):
        s.step()
        for action in script.get(k, ()):
            action(s)
    return s


def expected_run(name, strategy, script, steps):
    """What a fresh session shows at every step: snapshot.to_dict() after the step and what was done at it."""
    s = Session(load_scenario(name), strategy)
    for action in script.get(0, ()):
        action(s)
    out = [s.current.to_dict()]
    for k in range(1, steps + 1):
        s.step()
        for action in script.get(k, ()):
            action(s)
        out.append(s.current.to_dict())
    return out


_runs: dict = {}


def run_of(case: str):
    """(the rewound session, what a fresh run showed at each step), made once per case."""
    if case not in _runs:
        name, strategy, script = CASES[case]
        _runs[case] = scripted(name, strategy, script, STEPS), expected_run(name, strategy, script, STEPS)
    return _runs[case]


@pytest.mark.parametrize("case", list(CASES))
def test_goto_shows_exactly_the_step_a_fresh_run_showed(case):
    s, expected = run_of(case)
    assert s.newest == STEPS
    assert s.timeline.stride > 1  # thinned: some steps are replayed from an earlier keyframe
    order = list(range(STEPS + 1))
    random.Random(case).shuffle(order)
    for k in (STEPS - 1, 0, 1, *order, STEPS):  # every step, in no particular order
        snap = s.goto(k)
        assert snap.step == k == s.step_count
        assert snap is s.current
        assert snap.to_dict() == expected[k], k
        assert s.timeline.replayed <= s.timeline.stride


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("k", [0, 6, 13, STEPS - 3])
def test_training_goes_on_from_a_past_step_as_a_fresh_run_would(case, k):
    name, strategy, script = CASES[case]
    s = scripted(name, strategy, script, STEPS)
    s.goto(k)
    resumed = [snap.to_dict() for snap in s.run(4)]
    upto = {j: acts for j, acts in script.items() if j <= k}  # what came after k is dropped
    fresh = expected_run(name, strategy, upto, k + 4)
    assert resumed == fresh[k + 1:]
    assert s.newest == k + 4  # the old future is gone
    with pytest.raises(ValueError, match="not in this run"):
        s.goto(k + 5)
    assert s.goto(k + 2).to_dict() == fresh[k + 2]  # and the new one is kept


@pytest.mark.parametrize("case", ["circuit analytic, pokes and knobs", "svm, one point a step, live knobs"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_goto_in_any_order(case, data):
    s, expected = run_of(case)
    k = data.draw(st.integers(0, STEPS))
    assert s.goto(k).to_dict() == expected[k]
    assert s.timeline.replayed <= s.timeline.stride


def test_a_circuit_snapshot_comes_back_with_its_wires():
    s = small(Session(load_scenario("neuron"), "analytic", rewind=True))
    wires = [snap.detail for snap in s.run(20)]
    assert [s.goto(k).detail for k in range(20, 0, -1)] == wires[::-1]


def test_a_poke_at_a_past_step_drops_the_future_and_stays():
    s = small(Session(load_scenario("neuron"), "analytic", rewind=True))
    start = s.current
    list(s.run(12))
    s.goto(4)
    poked = s.set_input("x", 3.0)
    assert s.newest == 4 and s.pokes == 1
    assert s.goto(0) == start and s.pokes == 0
    assert s.goto(4) == poked and s.pokes == 1
    nxt = s.step()
    fresh = Session(load_scenario("neuron"), "analytic")
    list(fresh.run(4))
    fresh.set_input("x", 3.0)
    assert nxt.to_dict() == fresh.step().to_dict()


def test_the_controls_come_back_with_the_step_and_the_newest_keeps_its_own():
    s = small(Session(load_scenario("neuron"), "analytic", rewind=True))
    list(s.run(5))
    s.set_strategy("numerical")
    list(s.run(5))
    s.set_settings(step_size=0.2)  # chosen at the newest step, no step taken with it yet
    s.goto(3)
    assert (s.strategy, s.settings.step_size) == ("analytic", 0.01)
    s.goto(7)
    assert (s.strategy, s.settings.step_size) == ("numerical", 0.01)
    s.goto(10)
    assert (s.strategy, s.settings.step_size) == ("numerical", 0.2)


def test_going_back_past_a_live_knob_brings_the_old_spec_back():
    s = small(Session(load_scenario("svm"), "analytic", rewind=True))
    before = s.scenario.spec.reg
    s.stage.check_gradient(dict(s.current.values), 1e-4, True)  # the panel's check builds its own objective
    list(s.run(5))
    s.retuned("reg")
    list(s.run(5))
    after = s.scenario.spec.reg
    assert after != before and s.stage.check_gradient._obj.reg == after
    s.goto(2)
    assert s.scenario.spec.reg == s.lesson.spec.reg == s.lesson.objective.reg == before
    assert s.stage.check_gradient._obj.reg == before  # the shared stage's check follows the step shown
    s.goto(10)
    assert s.stage.check_gradient._obj.reg == s.lesson.objective.reg == after


@pytest.mark.parametrize("k", [0, 5, 6, 7, 13, 20])
def test_a_knob_turned_at_a_past_step_measures_as_a_fresh_run_would(k):
    # the snapshot of a live knob is measured at once, from the state restored (the last step's pull included)
    name, strategy, script = CASES["svm, one point a step, live knobs"]
    s = scripted(name, strategy, script, 20)
    s.goto(k)
    turned = s.retuned("reg").to_dict()
    fresh = scripted(name, strategy, {j: a for j, a in script.items() if j <= k}, k, tiny=False)
    assert turned == fresh.retuned("reg").to_dict()
    assert s.newest == k


def test_a_velocity_zeroed_between_steps_is_kept():
    # momentum -> nesterov -> momentum between two steps: the same settings, but the velocity starts from zero
    def script(s, upto):
        s.set_settings(update="momentum")
        for k in range(1, upto + 1):
            s.step()
            if k == 5:
                s.set_settings(update="nesterov")
                s.set_settings(update="momentum")
        return s
    s = script(small(Session(load_scenario("momentum_valley"), "analytic", rewind=True)), 15)
    for k in range(16):
        assert s.goto(k).to_dict() == script(Session(load_scenario("momentum_valley"), "analytic"), k).current.to_dict()


def test_a_diverged_run_can_be_rewound_and_trained_on_from_before():
    s = small(Session(parse_scenario(circuit_text(expression="exp(x * y)", settings="step_size = 2"), "t.toml"),
                      "analytic"))
    snaps = list(s.run(40))
    assert snaps[-1].diverged
    s.goto(1)
    assert not s.current.diverged and s.step().step == 2


def test_new_sessions_start_a_new_timeline():
    s = Session(load_scenario("neuron"), rewind=True)
    list(s.run(10))
    for fresh in (s.restarted(), s.restarted(keep_controls=True), s.with_expression("a * x + y")):
        assert fresh.newest == 0 and len(fresh.timeline) == 1
    s.reset()
    assert s.newest == 0 and len(s.timeline) == 1


def test_the_keyframes_stay_bounded_on_a_long_run():
    s = Session(load_scenario("neuron"), "analytic", rewind=True)
    tl = s.timeline = Timeline()  # not adaptive: the stride follows the step count alone
    s.reset()
    most, sizes = 0, []
    for k in range(1, 50_001):
        s.step()
        most = max(most, len(tl))
        if k % 10_000 == 0:
            sizes.append(tl.nbytes())
    assert most == CAPACITY + 1  # the regular ones, and step 0's (forced)
    assert max(sizes) - min(sizes) < 1024  # once full, one out for one in: the memory stays put
    assert tl.keyframes[0].step == 0 and tl.stride == 128
    steps = [kf.step for kf in tl.keyframes]
    assert max(b - a for a, b in zip(steps, steps[1:])) <= tl.stride
    assert len(tl.recent) <= tl.recent_size
    assert len({id(kf.rng) for kf in tl.keyframes}) == 1  # the analytic gradient never draws: one random state kept
    for k in (49_999, 0, 31_337, 50_000, 128 * 300, 128 * 300 - 1):
        s.goto(k)
        assert tl.replayed <= tl.stride
    assert s.current.step == 128 * 300 - 1


def test_forced_keyframes_survive_thinning():
    s = small(Session(load_scenario("neuron"), "analytic", rewind=True), capacity=4)
    list(s.run(3))
    s.set_input("x", 1.0)
    list(s.run(40))
    assert [kf.step for kf in s.timeline.keyframes if kf.forced] == [0, 3]
    assert s.goto(3).values["x"] == 1.0


def test_a_keyframe_shares_what_never_changes():
    s = Session(load_scenario("neuron"), rewind=True)
    list(s.run(3))
    s.goto(1)
    assert s.lesson.objective.stop is s._stop  # interrupt() still reaches a restored lesson
    assert s.lesson.stage is s.stage is s.timeline.keyframes[0].refs[s.timeline.keyframes[0].refs.index(s.stage)]
    s.interrupt()
    from hnn_tui.engine.objectives import Interrupted
    with pytest.raises(Interrupted):
        s.step()


def test_a_big_lesson_thins_by_bytes_too():
    s = Session(load_scenario("neural_net"), "analytic", rewind=True)
    s.timeline = Timeline(capacity=1000, budget=40 * 1024)  # room for about 5 of its keyframes
    s.reset()
    list(s.run(300))
    tl = s.timeline
    assert tl.stride > 1 and sum(not kf.forced for kf in tl.keyframes) <= FEW  # by bytes: 300 < 1,000 keyframes
    assert tl.nbytes() == tl._bytes
    fresh = Session(load_scenario("neural_net"), "analytic")
    list(fresh.run(77))
    assert s.goto(77).to_dict() == fresh.current.to_dict()


def test_past_so_many_pokes_the_oldest_part_of_the_run_is_forgotten_and_the_rest_still_rewinds(monkeypatch):
    """Forced keyframes are never thinned, so their number is capped: past FORCED the run's start moves on."""
    monkeypatch.setattr(rewind, "FORCED", 5)
    s = small(Session(load_scenario("neuron"), "analytic", rewind=True), capacity=4)
    for k in range(12):  # a poke after every step: a forced keyframe each
        s.step()
        s.set_input("x", -1.0 + 0.01 * k)
    tl = s.timeline
    assert sum(kf.forced for kf in tl.keyframes) <= 5
    assert tl.first == 8  # the oldest of the 5 forced keyframes kept: the pokes at steps 8 to 12
    with pytest.raises(ValueError, match="not in this run"):
        s.goto(0)
    here = s.current.to_dict()
    assert s.goto(tl.first).step == tl.first
    assert s.goto(12).to_dict() == here


class Clock:
    """time.perf_counter for engine.rewind: every reading 1 ms after the one before (a step and a keyframe: 1 ms)."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 0.001
        return self.now


def test_an_adaptive_timeline_widens_its_stride_while_keyframes_cost_more_than_a_quarter_of_the_steps(monkeypatch):
    monkeypatch.setattr(rewind, "time", Clock())
    s = Session(load_scenario("neuron"), "analytic", rewind=True)
    list(s.run(40))
    # a keyframe (1 ms) costs more than ADAPT of the steps it covers (1 ms each) until the stride is 4
    assert s.timeline.stride == 4
    assert [kf.step for kf in s.timeline.keyframes] == [0, 1, 2, *range(4, 41, 4)]
    for k in (3, 17, 39):
        assert s.goto(k).to_dict() == fresh_at("neuron", "analytic", k)
    monkeypatch.setattr(rewind, "REPLAY", 0.003)  # 2 steps of 1 ms replay in 2 ms: the stride stops at 2
    s = Session(load_scenario("neuron"), "analytic", rewind=True)
    list(s.run(40))
    assert s.timeline.stride == 2
    s.timeline = Timeline()  # not adaptive: 1 throughout
    s.reset()
    list(s.run(40))
    assert s.timeline.stride == 1


def fresh_at(name: str, strategy: str, k: int) -> dict:
    s = Session(load_scenario(name), strategy)
    list(s.run(k))
    return s.current.to_dict()
