"""`hnn-tui export`: every exported lesson, run by a clean interpreter (python -I) in an empty folder, prints the
same JSON lines as `hnn-tui run --json` (every key, numbers to 1e-9); other kinds are refused whole; -o never
writes over a file."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hnn_tui.cli import main
from hnn_tui.cli_args import BadInput
from hnn_tui.cli_export import write_new

CIRCUITS = ["single_gate", "two_gates", "neuron", "bigger_step", "backward_flow", "sigmoid_long_way", "svm_cost",
            "momentum_valley"]
SVMS = ["svm", "unbalanced"]  # the binary classifier's svm: one point a step, all 200 points a step
NETS = ["neural_net", "neural_net_guide", "heldout", "draw_your_own"]  # the ReLU net, drawn starts, held-out points
STEPS = 25

VARIANTS = {  # settings no bundled circuit uses: each schedule and update rule, the centered probe, a peg
    "momentum_linear": ('strategy = "analytic"', 'update = "momentum"\nmomentum = 0.8\nstep_size_end = 0.01'),
    "nesterov_step": ('strategy = "analytic"', 'update = "nesterov"\nschedule = "step"\ndecay = 0.5\ndecay_every = 7'),
    "numerical_centered_exp": ('strategy = "numerical"',
                               'centered = true\nh = 0.001\nschedule = "exponential"\ndecay = 0.8\ndecay_every = 5\n'
                               'update = "momentum"'),
}
VARIANT = """title = "a variant"
kind = "circuit"
{strategy}
steps = 40
seed = 3
[circuit]
expression = "tanh(a*x) + relu(b - x) / (2 + exp(-b)) + log(c*c + 1) - (a - 1)**2 + max(x, b)"
inputs = {{ a = 0.5, b = -0.3, c = 2.0, x = 1.5 }}
trainable = ["a", "c", "x"]
wires = {{ ax = "a*x" }}
[settings]
step_size = 0.05
{settings}
"""


def run_json(*argv) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = main(["run", *argv, "--json"], out)
    return code, [json.loads(ln) for ln in out.getvalue().splitlines()]


def export_and_run(tmp_path, scenario, *options, steps=STEPS) -> tuple[int, list[dict], str]:
    """Export into an empty folder, then run the file there with `python -I` (no site, no PYTHONPATH, no cwd)."""
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["export", scenario, "-o", str(folder / "lesson.py"), *options], io.StringIO()) == 0
    p = subprocess.run([sys.executable, "-I", "lesson.py", "--steps", str(steps)], cwd=folder, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, [json.loads(ln) for ln in p.stdout.splitlines()], p.stderr


def same(a, b) -> bool:
    """Equal keys everywhere, equal numbers to 1e-9 (relative above 1)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1, abs(b))
    return type(a) is type(b) and a == b


def assert_same_lines(program: list[dict], engine: list[dict]) -> None:
    assert len(program) == len(engine)
    for got, want in zip(program[:-1], engine[:-1]):
        assert same(got, want), (got, want)
    got, want = dict(program[-1]["summary"]), dict(engine[-1]["summary"])
    assert got.pop("seconds") >= 0 and want.pop("seconds") >= 0
    assert same(got, want), (got, want)


@pytest.mark.parametrize("name", CIRCUITS + SVMS + NETS)
def test_every_exported_bundled_scenario_prints_the_runs_lines(tmp_path, name):
    code, program, _ = export_and_run(tmp_path, name)
    assert code == 0
    assert_same_lines(program, run_json(name, "--steps", str(STEPS))[1])
    assert [ln["step"] for ln in program[:-1]] == list(range(STEPS + 1))


@pytest.mark.parametrize("name", ["neuron", "svm", "neural_net"])
@pytest.mark.parametrize("strategy", ["random", "numerical"])
def test_the_other_strategies_draw_and_probe_as_the_engine_does(tmp_path, strategy, name):
    code, program, _ = export_and_run(tmp_path, name, "--strategy", strategy, "--seed", "7")
    assert code == 0
    assert_same_lines(program, run_json(name, "--strategy", strategy, "--seed", "7", "--steps", str(STEPS))[1])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_schedules_update_rules_and_pegged_inputs(tmp_path, variant):
    strategy, settings = VARIANTS[variant]
    path = tmp_path / f"{variant}.toml"
    path.write_text(VARIANT.format(strategy=strategy, settings=settings))
    code, program, _ = export_and_run(tmp_path, str(path), steps=55)  # past the schedule's 40 steps
    assert code == 0
    assert_same_lines(program, run_json(str(path), "--steps", "55")[1])
    assert program[-1]["summary"]["steps"] == 55 and program[-2]["values"]["b"] == -0.3  # b is pegged


