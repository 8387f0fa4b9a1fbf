"""Numerical trouble: step sizes that diverge, exp overflow, log of a non-positive number, division by
zero, h = 0. Each case, through the Session, the app and `hnn-tui run --json`: the run stops at the step
where a value became non-finite, names the wire, reset restores the start, no NaN or inf reaches a chart,
and the JSON output holds only finite numbers (json.loads with parse_constant refusing NaN/Infinity).
"""
from __future__ import annotations

import asyncio
import io
import json
import math

import pytest
from test_scenarios import circuit_text, classifier_text

from hnn_tui.app import HnnApp
from hnn_tui.cli import main
from hnn_tui.engine import Diverged, Session, load_scenario, parse_scenario
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.widgets.charts import HistoryChart

# (case, scenario text, the step that goes non-finite, what the message names)
# The strategies make a circuit's output higher; each number below is worked out by hand.
CASES = [
    # x*y at (-2, 3), step 1e300: the pulls are y = 3 and x = -2, so x -> 3e300, y -> -2e300 and the
    # product overflows to -inf at step 1.
    ("step size diverges (circuit)", circuit_text(settings="step_size = 1e300"), 1, "wire 'x * y' has value -inf"),
    # exp(x) from 1, step 100: x = 1 + 100e = 272.8 (exp 1.1e118, finite); step 2 adds 100 * 1.1e118.
    ("exp overflow", circuit_text(expression="exp(x) * 1", inputs="x = 1.0", settings="step_size = 100"), 2,
     "wire 'exp(x)' has value inf"),
    # -log(x) from x = 1: the pull on x is -1/x = -1; step 2 takes x to -1 and log(-1) is nan.
    ("log of a negative number", circuit_text(expression="-log(x)", inputs="x = 1.0", settings="step_size = 2"), 1,
     "wire 'log(x)' has value nan"),
    # -log(x) from x = 1 with step 1 lands exactly on x = 0: log(0) = -inf.
    ("log of zero", circuit_text(expression="-log(x)", inputs="x = 1.0", settings="step_size = 1"), 1,
     "wire 'log(x)' has value -inf"),
    # 1/(x + 2) from x = -1: the pull is -1/(x+2)^2 = -1, step 1 lands on x = -2, and 1/0 = inf.
    ("division by zero", circuit_text(expression="1 / (x + 2)", inputs="x = -1.0", settings="step_size = 1"), 1,
     "wire '1 / (x + 2)' has value inf"),
    # x ** -2 from x = 1: pull -2, step 0.5 lands on x = 0 and 0 ** -2 is inf.
    ("negative power of zero", circuit_text(expression="x ** -2", inputs="x = 1.0", settings="step_size = 0.5"), 1,
     "wire 'x ** (-2)' has value inf"),
    # The SVM on the guide's data with step 1e300: the first step moves a weight by ~1e300 and the
    # cost's spring term (a^2 ...) overflows.
    ("step size diverges (svm)", classifier_text(model="init = { a = 1.0, b = -2.0, c = -1.0 }")
     + "[settings]\nstep_size = 1e300\n", 1, "the cost became inf"),
]
IDS = [c[0] for c in CASES]


def scenario(text):
    return parse_scenario(text, "trouble.toml")


@pytest.mark.parametrize("case,text,step,names", CASES, ids=IDS)
def test_the_session_stops_at_the_step_and_names_the_wire(case, text, step, names):
    s = Session(scenario(text))
    start = (dict(s.current.values), s.current.output)
    snaps = list(s.run(100))
    assert [sn.step for sn in snaps] == list(range(1, step + 1))  # run() stops right after it
    assert all(sn.diverged is None for sn in snaps[:-1])
    assert snaps[-1].diverged == f"diverged at step {step}: {names}" or names in snaps[-1].diverged
    assert snaps[-1].diverged.startswith(f"diverged at step {step}: ")
    with pytest.raises(Diverged, match=f"step {step}"):
        s.step()
    s.reset()
    assert (dict(s.current.values), s.current.output) == start and s.current.diverged is None
    assert [sn.step for sn in s.run(100)][-1] == step  # the same again after the reset


