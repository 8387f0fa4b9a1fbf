"""The step size schedules, the [settings] keys of the update rules and schedules, and their round trip to a file."""
from __future__ import annotations

import pytest
from cases import circuit_text

from hnn_tui.engine import Session, Settings
from hnn_tui.engine.save import scenario_toml
from hnn_tui.engine.scenario import parse_scenario
from hnn_tui.engine.schedules import describe, step_size_at
from hnn_tui.engine.table import ScenarioError


def test_constant_holds():
    s = Settings(step_size=0.8)
    assert [step_size_at(s, k, 10) for k in (0, 1, 10, 10**6)] == [0.8] * 4


def test_step_decay_halves_every_decay_every_steps():
    # 0.8 * 0.5 ** floor(k / 10): k 0..9 -> 0.8, 10..19 -> 0.4, 25 -> 0.2, 30 -> 0.1 (all exact: powers of 2)
    s = Settings(step_size=0.8, schedule="step", decay=0.5, decay_every=10)
    got = [step_size_at(s, k, 5) for k in (0, 9, 10, 19, 20, 25, 30)]
    assert got == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1]


def test_exponential_decay_is_the_smooth_curve_through_the_stairs_corners():
    # 0.8 * 0.5 ** (k / 10): 0.8 at 0, 0.4 at 10, 0.2 at 20 (the step schedule's corners, exactly), and between
    # them 0.8 * 0.5 ** 0.5 = 0.8 / sqrt(2) at k = 5
    s = Settings(step_size=0.8, schedule="exponential", decay=0.5, decay_every=10)
    stairs = Settings(step_size=0.8, schedule="step", decay=0.5, decay_every=10)
    assert [step_size_at(s, k, 5) for k in (0, 10, 20)] == [0.8, 0.4, 0.2]
    assert all(step_size_at(s, k, 5) == step_size_at(stairs, k, 5) for k in range(0, 200, 10))
    assert step_size_at(s, 5, 5) == pytest.approx(0.565685424949238, abs=1e-15)
    assert step_size_at(Settings(step_size=1.0, schedule="exponential", decay=0.9, decay_every=1), 3, 5) == \
        pytest.approx(0.729, abs=1e-15)


def test_linear_is_todays_formula_bit_for_bit():
    # before schedules: step_size + (step_size_end - step_size) * min(k, steps) / max(1, steps)
    for lr, end, steps in ((1.0, 0.1, 10), (0.3, 1e-05, 7), (0.01, 0.05, 1), (0.5, 0.0, 0)):
        s = Settings(step_size=lr, step_size_end=end)
        assert s.schedule == "linear"  # an end and no schedule means linear, as files always said
        for k in range(0, 15):
            assert step_size_at(s, k, steps) == lr + (end - lr) * (min(k, steps) / max(1, steps))
    s = Settings(step_size=1.0, step_size_end=0.1)  # 1.0 + (0.1 - 1.0) * 1.0 rounds to 0.09999999999999998, as ever
    assert [step_size_at(s, k, 10) for k in (5, 10, 99)] == [0.55, 0.09999999999999998, 0.09999999999999998]


def test_a_session_steps_with_the_scheduled_step_size():
    # x * y from (-2, 3), lr 0.4 halving every 2 steps: steps 1, 2 use 0.4, steps 3, 4 use 0.2, step 5 uses 0.1
    sc = parse_scenario(circuit_text(top="steps = 100", settings='step_size = 0.4\nschedule = "step"\n'
                                                               'decay = 0.5\ndecay_every = 2'), "s.toml")
    s = Session(sc)
    seen = []
    for _ in range(5):
        seen.append(s.controls().step_size_now)
        before, snap = dict(s.current.values), s.step()
        assert snap.values["x"] == before["x"] + seen[-1] * snap.grads["x"]
    assert seen == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert s.settings.step_size == 0.4  # the base step size is not changed by the schedule


def test_a_step_size_set_by_hand_ends_any_schedule():
    sc = parse_scenario(circuit_text(settings='step_size = 0.4\nschedule = "exponential"\ndecay_every = 1'), "e.toml")
    s = Session(sc)
    list(s.run(3))
    assert s.controls().step_size_now == 0.4 * 0.5**3
    s.set_step_size(0.02)
    assert (s.settings.schedule, s.settings.step_size_end, s.controls().step_size_now) == ("constant", None, 0.02)


