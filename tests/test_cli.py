"""The headless CLI: `hnn-tui list | run | grad`, in-process for speed and a few real processes."""
from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from hnn_tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["single_gate", "two_gates", "neuron", "svm", "neural_net"]
RUN_KEYS = {"step", "strategy", "output", "values", "grads", "forward_passes", "backward_passes"}


def cli(*args):
    """Run main() in-process; returns (exit code, stdout text)."""
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def strict_json(line):
    """json.loads that refuses NaN and Infinity (which are not JSON)."""
    def refuse(name):
        raise ValueError(f"{name} in JSON output: {line[:80]}")
    return json.loads(line, parse_constant=refuse)


def numbers(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield obj


def json_lines(text):
    return [strict_json(ln) for ln in text.splitlines() if ln.strip()]


def process(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "hnn_tui", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


DIVERGING = """
title = "exp blows up"
kind = "circuit"
steps = 10
[circuit]
expression = "exp(x)"
inputs = { x = 1.0 }
[settings]
step_size = 100
"""
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
    assert start["step"] == 0 and set(start) == RUN_KEYS | {"accuracy"}
    assert start["accuracy"] == pytest.approx(4 / 6)  # see test_guide_numbers: 4 of 6 at a=1, b=-2, c=-1
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


def test_run_short_table_shows_every_step():
    code, out = cli("run", "two_gates", "--steps", "3")
    assert code == 0
    rows = [ln.split() for ln in out.splitlines() if ln.split() and ln.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == [0, 1, 2, 3]
    assert float(rows[0][1]) == -12.0 and float(rows[1][1]) == pytest.approx(-11.5924, abs=1e-4)


# --- grad -----------------------------------------------------------------------------------------

def test_grad_json():
    code, out = cli("grad", "(x + y) * z", "--at", "x=-2,y=5,z=-4", "--json")
    assert code == 0
    (r,) = json_lines(out)
    assert r["output"] == -12.0
    assert r["analytic"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert r["numerical"] == pytest.approx({"x": -4.0, "y": -4.0, "z": 3.0}, abs=1e-8)
    assert r["max_rel_error"] < 1e-8


def test_grad_text():
    code, out = cli("grad", "sigmoid(a*x + b*y + c)", "--at", "a=1,b=2,c=-3,x=-1,y=3")
    assert code == 0
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines() if ln.split() and ln.split()[0] in "abcxy"}
    assert [round(float(rows[n][1]), 3) for n in "abcxy"] == [-0.105, 0.315, 0.105, 0.105, 0.210]


# --- bad input: exit 2, exactly one line on stderr -------------------------------------------------

def broken_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text('title = "t"\nkind = "circuit"\n[circuit]\nexpression = "x * y"\ninputs = { x = 1.0 }\n')
    return str(p)


BAD_INPUT = [
    ("unknown scenario", lambda tmp: ["run", "no_such_lesson"], "no_such_lesson"),
    ("broken scenario file", lambda tmp: ["run", broken_file(tmp)], "circuit.inputs"),
    ("scenario folder", lambda tmp: ["run", str(tmp)], "folder"),
    ("bad expression", lambda tmp: ["grad", "__import__('os')", "--at", "x=1"], "__import__"),
    ("unknown name in --at", lambda tmp: ["grad", "x * y", "--at", "x=1,y=2,w=3"], "no input called w"),
    ("missing name in --at", lambda tmp: ["grad", "x * y", "--at", "x=1"], "no value given for y"),
    ("malformed --at", lambda tmp: ["grad", "x * y", "--at", "x:1,y=2"], "--at"),
    ("non-number in --at", lambda tmp: ["grad", "x * y", "--at", "x=one,y=2"], "--at"),
    ("nan in --at", lambda tmp: ["grad", "x * y", "--at", "x=nan,y=2"], "--at"),
    ("non-finite point", lambda tmp: ["grad", "log(x) * 1", "--at", "x=0"], "finite"),
    ("h = 0", lambda tmp: ["grad", "x * y", "--at", "x=1,y=2", "--h", "0"], "--h"),
    ("negative steps", lambda tmp: ["run", "neuron", "--steps", "-1"], "--steps"),
    ("bogus strategy", lambda tmp: ["run", "neuron", "--strategy", "bogus"], "bogus"),
    ("unknown option", lambda tmp: ["run", "neuron", "--stepz", "3"], "--stepz"),
    ("run without a scenario", lambda tmp: ["run"], "scenario"),
    ("unknown option to the app", lambda tmp: ["--bogus"], "--bogus"),
    ("negative seed for the app", lambda tmp: ["neuron", "--seed", "-3"], "--seed"),
    # A literal too large for a float must be refused like 1e999 is (any wording).
    ("huge integer literal", lambda tmp: ["grad", "x * " + "9" * 400, "--at", "x=1"], "hnn-tui: "),
]


@pytest.mark.parametrize("why,argv,mention", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_exits_2_with_one_line(why, argv, mention, tmp_path, capsys):
    out = io.StringIO()
    code = main(argv(tmp_path), out=out)
    err = capsys.readouterr().err
    assert code == 2
    assert out.getvalue() == ""
    assert len(err.splitlines()) == 1 and err.endswith("\n")
    assert err.startswith("hnn-tui: ")
    assert mention in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["run", "no_such_lesson"],
    ["grad", "x.y * 2", "--at", "x=1"],
    ["run", "neuron", "--steps", "-1"],
    ["grad", "x * " + "9" * 400, "--at", "x=1"],  # see the in-process test above
], ids=["unknown scenario", "bad expression", "negative steps", "huge integer literal"])
def test_bad_input_in_a_real_process(argv):
    p = process(*argv)
    assert p.returncode == 2
    assert p.stdout == ""
    assert "Traceback" not in p.stderr
    assert len(p.stderr.splitlines()) == 1


# --- divergence: exit 1, the step on stderr, only finite JSON on stdout ----------------------------

def test_diverging_run_json(tmp_path, capsys):
    path = tmp_path / "blowup.toml"
    path.write_text(DIVERGING)
    out = io.StringIO()
    code = main(["run", str(path), "--json"], out=out)
    err = capsys.readouterr().err
    assert code == 1
    assert "step 2" in err and len(err.splitlines()) == 1
    lines = json_lines(out.getvalue())
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
    # README: a run that diverged exits 1, stderr names the step and the wire, stdout holds only
    # finite numbers. Here the divergence is already at step 0 (exit 1 or 2 are both defensible).
    path = tmp_path / "inf.toml"
    path.write_text(STARTS_NON_FINITE)
    code, out = cli("run", str(path), *extra)
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert len(err.splitlines()) == 1
    assert "step 0" in err and "exp(x)" in err
    if "--json" in extra:
        assert all(math.isfinite(x) for x in numbers(json_lines(out)))
    else:
        assert "inf" not in out and "nan" not in out


# --- real processes -------------------------------------------------------------------------------

def test_list_in_a_real_process():
    p = process("list")
    assert p.returncode == 0 and p.stderr == ""
    names = [ln.split()[0] for ln in p.stdout.splitlines()]
    assert [n for n in names if n in REQUIRED] == REQUIRED


def test_run_and_grad_in_a_real_process():
    p = process("run", "two_gates", "--json")
    assert p.returncode == 0, p.stderr
    lines = json_lines(p.stdout)
    assert lines[1]["grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert lines[1]["output"] == pytest.approx(-11.5924, abs=1e-9)
    p = process("grad", "(x + y) * z", "--at", "x=-2,y=5,z=-4", "--json")
    assert p.returncode == 0, p.stderr
    assert strict_json(p.stdout)["analytic"] == {"x": -4.0, "y": -4.0, "z": 3.0}


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
