"""`hnn-tui export` of every bundled scenario, of the multiclass classifier and the regression in every model, loss,
strategy and option, and a diverging run of each kind: the program, run by a clean interpreter (python -I -S) in an
empty folder, prints the same JSON lines as `hnn-tui run --json` (every key in the same order, numbers to 1e-9,
everything else equal; helpers.export_and_run, assert_same_lines)."""
import importlib.util
import io
import math
from types import SimpleNamespace

import pytest
from helpers import assert_same_lines, export_and_run, run_json

from hnn_tui.cli import main
from hnn_tui.engine import bundled_names, load_scenario
from hnn_tui.engine.export import NotExported, export_program

STEPS = 4  # every bundled scenario: the start and four steps (the mlps' steps cost a few ms each in plain Python)


def check(tmp_path, scenario, *options, steps: int) -> list[dict]:
    code, program, err = export_and_run(tmp_path, scenario, *options, steps=steps)
    assert code == 0, err
    want_code, engine = run_json(scenario, *options, "--steps", str(steps))
    assert want_code == 0
    assert_same_lines(program, engine)
    return program


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_exports_and_prints_the_runs_lines(tmp_path, name):
    program = check(tmp_path, name, steps=STEPS)
    assert [ln["step"] for ln in program[:-1]] == list(range(STEPS + 1))


MULTICLASS = """title = "a multiclass variant"
kind = "classifier"
strategy = "{strategy}"
steps = 12
seed = 5
{engine}
[model]
type = "{model}"
loss = "{loss}"
reg = 0.05
{model_extra}
[data]
{data}
[settings]
step_size = 0.2
{settings}
"""
BLOBS = 'dataset = "blobs"\nclasses = 3\nn = 24\nnoise = 0.6\nvalidation = 0.25\nseed = 2'
OWN = 'points = [[0.1, 0.2], [-0.5, 0.4], [0.9, -0.3], [-0.2, -0.8], [0.4, 0.4]]\nlabels = ["b", "a", "b", "c", "a"]'
MULTICLASS_VARIANTS = {  # (strategy, model, loss, [model] extra, settings, engine, data)
    "svm_softmax_sgd_momentum_step_balanced_xavier": (
        "analytic", "svm", "softmax", 'batch = "sgd"\ninit_scheme = "xavier"\nclass_weights = "balanced"',
        'update = "momentum"\nmomentum = 0.8\nschedule = "step"\ndecay = 0.5\ndecay_every = 4', "", BLOBS),
    "net_hinge_full_nesterov_l1_dropout_weights": (
        "analytic", "net", "multiclass_hinge",
        'hidden = 4\nbatch = "full"\nl1 = 0.02\ndropout = 0.3\nclass_weights = { "1" = 2.0 }\nbias_start = 0.1',
        'update = "nesterov"\nmomentum = 0.5', "", BLOBS),
    "mlp_softmax_sgd_he_dropout_numerical_centered_exp": (
        "numerical", "mlp", "softmax", 'layers = [4, 3]\nbatch = "sgd"\ninit_scheme = "he"\ndropout = 0.25',
        'centered = true\nh = 0.001\nschedule = "exponential"\ndecay = 0.7\ndecay_every = 3', "", BLOBS),
    "net_hinge_sgd_dropout_hidden_outputs": (
        "analytic", "net", "multiclass_hinge", 'hidden = 3\nbatch = "sgd"\ndropout = 0.2', "", "", BLOBS),
    "net_softmax_random_own_points": (
        "random", "net", "softmax", 'hidden = 2\nbatch = "full"\ninit = { "w1[0,0]" = 0.3 }', "tweak = 0.1\ntries = 7",
        "", OWN),
    "svm_hinge_numerical_centered_l1_linear": (
        "numerical", "svm", "multiclass_hinge", 'batch = "full"\nl1 = 0.05\ninit_scale = 1.0',
        "centered = true\nstep_size_end = 0.01", "", BLOBS),
    "mlp_hinge_numpy_l1_weights": (
        "analytic", "mlp", "multiclass_hinge",
        'layers = [5]\nbatch = "full"\nl1 = 0.01\nclass_weights = { "2" = 0.5, "3" = 3.0 }', "", 'engine = "numpy"',
        BLOBS),
}


