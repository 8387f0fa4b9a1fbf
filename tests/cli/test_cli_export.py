"""`hnn-tui export`: every exported lesson, run by a clean interpreter (python -I -S) in an empty folder, prints the
same JSON lines as `hnn-tui run --json` (every key, numbers to 1e-9); other kinds are refused whole; -o never
writes over a file."""
import io
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import assert_same_lines, export_and_run, run_json

from hnn_tui.cli import main
from hnn_tui.cli_args import BadInput
from hnn_tui.cli_export import write_new
from hnn_tui.engine import load_scenario
from hnn_tui.engine.export import NotExported, export_program

CIRCUITS = ["single_gate", "two_gates", "neuron", "bigger_step", "backward_flow", "sigmoid_long_way", "svm_cost",
            "momentum_valley"]
SVMS = ["svm", "unbalanced"]  # the binary classifier's svm: one point a step, all 200 points a step
NETS = ["neural_net", "neural_net_guide", "heldout", "draw_your_own"]  # the ReLU net, drawn starts, held-out points
MLPS = ["dying_relus", "l1_sparsity"]  # the mlp: a bias start, L1 and its shrink (vectorized_speed: its own test)
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


@pytest.mark.parametrize("name", CIRCUITS + SVMS + NETS + MLPS)
def test_every_exported_bundled_scenario_prints_the_runs_lines(tmp_path, name):
    code, program, _ = export_and_run(tmp_path, name, steps=STEPS)
    assert code == 0
    assert_same_lines(program, run_json(name, "--steps", str(STEPS))[1])
    assert [ln["step"] for ln in program[:-1]] == list(range(STEPS + 1))


@pytest.mark.parametrize("name", ["neuron", "svm", "neural_net"])
@pytest.mark.parametrize("strategy", ["random", "numerical"])
def test_the_other_strategies_draw_and_probe_as_the_engine_does(tmp_path, strategy, name):
    code, program, _ = export_and_run(tmp_path, name, "--strategy", strategy, "--seed", "7", steps=STEPS)
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
    assert "        out[j] = -REG * params[j]  # the spring\n" in text  # the spring on a and b
    assert "import hnn_tui" not in text and "numpy" not in text


def test_the_numpy_engines_lesson_exports_as_the_python_engines_program(tmp_path):
    """vectorized_speed (engine = "numpy", 2,000 points a step): the program is the Python engine's, to 1e-9."""
    code, program, _ = export_and_run(tmp_path, "vectorized_speed", steps=2)
    assert code == 0
    assert_same_lines(program, run_json("vectorized_speed", "--steps", "2")[1])
    assert program[0]["output"] == pytest.approx(1959.06, abs=0.005)  # the cost its description gives at step 0


CRAFT = """title = "the craft of chapter 3"
kind = "classifier"
{top}
strategy = "{strategy}"
steps = 12
seed = 4
[model]
type = "{model}"
{model_keys}
reg = 0.01
batch = "{batch}"
l1 = 0.2
class_weights = {weights}
[data]
dataset = "{dataset}"
n = 40
validation = 0.25
[settings]
step_size = 0.1
tries = 20
{settings}
"""
MLP = 'layers = [4, 3]\ndropout = 0.3\n'  # a small mlp of 2 hidden layers, dropout on both
CRAFT_VARIANTS = {  # L1 + dropout + class weights + an update rule together; a start scheme and an init of its own
    "sgd_momentum_he": dict(model_keys=MLP + 'init_scheme = "he"\ninit = {{ "w1[0,0]" = 0.5, "b2[1]" = 0.25 }}',
                            batch="sgd", weights='{{ "+1" = 2.0 }}', dataset="moons",
                            settings='update = "momentum"\nmomentum = 0.8'),
    "full_nesterov_xavier": dict(model_keys=MLP + 'init_scheme = "xavier"\nbias_start = 0.1', batch="full",
                                 weights='"balanced"', dataset="blobs",
                                 settings='update = "nesterov"\ncentered = true\nh = 0.001'),
}


