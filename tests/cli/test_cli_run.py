"""`hnn-tui list` and `hnn-tui run`: the table, the JSON lines, options, divergence, real processes."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from cases import DIVERGING, circuit_text
from helpers import ROOT, cli, json_lines, numbers, process, strict_json

REQUIRED = ["single_gate", "two_gates", "neuron", "svm", "neural_net"]
RUN_KEYS = {"step", "strategy", "output", "values", "grads", "forward_passes", "backward_passes"}

# exp(x) from x = 1 with step 100: x = 1 + 100e = 272.8 after step 1 (exp 1.1e118, finite);
# step 2 moves x by 100 * 1.1e118 and exp overflows: divergence at step 2.


# --- list -----------------------------------------------------------------------------------------

def test_list():
    code, out = cli("list")
    assert code == 0
    names = [ln.split()[0] for ln in out.splitlines()]
    assert [n for n in names if n in REQUIRED] == REQUIRED


# --- run ------------------------------------------------------------------------------------------

def test_run_neuron_json():
    code, out = cli("run", "neuron", "--json")
    assert code == 0
    lines = json_lines(out)
    assert [ln.get("step") for ln in lines[:-1]] == [0, 1]  # the scenario's own 1 step
    for ln in lines[:-1]:
        assert set(ln) == RUN_KEYS
        assert ln["strategy"] == "analytic"
    zero, one, last = lines
    assert zero["grads"] is None and (zero["forward_passes"], zero["backward_passes"]) == (0, 0)
    assert zero["values"] == {"a": 1.0, "b": 2.0, "c": -3.0, "x": -1.0, "y": 3.0}
    # guide: gradients [-0.105, 0.315, 0.105, 0.105, 0.210]; output 0.8808 -> 0.8825
    assert [round(one["grads"][n], 3) for n in "abcxy"] == [-0.105, 0.315, 0.105, 0.105, 0.210]
    assert round(zero["output"], 4) == 0.8808
    assert one["output"] == pytest.approx(0.88255, abs=1e-5)
    assert (one["forward_passes"], one["backward_passes"]) == (1, 1)
    assert set(last) == {"summary"}
    summary = last["summary"]
    assert summary["steps"] == 1 and summary["stopped"] is None
    assert summary["output"] == one["output"]
    assert (summary["forward_passes"], summary["backward_passes"]) == (1, 1)


def test_run_svm_zero_steps_prints_the_start():
    code, out = cli("run", "svm", "--steps", "0", "--json")
    assert code == 0
    lines = json_lines(out)
    assert len(lines) == 2
    start, summary = lines[0], lines[1]["summary"]
    assert start["step"] == 0 and set(start) == RUN_KEYS | {"accuracy", "val_accuracy", "val_cost", "class_accuracy",
                                                             "batch", "data_pull", "spring_pull"}
    assert start["val_accuracy"] is start["val_cost"] is None  # no held-out set
    assert start["batch"] is start["data_pull"] is start["spring_pull"] is None  # no step yet
    assert start["accuracy"] == pytest.approx(4 / 6)  # see lesson/test_guide_chapter2.py: 4 of 6 at a=1, b=-2, c=-1
    assert start["output"] == pytest.approx(19.8)  # 4.8 hinge + 3 * (1 + 4) spring
    assert summary["steps"] == 0 and summary["accuracy"] == pytest.approx(4 / 6)


def test_run_random_search_has_no_gradient():
    code, out = cli("run", "single_gate", "--strategy", "random", "--json")
    assert code == 0
    lines = json_lines(out)
    assert [ln["grads"] for ln in lines[:-1]] == [None, None]
    assert lines[1]["forward_passes"] == 100 and lines[1]["backward_passes"] == 0
    assert lines[1]["output"] > -6.0


def test_run_steps_and_seed_options():
    code, out = cli("run", "svm", "--steps", "30", "--seed", "3", "--strategy", "numerical", "--json")
    assert code == 0
    lines = json_lines(out)
    assert [ln["step"] for ln in lines[:-1]] == list(range(31))
    assert lines[-2]["forward_passes"] == 30 * 4  # P + 1 = 4 per step on one point
    assert all(ln["strategy"] == "numerical" for ln in lines[:-1])
    _, again = cli("run", "svm", "--steps", "30", "--seed", "3", "--strategy", "numerical", "--json")
    assert [ln for ln in json_lines(again) if "step" in ln] == lines[:-1]  # seeded: the same run


def test_run_long_table_is_thinned():
    code, out = cli("run", "neuron", "--steps", "5000")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) <= 25
    steps = [int(ln.split()[0]) for ln in lines if ln.split() and ln.split()[0].isdigit()]
    assert steps[0] == 0 and steps[-1] == 5000 and steps == sorted(steps)
    assert len(steps) == 21  # every 5000 // 20 = 250th step, and the start


def test_the_table_heads_each_column_with_what_it_holds():
    # circuits: the output, each input and its gradient; classifiers: the cost, the accuracy, the parameters
    code, out = cli("run", "neuron", "--steps", "0")
    assert code == 0
    head = ["step", "output", "a", "b", "c", "x", "y", "da", "db", "dc", "dx", "dy"]
    assert out.splitlines()[1] == " ".join(h.rjust(10) for h in head) + "  forward  backward"
    code, out = cli("run", "svm", "--steps", "1")
    lines = out.splitlines()
    head = ["step", "cost", "accuracy", "a", "b", "c", "da", "db", "dc"]
    assert lines[0] == "A linear SVM: a*x + b*y + c | strategy analytic | 1 step | seed 0"
    assert lines[1] == " ".join(h.rjust(10) for h in head) + "  forward  backward"
    assert lines[2].split() == ["0", "19.8", "0.666667", "1", "-2", "-1", "-", "-", "-", "0", "0"]
    # a wide model shows no parameter columns (--json has them all)
    code, out = cli("run", "neural_net", "--steps", "0")
    assert out.splitlines()[1].split() == ["step", "cost", "accuracy", "forward", "backward"]


def test_big_and_tiny_numbers_keep_their_columns(tmp_path):
    # six significant digits in a 10-character column, whatever the size: -601550, not -601550.125000
    path = tmp_path / "big.toml"
    path.write_text('title = "big"\nkind = "circuit"\n[circuit]\nexpression = "x * y"\n'
                    'inputs = { x = -200.5, y = 3000.25 }\n')
    code, out = cli("run", path, "--steps", "1", "--strategy", "analytic")
    assert code == 0
    rows = [ln for ln in out.splitlines()[2:]]
    assert rows[0].split() == ["0", "-601550", "-200.5", "3000.25", "-", "-", "0", "0"]
    # one step of 0.01: x = -200.5 + 0.01 * 3000.25, y = 3000.25 + 0.01 * -200.5, output x * y
    assert rows[1].split()[1:4] == ["-511193", "-170.498", "2998.24"]
    assert all(len(cell) <= 10 for row in rows for cell in row.split())


@pytest.mark.parametrize("steps,header", [
    (1, "| 1 step | seed 0"),
    (0, "| 0 steps | seed 0"),
    (40, "| 40 steps | seed 0 | every 2nd step shown"),
    (5000, "| 5,000 steps | seed 0 | every 250th step shown"),
    (21000, "| 21,000 steps | seed 0 | every 1,050th step shown"),
])
def test_the_header_counts_steps_in_words(steps, header):
    code, out = cli("run", "neuron", "--steps", steps)
    assert code == 0
    assert out.splitlines()[0] == f"A single neuron: sigmoid(a*x + b*y + c) | strategy analytic {header}"


def test_the_guide_s_step_size_of_1_gives_plus_1_not_minus_1(tmp_path):
    # The guide: "For example, `step_size = 1.0` gives output `-1` (higer, better!)". With x * y at (-2, 3) the
    # gradient is [y, x] = [3, -2]; one step of 1.0 gives x = -2 + 3 = 1, y = 3 - 2 = 1, and x * y = +1.
    # (README: "Where the guide's printed output and its code disagree".)
    path = tmp_path / "single_gate.toml"  # the bundled single_gate, at step size 1.0 (no CLI option sets it)
    path.write_text(circuit_text(expression="x * y", inputs="x = -2.0, y = 3.0", settings="step_size = 1.0"))
    code, out = cli("run", path, "--strategy", "analytic", "--steps", "1", "--json")
    assert code == 0
    start, step, _ = json_lines(out)
    assert (start["values"], start["output"]) == ({"x": -2.0, "y": 3.0}, -6.0)
    assert step["values"] == {"x": 1.0, "y": 1.0}
    assert step["output"] == 1.0
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Where the guide's printed output and its code disagree")[1].split("\n### ")[0]
    assert "gives x = 1, y = 1 and output +1, not -1" in " ".join(section.split()), "the README lists it"


def test_run_short_table_shows_every_step():
    code, out = cli("run", "two_gates", "--steps", "3")
    assert code == 0
    rows = [ln.split() for ln in out.splitlines() if ln.split() and ln.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == [0, 1, 2, 3]
    assert float(rows[0][1]) == -12.0 and float(rows[1][1]) == pytest.approx(-11.5924, abs=1e-4)


# --- divergence: exit 1, the step on stderr, only finite JSON on stdout ----------------------------

def test_diverging_run_json(tmp_path, capsys):
    path = tmp_path / "blowup.toml"
    path.write_text(DIVERGING)
    code, out = cli("run", path, "--json")
    err = capsys.readouterr().err
    assert code == 1
    assert "step 2" in err and len(err.splitlines()) == 1
    lines = json_lines(out)
    assert all(math.isfinite(x) for x in numbers(lines))
    assert [ln["step"] for ln in lines[:-1]] == [0, 1]  # the divergent step is not printed
    summary = lines[-1]["summary"]
    assert summary["steps"] == 1 and "step 2" in summary["stopped"]


def test_diverging_run_table(tmp_path, capsys):
    path = tmp_path / "blowup.toml"
    path.write_text(DIVERGING)
    code, out = cli("run", str(path))
    assert code == 1
    assert "step 2" in capsys.readouterr().err
    assert "inf" not in out and "nan" not in out


@pytest.mark.slow
def test_diverging_run_in_a_real_process(tmp_path):
    path = tmp_path / "blowup.toml"
    path.write_text(DIVERGING)
    p = process("run", str(path), "--json")
    assert p.returncode == 1
    assert "step 2" in p.stderr and "Traceback" not in p.stderr
    lines = json_lines(p.stdout)
    assert lines and all(math.isfinite(x) for x in numbers(lines))


STARTS_NON_FINITE = """
title = "starts at inf"
kind = "circuit"
steps = 3
[circuit]
expression = "exp(x)"
inputs = { x = 1000.0 }
"""
# exp(1000) overflows: the scenario's very start, step 0, already has a non-finite wire.


@pytest.mark.parametrize("extra", [["--json"], [], ["--steps", "0", "--json"], ["--steps", "0"]],
                         ids=["json", "table", "json, 0 steps", "table, 0 steps"])
def test_a_run_that_starts_non_finite(extra, tmp_path, capsys):
    # A start that is already not finite is the file's fault: refused when it is loaded, like any bad
    # file (exit 2, the file and the key), before a single line is printed.
    path = tmp_path / "inf.toml"
    path.write_text(STARTS_NON_FINITE)
    code, out = cli("run", str(path), *extra)
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err == (f"hnn-tui: {path}: circuit.inputs: the start is not finite "
                   "(wire 'exp(x)' has value inf at step 0)\n")


# --- real processes -------------------------------------------------------------------------------

@pytest.mark.slow
def test_list_in_a_real_process():
    p = process("list")
    assert p.returncode == 0 and p.stderr == ""
    names = [ln.split()[0] for ln in p.stdout.splitlines()]
    assert [n for n in names if n in REQUIRED] == REQUIRED


@pytest.mark.slow
def test_run_and_grad_in_a_real_process():
    p = process("run", "two_gates", "--json")
    assert p.returncode == 0, p.stderr
    lines = json_lines(p.stdout)
    assert lines[1]["grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert lines[1]["output"] == pytest.approx(-11.5924, abs=1e-9)
    p = process("grad", "(x + y) * z", "--at", "x=-2,y=5,z=-4", "--json")
    assert p.returncode == 0, p.stderr
    assert strict_json(p.stdout)["analytic"] == {"x": -4.0, "y": -4.0, "z": 3.0}


@pytest.mark.slow
def test_cli_contract():
    checker = ROOT.parent / "shared" / "checks" / "cli_contract.py"
    exe = Path(sys.executable).parent / "hnn-tui"
    if not checker.is_file():
        pytest.skip(f"no contract checker at {checker}")
    if not exe.is_file():
        pytest.skip(f"no hnn-tui executable at {exe}")
    p = subprocess.run([sys.executable, str(checker), str(exe)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "CLI contract: holds" in p.stdout