@pytest.mark.parametrize("variant", list(MULTICLASS_VARIANTS))
def test_multiclass_models_losses_strategies_and_options(tmp_path, variant):
    strategy, model, loss, extra, settings, engine, data = MULTICLASS_VARIANTS[variant]
    path = tmp_path / f"{variant}.toml"
    path.write_text(MULTICLASS.format(strategy=strategy, model=model, loss=loss, model_extra=extra, settings=settings,
                                      engine=engine, data=data))
    program = check(tmp_path, str(path), steps=16)  # past the schedules' 12 steps
    assert program[-1]["summary"]["steps"] == 16
    if data == BLOBS:
        assert program[-1]["summary"]["val_points"] == 6 and program[-2]["val_accuracy"] is not None
    if model != "svm" and strategy == "analytic":
        assert all((ln["hidden"] is None) == (extra.count('batch = "full"') == 1) for ln in program[1:-1])


REGRESSION = """title = "a regression variant"
kind = "regression"
strategy = "{strategy}"
steps = 12
seed = 3
[model]
type = "{model}"
loss = "{loss}"
{model_extra}
[data]
{data}
[settings]
step_size = 0.1
{settings}
"""
SINE = 'dataset = "sine"\nn = 16\nnoise = 0.1\nvalidation = 0.25\nseed = 1'
XS = "xs = [-0.9, -0.4, 0.0, 0.3, 0.8]\ntargets = [1.5, 0.2, -0.1, -0.4, -2.0]"
REGRESSION_VARIANTS = {  # (strategy, model, loss, [model] extra, settings, data)
    "line_absolute_sgd_spring_momentum_linear": (
        "analytic", "line", "absolute", 'batch = "sgd"\nreg = 0.1\ninit = { a = 0.5 }',
        'update = "momentum"\nmomentum = 0.9\nstep_size_end = 0.01', SINE),
    "net_huber_full_nesterov_l1_xavier": (
        "analytic", "net", "huber", 'hidden = 4\ndelta = 0.3\nbatch = "full"\nl1 = 0.01\ninit_scheme = "xavier"',
        'update = "nesterov"\nschedule = "step"\ndecay = 0.5\ndecay_every = 5', SINE),
    "mlp_squared_sgd_dropout_he_bias_start": (
        "analytic", "mlp", "squared", 'layers = [4, 3]\nbatch = "sgd"\ndropout = 0.25\ninit_scheme = "he"\n'
                                      'bias_start = 0.1\nreg = 0.01', "", SINE),
    "line_huber_numerical_centered_own_points": (
        "numerical", "line", "huber", 'batch = "full"', "centered = true\nh = 0.001", XS),
    "line_absolute_full_a_point_on_its_target": (  # point 1 starts exactly on its target: no pull (the kink)
        "analytic", "line", "absolute", 'batch = "full"\ninit = { a = 0.0, b = 0.0 }', "",
        "xs = [-0.5, 0.0, 0.5]\ntargets = [1.0, 0.0, -1.5]"),
    "net_squared_random": ("random", "net", "squared", 'batch = "full"\nhidden = 3', "tries = 9\ntweak = 0.05", XS),
    "mlp_absolute_numerical_l1_exponential": (
        "numerical", "mlp", "absolute", 'layers = [3]\nbatch = "sgd"\nl1 = 0.05\ninit_scale = 1.0',
        'schedule = "exponential"\ndecay = 0.8\ndecay_every = 2', SINE),
}


@pytest.mark.parametrize("variant", list(REGRESSION_VARIANTS))
def test_regression_models_losses_strategies_and_options(tmp_path, variant):
    strategy, model, loss, extra, settings, data = REGRESSION_VARIANTS[variant]
    path = tmp_path / f"{variant}.toml"
    path.write_text(REGRESSION.format(strategy=strategy, model=model, loss=loss, model_extra=extra, settings=settings,
                                      data=data))
    program = check(tmp_path, str(path), steps=16)
    if data == SINE:
        assert program[-1]["summary"]["val_points"] == 4 and program[-2]["val_rmse"] is not None


