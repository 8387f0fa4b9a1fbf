"""`hnn-tui race`: the budget is never overrun, the race equals separate runs, the finishing line, the JSON lines,
bad input and Ctrl+C."""
from __future__ import annotations

import pytest
from cases import DIVERGING
from helpers import cli, json_lines, write

from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.race import Lane, default_budget, lanes

STEP_KEYS = {"strategy", "step", "output", "forward_passes", "backward_passes"}
STANDING_KEYS = {"output", "best", "forward_passes", "backward_passes", "steps", "crossed_at", "stopped"}
# forward passes per step (tries, P + 1, 1; times the points of a batch): see test_the_cost_per_step
COST = {"neuron": (100, 6, 1), "svm": (100, 4, 1), "softmax_blobs": (6000, 600, 60), "line_fit": (100, 3, 1)}
STRATEGIES = ("random", "numerical", "analytic")


def race(*args) -> tuple[list[dict], dict]:
    code, out = cli("race", *args, "--json")
    assert code == 0
    lines = json_lines(out)
    return lines[:-1], lines[-1]["race"]


def test_the_cost_per_step():
    for name, costs in COST.items():
        assert tuple(Session(load_scenario(name), s).forward_passes_per_step() for s in STRATEGIES) == costs


@pytest.mark.parametrize("name, budgets", [("neuron", (1, 5, 6, 99, 100, 101)), ("svm", (3, 4, 250, 401)),
                                           ("softmax_blobs", (59, 600, 6001)), ("line_fit", (2, 100, 299))])
def test_no_strategy_spends_more_than_the_budget(name, budgets):
    scenario = load_scenario(name)
    for budget in budgets:
        for lane, cost in zip(lanes(scenario, budget), COST[name]):
            spent = [snap.forward_passes for snap in lane.snapshots()]
            s = lane.standing()
            assert max(spent) <= budget and s.forward_passes <= budget
            # and it stopped only when the next step would not fit: every step it could afford, it took
            assert s.steps == budget // cost and s.forward_passes == s.steps * cost
            assert s.stopped == "budget" and s.crossed_at is None


def test_the_cli_keeps_to_the_budget_too():
    steps, standings = race("neuron", "--budget", "99")
    assert max(ln["forward_passes"] for ln in steps) <= 99
    assert {k: (v["steps"], v["forward_passes"]) for k, v in standings.items()} == \
        {"random": (0, 0), "numerical": (16, 96), "analytic": (99, 99)}


@pytest.mark.parametrize("name, budget", [("neuron", 100), ("svm", 250), ("softmax_blobs", 1300), ("line_fit", 40)])
def test_the_race_equals_separate_runs(name, budget):
    _, standings = race(name, "--budget", budget)
    scenario = load_scenario(name)
    for strategy, s in standings.items():
        session = Session(scenario, strategy)
        outputs = [session.current.output] + [snap.output for snap in session.run(s["steps"])]
        snap = session.current
        assert (s["output"], s["forward_passes"], s["backward_passes"]) == \
            (snap.output, snap.forward_passes, snap.backward_passes)
        best = max(outputs) if name == "neuron" else min(outputs)  # a circuit's output up, a cost down
        assert s["best"] == best


def test_the_json_lines_are_the_run_lines():
    steps, standings = race("svm", "--budget", "12")
    for strategy in STRATEGIES:
        mine = [ln for ln in steps if ln["strategy"] == strategy]
        code, out = cli("run", "svm", "--strategy", strategy, "--steps", standings[strategy]["steps"], "--json")
        runs = json_lines(out)[:-1]
        assert [{k: ln[k] for k in STEP_KEYS} for ln in runs] == mine


def test_the_json_shape():
    steps, standings = race("neuron", "--budget", "12", "--target", "0.95")
    assert all(set(ln) == STEP_KEYS for ln in steps)
    assert [ln["strategy"] for ln in steps] == ["random"] + ["numerical"] * 3 + ["analytic"] * 13
    assert [ln["step"] for ln in steps] == [0] + [0, 1, 2] + list(range(13))  # step 0: the start
    assert [ln["forward_passes"] for ln in steps[1:4]] == [0, 6, 12]
    assert [ln["backward_passes"] for ln in steps[1:4]] == [0, 0, 0]
    assert [ln["backward_passes"] for ln in steps[4:]] == list(range(13))
    assert list(standings) == list(STRATEGIES)
    assert all(set(v) == STANDING_KEYS for v in standings.values())
    assert standings["analytic"]["crossed_at"] is None and standings["analytic"]["stopped"] == "budget"
    assert standings["random"]["output"] == steps[0]["output"]  # no step fits: the start
    assert standings["random"]["steps"] == 0 and standings["random"]["forward_passes"] == 0


def test_the_target_is_crossed_at_the_first_step_past_it():
    # neuron: the analytic gradient first gets sigmoid to 0.9 at its 13th step, the numerical one too (6 passes each)
    _, standings = race("neuron", "--target", "0.9")
    scenario = load_scenario("neuron")
    for strategy, per_step in (("numerical", 6), ("analytic", 1)):
        outputs = [snap.output for snap in Session(scenario, strategy).run(13)]
        assert outputs[11] < 0.9 <= outputs[12]
        s = standings[strategy]
        assert (s["crossed_at"], s["steps"], s["stopped"]) == (13 * per_step, 13, "target")
    assert standings["random"]["crossed_at"] is None  # 100 passes: one step, 0.887
    assert standings["random"]["stopped"] == "budget"
    # a line exactly on an output is crossed there: >= T, not > T
    exact = Session(scenario, "analytic")
    outputs = [snap.output for snap in exact.run(20)]
    _, on_it = race("neuron", "--target", repr(outputs[15]))
    assert on_it["analytic"]["crossed_at"] == 16


