"""The pace of a run (engine.runner), on a fake clock: a set speed is kept, reports come as documented."""
from __future__ import annotations

import pytest
from cases import circuit_text

from hnn_tui.engine import Session, load_scenario, parse_scenario
from hnn_tui.engine.runner import CATCH_UP, LADDER, REPORT_INTERVAL, SPEEDS, UI_SHARE, Runner, is_costly, ladder


class FakeClock:
    """Time moves only when the runner sleeps, or when a test says a step took long."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def within(clock: FakeClock, seconds: float, r: Runner):
    """keep_going for `seconds` of fake time; a runner that never sleeps still stops (at 100,000 steps)."""
    return lambda: clock.now < seconds and r.session.step_count < 100_000


def runner(speed: int, name: str = "neuron"):
    clock, reports = FakeClock(), []
    r = Runner(Session(load_scenario(name)), lambda snap, samples: reports.append((clock.now, snap, samples)),
               speed, clock, clock.sleep)
    return r, clock, reports


@pytest.mark.parametrize("speed", [1, 2, 5, 10])
def test_a_slow_speed_is_kept_and_every_step_is_reported(speed):
    r, clock, reports = runner(speed)
    last = r.run(within(clock, 3.0, r))  # three seconds of the run
    assert last.step == 3 * speed
    assert [snap.step for _, snap, _ in reports] == list(range(1, 3 * speed + 1))  # one report per step
    assert all(len(samples) == 1 for _, _, samples in reports)
    assert [t for t, _, _ in reports] == pytest.approx([k / speed for k in range(3 * speed)])


@pytest.mark.parametrize("speed", [30, 100, 1000])
def test_a_fast_speed_is_kept_and_reports_come_in_batches(speed):
    r, clock, reports = runner(speed)
    last = r.run(within(clock, 2.0, r))
    assert abs(last.step - 2 * speed) <= 1
    steps = [s[0] for _, _, samples in reports for s in samples]
    assert steps == list(range(1, last.step + 1))  # every step's sample arrives, once, in order
    gaps = [b - a for (a, _, _), (b, _, _) in zip(reports, reports[1:-1])]  # the last one comes at the end
    assert min(gaps) >= REPORT_INTERVAL - 1e-9 and max(gaps) < REPORT_INTERVAL + 1.5 / speed


def test_full_speed_leaves_the_ui_its_share():
    # At speed 0 the run never waits for a step; after each report it sleeps UI_SHARE for the UI thread.
    r, clock, reports = runner(0)
    steps = iter(range(10_000))

    def slow_step_keep_going():
        clock.now += 0.001  # each step takes a millisecond
        return next(steps, None) is not None
    last = r.run(slow_step_keep_going)
    assert last.step == 10_000
    # a report every REPORT_INTERVAL, of which UI_SHARE is the pause: 20 one-millisecond steps between two
    middle = [len(samples) for _, _, samples in reports[1:-1]]
    assert len(reports) > 400 and min(middle) >= 19 and max(middle) <= 21
    assert clock.now == pytest.approx(10.001 + UI_SHARE * (len(reports) - 1), abs=0.01)


def test_a_speed_changed_during_the_run_applies_from_the_next_step():
    r, clock, reports = runner(10)

    def keep_going():
        if len(reports) == 5:
            r.speed = 100  # as the screen does when a key changes the speed
        return within(clock, 1.5, r)()
    r.run(keep_going)
    times = [t for t, _, _ in reports]
    assert times[:5] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert 0.5 + 1.0 * 100 - 5 <= len([s for _, _, ss in reports[5:] for s in ss]) <= 0.5 + 1.0 * 100 + 5


def test_after_a_stall_a_run_catches_up_only_a_little():
    r, clock, reports = runner(10)

    def keep_going():
        if len(reports) == 3 and clock.now < 1:
            clock.now += 5.0  # the machine stalled for five seconds
        return within(clock, 6.0, r)()
    r.run(keep_going)
    times = [t for t, _, _ in reports]
    at_once = times.count(5.3)  # the steps taken the moment the stall ended
    assert 2 <= at_once <= 2 + CATCH_UP * 10  # the step due, and at most CATCH_UP's worth: not fifty
    assert times[at_once + 3:] == pytest.approx([5.4 + k / 10 for k in range(len(times) - at_once - 3)])


def test_a_diverging_step_ends_the_run_and_is_reported():
    session = Session(parse_scenario(circuit_text(settings="step_size = 1e300"), "huge.toml"))
    clock, reports = FakeClock(), []
    last = Runner(session, lambda snap, samples: reports.append(snap), 0, clock, clock.sleep).run(lambda: True)
    assert last.step == 1 and last.diverged and reports == [last]


def test_the_knob_ladder_and_the_speeds():
    assert ladder(0.01, True) == 0.02 and ladder(0.02, True) == 0.05 and ladder(0.05, True) == 0.1
    assert ladder(0.01, False) == 0.005 and ladder(0.0123, False) == 0.01
    assert ladder(LADDER[0], False) == LADDER[0] and ladder(LADDER[-1], True) == LADDER[-1]  # the ends hold
    assert SPEEDS[-1] == 0 and list(SPEEDS[:-1]) == sorted(SPEEDS[:-1])


def test_a_step_is_costly_for_a_wide_model_and_its_numerical_gradient():
    mlp = """
title = "wide"
kind = "classifier"
strategy = "numerical"
[model]
type = "mlp"
layers = [16, 16]
batch = "full"
[data]
dataset = "moons"
n = 60
"""
    s = Session(parse_scenario(mlp, "mlp.toml"))
    assert is_costly(s)  # 60 points x (337 + 1) forwards x 337 parameters
    s.set_strategy("analytic")
    assert not is_costly(s)
    assert not is_costly(Session(load_scenario("neural_net"), "numerical"))


def test_the_h_ladder_reaches_round_off():
    # the README: the error falls as h shrinks, then round-off takes over and it grows again
    from hnn_tui.engine.gradcheck import gradient_check
    assert LADDER[0] == 1e-12 and ladder(2e-12, False) == 1e-12
    hs = (1e-4, 1e-5, 1e-8, 1e-12)
    err = {h: gradient_check("sigmoid(a*x + b*y + c)", dict(a=1, b=2, c=-3, x=-1, y=3), h)["max_rel_error"]
           for h in hs}
    assert [f"{err[h]:.1e}" for h in hs] == ["5.6e-09", "7.1e-11", "5.9e-08", "3.2e-04"]  # the README's figures