def craft_scenario(tmp_path, variant, strategy, model="mlp", top=""):
    keys = dict(CRAFT_VARIANTS[variant])
    if model != "mlp":  # dropout is the mlp's alone
        keys["model_keys"] = 'hidden = 3' if model == "net" else ""
    path = tmp_path / f"{variant}_{model}_{strategy}.toml"
    path.write_text(CRAFT.format(strategy=strategy, model=model, top=top, **keys).format())
    return str(path)


@pytest.mark.parametrize("strategy", ["analytic", "numerical", "random"])
@pytest.mark.parametrize("variant", list(CRAFT_VARIANTS))
def test_l1_dropout_class_weights_and_momentum_together_in_a_two_layer_mlp(tmp_path, variant, strategy):
    path = craft_scenario(tmp_path, variant, strategy)
    code, program, _ = export_and_run(tmp_path, path, steps=12)
    engine = run_json(path)[1]
    assert code == 0
    assert_same_lines(program, engine)
    for got, want in zip(program[:-1], engine[:-1]):  # the Python engine's numbers exactly, bit for bit
        assert (got["values"], got["grads"], got["batch"], got["hidden"]) == \
            (want["values"], want["grads"], want["batch"], want["hidden"])
    if strategy != "random":  # the shrink stopped some weights at exactly 0 (random search has no shrink)
        assert max(sum(v == 0.0 for v in line["values"].values()) for line in engine[:-1]) >= 1


@pytest.mark.parametrize("model", ["svm", "net"])
def test_l1_and_class_weights_on_the_svm_and_the_net(tmp_path, model):
    for variant in CRAFT_VARIANTS:
        path = craft_scenario(tmp_path, variant, "analytic", model)
        (tmp_path / variant).mkdir()
        code, program, _ = export_and_run(tmp_path / variant, path, steps=12)
        assert code == 0
        assert_same_lines(program, run_json(path)[1])


@pytest.mark.parametrize("strategy", ["analytic", "numerical"])
def test_the_numpy_engine_with_the_craft_matches_to_1e_9(tmp_path, strategy):
    path = craft_scenario(tmp_path, "full_nesterov_xavier", strategy, top='engine = "numpy"')
    code, program, _ = export_and_run(tmp_path, path, steps=8)
    assert code == 0
    assert_same_lines(program, run_json(path, "--steps", "8")[1])


def test_the_mlp_program_writes_out_backprop_and_only_the_craft_switched_on():
    out = io.StringIO()
    assert main(["export", "dying_relus"], out) == 0
    text = out.getvalue()
    assert "SIZES = [2, 16, 1]" in text and "BIAS_START = -1.0" in text  # every bias starts at bias_start
    assert "                dh[j] += params[at + j] * gi  # d/dh_j = w_ij\n" in text  # each neuron's pull, below
    assert "L1" not in text and "DROPOUT" not in text and "CLASS_WEIGHTS" not in text and "draw_masks" not in text
    out = io.StringIO()
    assert main(["export", "l1_sparsity"], out) == 0
    text = out.getvalue()
    assert "        x = move(x, smooth, lr, velocity)\n        for j in REGULARIZED:\n" \
           "            x[j] = shrink(x[j], lr * L1)\n" in text  # the move, then L1's shrink toward 0
    assert "        out[j] -= L1 * sign(params[j])" in text
    assert "import hnn_tui" not in text and "numpy" not in text


def test_what_a_binary_classifier_cannot_write_out_is_refused_whole():
    scenario = load_scenario("svm")
    odd = replace(scenario, spec=replace(scenario.spec, loss="logistic"))  # no scenario file can say this today
    with pytest.raises(NotExported) as e:
        export_program(odd)
    assert str(e.value) == ("svm: the logistic loss is not exported; the binary classifier exports the svm, the net "
                            "and the mlp (hinge or squared hinge loss, python or numpy engine)")


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


def test_a_program_piped_into_head_ends_quietly(tmp_path):
    """`python lesson.py | head`: no traceback when the reader closes the pipe (as `hnn-tui run --json | head`)."""
    import subprocess
    import sys

    program = tmp_path / "neuron.py"
    program.write_text(export_program(load_scenario("neuron")))
    p = subprocess.run(f"{sys.executable} -I -S {program} --steps 100000 | head -1", shell=True, capture_output=True,
                       text=True, timeout=60, cwd=tmp_path)
    assert p.stdout.startswith('{"step": 0, ') and p.stderr == ""