@pytest.mark.parametrize("case,text,step,names", CASES, ids=IDS)
def test_json_output_holds_only_finite_numbers(case, text, step, names, tmp_path, capsys):
    path = tmp_path / "trouble.toml"
    path.write_text(text)
    out = io.StringIO()
    code = main(["run", str(path), "--json", "--steps", "100"], out=out)
    err = capsys.readouterr().err

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON output")

    lines = [json.loads(ln, parse_constant=refuse) for ln in out.getvalue().splitlines()]
    assert code == 1
    assert err == f"hnn-tui: diverged at step {step}: {names}; the last finite state is step {step - 1}\n"
    assert [ln["step"] for ln in lines[:-1]] == list(range(step))  # the divergent step is not printed
    assert lines[-1]["summary"]["steps"] == step - 1 and names in lines[-1]["summary"]["stopped"]


def test_the_table_output_says_nothing_non_finite(tmp_path, capsys):
    for case, text, step, names in CASES:
        path = tmp_path / "trouble.toml"
        path.write_text(text)
        out = io.StringIO()
        assert main(["run", str(path), "--steps", "100"], out=out) == 1
        assert not {"nan", "inf"} & set(out.getvalue().replace("|", " ").split()), case
    capsys.readouterr()


def test_h_zero_is_refused_everywhere(capsys):
    # In a scenario file and on the command line (exit 2), and set directly on a session.
    with pytest.raises(ValueError, match="settings.h"):
        scenario(circuit_text(settings="h = 0"))
    assert main(["grad", "x * y", "--at", "x=1,y=2", "--h", "0"], out=io.StringIO()) == 2
    assert "--h" in capsys.readouterr().err
    s = Session(load_scenario("neuron"), "numerical")
    s.settings.h = 0.0
    with pytest.raises(ValueError, match="h must be a positive number"):
        s.step()
    assert s.current.step == 0 and s.current.diverged is None  # nothing was stepped


# --- the app ---------------------------------------------------------------------------------------

async def wait_for(pilot, condition, timeout=10.0):
    end = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < end, "timed out"
        await pilot.pause(0.02)


@pytest.fixture
def plotted(monkeypatch):
    """Every value any chart was asked to draw."""
    seen = []
    real = HistoryChart.show

    def spy(self, history):
        seen.extend(history.values)
        return real(self, history)

    monkeypatch.setattr(HistoryChart, "show", spy)
    return seen


@pytest.mark.parametrize("case,text,step,names", CASES, ids=IDS)
async def test_the_app_stops_the_run_names_the_step_and_resets(case, text, step, names, tmp_path, plotted):
    path = tmp_path / "trouble.toml"
    path.write_text(text)
    app = HnnApp(str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, PlaygroundScreen)
        start = dict(screen.snapshot.values)
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.diverged is not None)
        await app.workers.wait_for_complete()
        await pilot.pause(0.15)
        assert not screen.running and screen.session.step_count == step  # stopped itself, at that step
        status = str(screen.query_one("#status").render())
        assert f"diverged at step {step}" in status and names in status and "press r to reset" in status
        assert any(f"diverged at step {step}" in n.message for n in app._notifications)
        await pilot.press("space", "s")  # refused, with a message, while diverged
        assert screen.session.step_count == step
        assert plotted and all(math.isfinite(v) for v in plotted)
        assert max(screen.outputs.steps) == step - 1  # the divergent step is not on the chart
        await pilot.press("r")
        assert screen.snapshot.step == 0 and dict(screen.snapshot.values) == start
        assert screen.snapshot.diverged is None and screen.outputs.steps == [0]
        await pilot.press("s")
        assert screen.snapshot.step == 1
    assert all(math.isfinite(v) for v in plotted)


async def test_h_cannot_be_turned_down_to_zero_in_the_app():
    app = HnnApp("neuron")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", *["h"] * 30)
        assert app.screen.session.settings.h > 0
        await pilot.press("s")
        assert app.screen.snapshot.step == 1 and app.screen.snapshot.diverged is None