@pytest.mark.parametrize("name", ["softmax_blobs", "line_fit"])
@pytest.mark.parametrize("strategy", ["random", "numerical"])
def test_the_bundled_kinds_with_the_other_strategies_and_seeds(tmp_path, strategy, name):
    check(tmp_path, name, "--strategy", strategy, "--seed", "7", steps=6)


@pytest.mark.parametrize("kind, blowup", [
    ("circuit", '[circuit]\nexpression = "exp(x*x)"\ninputs = { x = 2.0 }\n[settings]\nstep_size = 1.0\n'),
    ("classifier", '[model]\ntype = "svm"\nloss = "softmax"\n[data]\npoints = [[1.0, 2.0], [-1.0, 0.5]]\n'
                   'labels = [1, 2]\n[settings]\nstep_size = 1e300\n'),
    ("regression", '[model]\ntype = "line"\n[data]\nxs = [1.0, 2.0]\ntargets = [3.0, -1.0]\n[settings]\n'
                   'step_size = 1e300\n')])
def test_a_diverging_run_stops_at_the_same_step_with_the_same_words(tmp_path, kind, blowup):
    path = tmp_path / "blowup.toml"
    path.write_text(f'title = "t"\nkind = "{kind}"\nsteps = 10\n' + blowup)
    code, program, err = export_and_run(tmp_path, str(path), steps=10)
    want_code, engine = run_json(str(path))
    assert (code, want_code) == (1, 1)
    assert_same_lines(program, engine)
    assert program[-1]["summary"]["stopped"].startswith("diverged at step ")
    assert "the last finite state is step" in err


@pytest.mark.parametrize("name", ["neural_net", "softmax_blobs", "line_fit"])
def test_the_shared_divergence_check_names_the_first_number_not_finite_in_the_engines_words(tmp_path, name):
    """model_diverged (export_common), in the binary classifier's, the multiclass's and the regression's programs:
    after the batch's own numbers, a hidden output, a held-out measure, a parameter, a gradient, then the cost (the
    engine's order and words: inside.py, lessons/*.py)."""
    path = tmp_path / "lesson.py"
    path.write_text(export_program(load_scenario(name)))
    spec = importlib.util.spec_from_file_location("exported_lesson", path)
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)  # defines its functions; main() runs only as __main__
    check, names, inf, nan = program.model_diverged, program.PARAMS, math.inf, math.nan
    x, grads = [0.5] * len(names), dict.fromkeys(names, 0.0)
    assert check([[1.0, inf]], [("cost", nan)], x, grads, inf) == "hidden neuron 2 of layer 1 became inf"
    assert check([[1.0]], [("rmse", 1.0), ("cost", nan)], x, grads, inf) == "the held-out cost became nan"
    assert check(None, [], [nan] + x[1:], dict.fromkeys(names, inf), inf) == f"parameter {names[0]!r} became nan"
    assert check(None, [], x, grads | {names[1]: -inf}, inf) == f"gradient of {names[1]!r} became -inf"
    assert check(None, [("cost", None)], x, None, inf) == "the cost became inf"
    assert check(None, [("cost", None)], x, None, 1.0) is None


def test_the_programs_write_out_the_force_specifications():
    texts = {}
    for name in ("softmax_blobs", "multiclass_svm", "line_fit"):
        out = io.StringIO()
        assert main(["export", name], out) == 0
        texts[name] = out.getvalue()
        assert "hnn_tui" not in texts[name] and "numpy" not in texts[name]
        compile(texts[name], name, "exec")
    softmax = texts["softmax_blobs"]
    assert "    return [(1.0 if k == y else 0.0) - p for k, p in enumerate(softmax(scores))]\n" in softmax
    assert "        pull[k] -= 1.0\n        pull[y] += 1.0\n" in texts["multiclass_svm"]
    assert "    return -2.0 * (p - t) + 0.0\n" in texts["line_fit"]
    assert "XS = [0.2739233746429086, -0.4604265724722594, " in texts["line_fit"]  # the generated points, inline


def test_a_kind_not_written_out_is_refused_in_one_line():
    with pytest.raises(NotExported, match=r"^x: a object is not exported yet; exported so far: circuits, "):
        export_program(SimpleNamespace(name="x", spec=object(), strategy="analytic"))