def test_a_step_that_spends_more_than_it_said_is_an_error(monkeypatch):
    monkeypatch.setattr(Session, "forward_passes_per_step", lambda self: 0)  # a wrong prediction
    lane = Lane(load_scenario("neuron"), "numerical", 10)
    with pytest.raises(RuntimeError, match="more than the 4 it was allowed"):
        list(lane.snapshots())


def test_a_cost_crosses_from_above():
    _, standings = race("svm", "--budget", "400", "--target", "5")
    scenario = load_scenario("svm")
    outputs = [snap.output for snap in Session(scenario, "analytic").run(400)]
    first = next(i for i, c in enumerate(outputs, 1) if c <= 5)
    assert outputs[first - 2] > 5 and standings["analytic"]["crossed_at"] == first
    assert standings["analytic"]["steps"] == first and standings["random"]["crossed_at"] is None


def test_a_circuit_pulled_down_crosses_from_above():
    # svm_cost pulls its output down (pull -1): the line is crossed at <= T, not >= T
    _, standings = race("svm_cost", "--budget", "100", "--target", "1.5")
    analytic = standings["analytic"]
    assert analytic["crossed_at"] is not None and analytic["output"] <= 1.5
    outputs = [snap.output for snap in Session(load_scenario("svm_cost"), "analytic").run(analytic["steps"])]
    assert outputs[-2] > 1.5 >= outputs[-1]


def test_a_start_past_the_line_crosses_at_zero():
    _, standings = race("neuron", "--target", "0.5")  # sigmoid starts at 0.8808
    assert all((v["crossed_at"], v["steps"], v["stopped"]) == (0, 0, "target") for v in standings.values())


def test_the_default_budget():
    # the scenario's own steps of the analytic gradient, never less than one random step (100 tries)
    assert default_budget(load_scenario("neuron")) == 100  # 1 step x 1 pass; random's 100 tries
    assert default_budget(load_scenario("svm")) == 400  # 400 steps x 1 point
    assert default_budget(load_scenario("softmax_blobs")) == 200 * 60


def test_the_table():
    code, out = cli("race", "neuron", "--target", "0.9")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("A single neuron: sigmoid(a*x + b*y + c) | budget 100 forward passes each (default")
    assert "target output >= 0.9" in lines[0] and lines[1] == "output: higher is better"
    assert lines[2].split() == ["strategy", "best", "output", "last", "output", "forward", "backward", "steps",
                                "crossed", "at", "stopped"]
    assert lines[3].split() == ["random", "0.88711", "0.88711", "100", "0", "1", "-", "budget"]
    assert lines[4].split()[0] == "numerical" and lines[4].split()[3:] == ["78", "0", "13", "78", "target"]
    assert lines[5].split()[3:] == ["13", "13", "13", "13", "target"]
    code, out = cli("race", "svm")  # a cost: its best is its lowest, here not its last
    assert out.splitlines()[1] == "cost: lower is better"
    assert out.splitlines()[-1].split() == ["analytic", "2.80599", "2.81104", "400", "400", "400", "-", "budget"]



def test_a_lane_that_diverges_stops_and_the_others_run(tmp_path):
    path = write(tmp_path, "diverge.toml", DIVERGING)
    steps, standings = race(path, "--budget", "200")
    analytic = standings["analytic"]
    assert analytic["stopped"].startswith("diverged at step 2")
    assert analytic["steps"] == 1 and analytic["forward_passes"] == 2  # the diverged step's pass was spent
    assert max(ln["step"] for ln in steps if ln["strategy"] == "analytic") == 1
    assert standings["numerical"]["forward_passes"] == 4 and standings["numerical"]["stopped"].startswith("diverged")
    assert standings["random"]["steps"] == 2 and standings["random"]["stopped"] == "budget"  # tweaks of 0.01


@pytest.mark.parametrize("args, words", [
    (["--budget", "0"], "--budget"), (["--budget", "-5"], "--budget"), (["--budget", "1.5"], "whole number"),
    (["--budget", "abc"], "whole number"), (["--budget", "inf"], "whole number"), (["--target", "nan"], "finite"),
    (["--target", "inf"], "finite"), (["--target", "x"], "number")])
def test_bad_input_is_one_line_and_exit_2(args, words, capsys):
    code, out = cli("race", "neuron", *args)
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("hnn-tui: ") and words in err, err


def test_an_unknown_scenario_is_exit_2(capsys):
    code, _ = cli("race", "no_such_lesson")
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "no such scenario" in err


def test_the_engine_refuses_a_bad_budget_or_target():
    scenario = load_scenario("neuron")
    for budget, target in ((0, None), (-1, None), (10, float("nan")), (10, float("inf"))):
        with pytest.raises(ValueError):
            Lane(scenario, "analytic", budget, target)


def test_ctrl_c_exits_130(monkeypatch, capsys):
    real = Session.step

    def step(self):
        if self.step_count == 3:
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(Session, "step", step)
    code, out = cli("race", "svm", "--json")
    err = capsys.readouterr().err
    assert code == 130 and err == "hnn-tui: interrupted in the random lane after step 3\n"
    assert len(json_lines(out)) == 4  # the start and 3 steps, no race line