def test_a_diverging_run_stops_at_the_same_step_with_the_same_words(tmp_path):
    path = tmp_path / "blowup.toml"
    path.write_text('title = "t"\nkind = "circuit"\nsteps = 20\n[circuit]\nexpression = "exp(x*x)"\n'
                    'inputs = { x = 2.0 }\n[settings]\nstep_size = 1.0\n')
    code, program, err = export_and_run(tmp_path, str(path), steps=20)
    want_code, engine = run_json(str(path))
    assert (code, want_code) == (1, 1)
    assert_same_lines(program, engine)
    assert program[-1]["summary"]["stopped"].startswith("diverged at step ")
    assert "the last finite state is step" in err


def test_the_program_reads_as_the_guide_writes_it():
    out = io.StringIO()
    assert main(["export", "two_gates"], out) == 0
    text = out.getvalue()
    assert "import hnn_tui" not in text and "from hnn_tui" not in text
    assert "    q = x + y  # add, d/dx = 1, d/dy = 1\n" in text
    # each input gets its local derivative x the pull on the output
    assert "    dq += z * df  # d/dq = z\n    dz += q * df  # d/dz = q\n" in text
    compile(text, "two_gates.py", "exec")


SVM_VARIANT = """title = "an svm variant"
kind = "classifier"
strategy = "{strategy}"
steps = 30
seed = 5
[model]
type = "svm"
{model}
[data]
dataset = "blobs"
n = 40
validation = 0.25
[settings]
step_size = 0.02
{settings}
"""
SVM_VARIANTS = {  # the loss, the batch, every start, the held-out set, an update rule and a schedule
    "squared_full_momentum": ("analytic", 'loss = "squared_hinge"\nbatch = "full"\nreg = 0.1\ninit = { a = 0.5 }',
                              'update = "momentum"\nschedule = "step"\ndecay = 0.5\ndecay_every = 4'),
    "xavier_nesterov": ("analytic", 'init_scheme = "xavier"\nbias_start = 0.5', 'update = "nesterov"'),
    "he_numerical": ("numerical", 'init_scheme = "he"\nbatch = "full"', 'centered = true\nstep_size_end = 0.001'),
    "uniform_random": ("random", 'init_scale = 2.0\nreg = 0.5\nbatch = "full"', "tries = 20"),
}


@pytest.mark.parametrize("model_type", ["svm", "net"])
@pytest.mark.parametrize("variant", list(SVM_VARIANTS))
def test_classifier_losses_batches_starts_and_held_out_points(tmp_path, variant, model_type):
    strategy, model, settings = SVM_VARIANTS[variant]
    text = SVM_VARIANT.format(strategy=strategy, model=model, settings=settings)
    if model_type == "net":
        text = text.replace('type = "svm"', 'type = "net"\nhidden = 4').replace("{ a = 0.5 }", "{ a1 = 0.5 }")
    path = tmp_path / f"{variant}.toml"
    path.write_text(text)
    code, program, _ = export_and_run(tmp_path, str(path), steps=30)
    assert code == 0
    engine = run_json(str(path))[1]
    assert_same_lines(program, engine)
    assert engine[-1]["summary"]["val_points"] == 10 and engine[-2]["val_accuracy"] is not None


def test_the_svm_program_writes_out_the_force_specification():
    out = io.StringIO()
    assert main(["export", "svm"], out) == 0
    text = out.getvalue()
    assert "POINTS = [(1.2, 0.7), (-0.3, -0.5), (3.0, 0.1), (-0.1, -1.0), (-1.0, 1.1), (2.1, -3.0)]\n" in text
    assert "    if margin <= 0.0:\n        return 0.0\n    return float(label)" in text  # the pull on the score
    assert "        spring[j] = -REG * params[j]\n" in text  # the spring on a and b
    assert "import hnn_tui" not in text and "numpy" not in text