def test_the_new_settings_read_from_a_file():
    text = circuit_text(settings='update = "nesterov"\nmomentum = 0.5\nschedule = "step"\ndecay = 0.1\n'
                                 'decay_every = 50')
    st = parse_scenario(text, "n.toml").settings
    assert (st.update, st.momentum, st.schedule, st.decay, st.decay_every) == ("nesterov", 0.5, "step", 0.1, 50)
    d = parse_scenario(circuit_text(), "d.toml").settings
    assert (d.update, d.momentum, d.schedule, d.decay, d.decay_every) == ("sgd", 0.9, "constant", 0.5, 100)
    assert parse_scenario(circuit_text(settings='schedule = "linear"\nstep_size_end = 0.001'), "l.toml").settings \
        == parse_scenario(circuit_text(settings="step_size_end = 0.001"), "l.toml").settings


@pytest.mark.parametrize("settings,key,message", [
    ("update = \"adam\"", "settings.update", "expected one of sgd, momentum, nesterov, got 'adam'"),
    ("update = \"momentum\"\nmomentum = 1", "settings.momentum", "expected 0 <= momentum < 1, got 1"),
    ("update = \"momentum\"\nmomentum = -0.5", "settings.momentum", "expected 0 <= momentum < 1, got -0.5"),
    ("update = \"momentum\"\nmomentum = nan", "settings.momentum", "expected a finite number, got nan"),
    ("momentum = 0.9", "settings.momentum", 'applies to update = "momentum" or "nesterov" only'),
    ("schedule = \"cosine\"", "settings.schedule", "expected one of constant, linear, step, exponential"),
    ("schedule = \"linear\"", "settings.step_size_end", "missing; the linear schedule needs the step size it falls to"),
    ("schedule = \"step\"\nstep_size_end = 0.1", "settings.step_size_end", 'applies to schedule = "linear" only'),
    ("schedule = \"step\"\ndecay = 0", "settings.decay", "expected 0 < decay <= 1, got 0"),
    ("schedule = \"exponential\"\ndecay = 1.5", "settings.decay", "expected 0 < decay <= 1, got 1.5"),
    ("schedule = \"step\"\ndecay_every = 0", "settings.decay_every", "expected a whole number from 1 to"),
    ("schedule = \"step\"\ndecay_every = 2.5", "settings.decay_every", "expected a whole number"),
    ("decay = 0.5", "settings.decay", 'applies to schedule = "step" or "exponential" only, not "constant"'),
    ("step_size_end = 0.1\ndecay_every = 5", "settings.decay_every", 'only, not "linear"'),
])
def test_bad_settings_get_one_line_naming_the_key(settings, key, message):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(circuit_text(settings=settings), "bad.toml")
    assert e.value.key == key and message in e.value.problem
    assert "\n" not in str(e.value) and str(e.value).startswith(f"bad.toml: {key}: ")


@pytest.mark.parametrize("settings", [
    "", 'update = "momentum"', 'update = "nesterov"\nmomentum = 0.99', "step_size_end = 0.001",
    'schedule = "step"', 'schedule = "exponential"\ndecay = 0.9\ndecay_every = 7\nupdate = "momentum"\nmomentum = 0',
])
def test_the_new_settings_are_saved_and_read_back_equal(settings):
    sc = parse_scenario(circuit_text(settings=settings), "r.toml")
    text = scenario_toml(sc)
    assert parse_scenario(text, "r.toml") == sc
    if not settings:  # nothing new in a file that sets nothing new
        assert all(k not in text for k in ("update", "momentum", "schedule", "decay"))


def test_describe():
    assert describe(Settings(), 100) == ""
    assert describe(Settings(step_size_end=0.001), 1000) == "linear → 0.001 at step 1,000"
    assert describe(Settings(schedule="step", decay=0.5, decay_every=100), 10) == "step ×0.5 every 100"
    assert describe(Settings(schedule="exponential", decay=0.9, decay_every=10), 10) == "exp ×0.9 per 10"