NOT_YET = ("is not exported yet; exported so far: circuits and the binary classifier's svm and net (hinge or squared "
           "hinge loss)")


@pytest.mark.parametrize("name, what", [("vectorized_speed", "the mlp model"), ("dying_relus", "the mlp model"),
                                        ("softmax_blobs", "a multiclass classifier"), ("line_fit", "a regression")])
def test_other_kinds_are_refused_in_one_line(capsys, name, what):
    out = io.StringIO()
    assert main(["export", name], out) == 2
    assert out.getvalue() == ""  # nothing half-exported
    assert capsys.readouterr().err == f"hnn-tui: {name}: {what} {NOT_YET}\n"


@pytest.mark.parametrize("option, what", [('engine = "numpy"', "the numpy engine"),
                                          ("[model]\nl1 = 0.01", "L1"),
                                          ('[model]\nclass_weights = "balanced"', "class weights")])
def test_svm_options_not_written_out_are_refused(tmp_path, capsys, option, what):
    text = SVM_VARIANT.format(strategy="analytic", model="", settings="")
    if option.startswith("[model]"):
        text = text.replace("[model]\n", option + "\n")
    else:
        text = option + "\n" + text
    path = tmp_path / "option.toml"
    path.write_text(text)
    target = tmp_path / "out.py"
    assert main(["export", str(path), "-o", str(target)], io.StringIO()) == 2
    assert capsys.readouterr().err == f"hnn-tui: option: {what} {NOT_YET}\n"
    assert not target.exists()


def test_o_writes_a_new_file_and_never_over_one(tmp_path, capsys):
    target = tmp_path / "two.py"
    assert main(["export", "two_gates", "-o", str(target)], io.StringIO()) == 0
    out = io.StringIO()
    main(["export", "two_gates"], out)
    assert target.read_text() == out.getvalue()
    target.write_text("mine")
    assert main(["export", "neuron", "-o", str(target)], io.StringIO()) == 2
    assert target.read_text() == "mine"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists" in err and str(target) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.py"]  # no temporary file left behind


def test_inputs_named_like_the_programs_own_names(tmp_path):
    path = tmp_path / "names.toml"
    path.write_text('title = "t"\nkind = "circuit"\nsteps = 5\n[circuit]\n'
                    'expression = "-sigmoid(math * forward) + dx * x / (1 + x*x)"\n'
                    'inputs = { math = 0.5, forward = -1.0, dx = 2.0, x = 0.3 }\n'
                    'wires = { "not a name" = "math * forward", dforward = "dx * x" }\n')
    code, program, _ = export_and_run(tmp_path, str(path), steps=5)
    assert code == 0
    assert_same_lines(program, run_json(str(path))[1])


def test_max_at_a_tie_sends_the_pull_to_its_first_input(tmp_path):
    path = tmp_path / "tie.toml"
    path.write_text('title = "t"\nkind = "circuit"\nsteps = 3\n[circuit]\nexpression = "max(x, y) * 3"\n'
                    'inputs = { x = 1.0, y = 1.0 }\n')
    code, program, _ = export_and_run(tmp_path, str(path), steps=3)
    assert program[1]["grads"] == {"x": 3.0, "y": 0.0}
    assert_same_lines(program, run_json(str(path))[1])


def test_a_file_made_after_the_check_is_not_written_over_either(tmp_path, monkeypatch):
    target = tmp_path / "late.py"
    target.write_text("mine")
    monkeypatch.setattr(Path, "exists", lambda self: False)  # as if it appeared between the check and the write
    with pytest.raises(BadInput, match="exists"):
        write_new(target, "print()\n")
    assert target.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["late.py"]


def test_a_diverging_svm_stops_at_the_same_step_with_the_same_words(tmp_path):
    path = tmp_path / "blowup.toml"
    path.write_text('title = "t"\nkind = "classifier"\nsteps = 10\n[model]\ntype = "svm"\n'
                    'init = { a = 1.0, b = -2.0, c = -1.0 }\n[data]\ndataset = "guide_svm"\n[settings]\n'
                    'step_size = 1e100\n')
    code, program, err = export_and_run(tmp_path, str(path), steps=10)
    assert (code, run_json(str(path))[0]) == (1, 1)
    assert_same_lines(program, run_json(str(path))[1])
    assert program[-1]["summary"]["stopped"] == "diverged at step 2: the cost became inf"
