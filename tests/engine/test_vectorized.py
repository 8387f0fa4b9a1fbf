"""The numpy engine (engine.vectorized) against the pure-Python engine: the same parameters after every step to 1e-9,
the same counted passes and the same JSON lines, on every classifier kind, strategy and batch, with the
regularizers and update rules of chapter 3; and the `engine` key's reading and refusals."""
from __future__ import annotations

import io
import json
import threading

import pytest

from hnn_tui.cli import main
from hnn_tui.engine import ScenarioError, Session, load_scenario, parse_scenario
from hnn_tui.engine.objectives import ClassifierObjective, Interrupted
from hnn_tui.engine.vectorized import ENGINES, NumpyClassifierObjective, with_engine
from hnn_tui.engine.vectorized_multiclass import NumpyMulticlassObjective

KINDS = [("svm", "hinge"), ("net", "hinge"), ("mlp", "squared_hinge"), ("svm", "softmax"), ("net", "softmax"),
         ("mlp", "softmax"), ("svm", "multiclass_hinge"), ("net", "multiclass_hinge"), ("mlp", "multiclass_hinge")]
MULTICLASS = ("softmax", "multiclass_hinge")


def text(model: str, loss: str, batch: str = "full", strategy: str = "analytic", engine: str = "python",
         model_more: str = "", settings_more: str = "") -> str:
    """A small classifier scenario: 24 points (moons, or a 3-class spiral), 3 hidden neurons or a 4-3 mlp."""
    data = ('dataset = "spiral"\nclasses = 3' if loss in MULTICLASS else 'dataset = "moons"') + \
        "\nn = 24\nnoise = 0.2\nseed = 1"
    shape = {"net": "hidden = 3", "mlp": "layers = [4, 3]", "svm": ""}[model]
    return f'''title = "t"
kind = "classifier"
engine = "{engine}"
strategy = "{strategy}"
steps = 30
seed = 3
[model]
type = "{model}"
loss = "{loss}"
{shape}
reg = 0.01
batch = "{batch}"
{model_more}
[data]
{data}
[settings]
step_size = 0.1
tries = 10
{settings_more}
'''


def both(*args, **kw) -> tuple[Session, Session]:
    """The same scenario on the Python engine and on the numpy engine (by the file's `engine` key)."""
    return (Session(parse_scenario(text(*args, engine="python", **kw), "py.toml")),
            Session(parse_scenario(text(*args, engine="numpy", **kw), "np.toml")))


def assert_in_step(py: Session, npy: Session, steps: int = 30) -> None:
    """Every step: the parameters to 1e-9, the cost, the counted passes, the gradient the step used (to 1e-9 from
    backprop; a numerical gradient divides the engines' rounding of the objective by h, so to 1e-6)."""
    assert type(npy.lesson.objective) in (NumpyClassifierObjective, NumpyMulticlassObjective)
    assert type(py.lesson.objective) not in (NumpyClassifierObjective, NumpyMulticlassObjective)
    for _ in range(steps):
        a, b = py.step(), npy.step()
        assert a.diverged is None and b.diverged is None
        assert max(abs(a.values[n] - b.values[n]) for n in a.values) < 1e-9, a.step
        assert abs(a.output - b.output) < 1e-9 * max(1.0, abs(a.output))
        assert (a.forward_passes, a.backward_passes) == (b.forward_passes, b.backward_passes)
        assert (a.grads is None) == (b.grads is None)
        if a.grads is not None:
            tol = 1e-9 if a.strategy == "analytic" else 1e-6
            assert max(abs(a.grads[n] - b.grads[n]) for n in a.grads) < tol


@pytest.mark.parametrize("batch", ["sgd", "full"])
@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("model,loss", KINDS, ids=[f"{m}-{loss}" for m, loss in KINDS])
def test_numpy_engine_steps_as_the_python_engine(model, loss, strategy, batch):
    assert_in_step(*both(model, loss, batch, strategy))


CRAFT = [  # (model, loss, [model] keys, [settings] keys): chapter 3's regularizers and update rules
    ("mlp", "hinge", "l1 = 0.01", ""),
    ("mlp", "hinge", "dropout = 0.3", ""),
    ("mlp", "squared_hinge", 'class_weights = { "+1" = 3.0, "-1" = 0.5 }', ""),
    ("svm", "hinge", 'class_weights = "balanced"\nl1 = 0.05', 'update = "momentum"'),
    ("net", "hinge", "l1 = 0.02", 'update = "nesterov"\nmomentum = 0.8'),
    ("mlp", "softmax", "dropout = 0.5\nl1 = 0.01", 'update = "momentum"'),
    ("net", "multiclass_hinge", 'dropout = 0.2\nclass_weights = "balanced"', 'update = "nesterov"'),
    ("svm", "softmax", "class_weights = { 1 = 2.0 }\nl1 = 0.01", ""),
]


@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("model,loss,model_more,settings_more", CRAFT)
def test_numpy_engine_with_the_regularizers_and_update_rules(model, loss, model_more, settings_more, strategy):
    py, npy = both(model, loss, "sgd" if "dropout" in model_more else "full", strategy, model_more=model_more,
                   settings_more=settings_more)
    assert_in_step(py, npy, 20)


def run_json(path) -> list[dict]:
    out = io.StringIO()
    assert main(["run", str(path), "--json", "--steps", "8"], out=out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    lines[-1]["summary"].pop("seconds", None)  # the one number that is a time
    return lines


def assert_same_json(a, b, where="") -> None:
    """Equal JSON: the same keys in the same order, the same types, numbers to 1e-9."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            assert_same_json(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_json(x, y, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a)), (where, a, b)
    else:
        assert a == b and type(a) is type(b), (where, a, b)


@pytest.mark.parametrize("model,loss,batch,model_more", [
    ("mlp", "hinge", "full", ""), ("net", "hinge", "sgd", ""), ("svm", "squared_hinge", "sgd", ""),
    ("mlp", "softmax", "sgd", "dropout = 0.3"), ("net", "multiclass_hinge", "full", 'class_weights = "balanced"'),
    ("mlp", "hinge", "sgd", "dropout = 0.2\nl1 = 0.01"), ("svm", "softmax", "full", "")])
def test_the_json_lines_are_the_python_engines(tmp_path, model, loss, batch, model_more):
    """`hnn-tui run --json`: batch, data_pull, spring_pull, hidden and every other key, line by line."""
    for engine in ENGINES:
        (tmp_path / f"{engine}.toml").write_text(text(model, loss, batch, engine=engine, model_more=model_more))
    py, npy = run_json(tmp_path / "python.toml"), run_json(tmp_path / "numpy.toml")
    assert len(py) == 10 and py[1]["batch"]  # the start, 8 steps, the summary
    assert_same_json(py, npy)


def test_the_force_inspector_reads_the_same_inside():
    """One point a step: the snapshot's inside (what the force inspector draws) holds the same records."""
    py, npy = both("mlp", "hinge", "sgd")
    for _ in range(5):
        a, b = py.step().detail.inside, npy.step().detail.inside
        assert [(p.index, p.point, p.label) for p in a.batch] == [(p.index, p.point, p.label) for p in b.batch]
        assert abs(a.batch[0].score - b.batch[0].score) < 1e-12 and a.batch[0].pull == b.batch[0].pull
        assert len(a.hidden) == len(b.hidden) == 2
        assert all(abs(x - y) < 1e-12 for la, lb in zip(a.hidden, b.hidden) for x, y in zip(la, lb))
        assert list(a.data_pull) == list(b.data_pull) and list(a.spring_pull) == list(b.spring_pull)


@pytest.mark.parametrize("loss", ["hinge", "softmax"])
def test_steps_on_either_side_of_a_switch_go_on_from_the_same_parameters(loss):
    """The numpy engine keeps the parameters in an array of its own: a switch to python hands them to the model."""
    py, npy = both("mlp", loss, "full")
    for _ in range(4):
        py.step(), npy.step()
    npy.retuned("engine")  # to python, after four numpy steps
    for _ in range(3):
        a, b = py.step(), npy.step()
        assert max(abs(a.values[n] - b.values[n]) for n in a.values) < 1e-9
    npy.retuned("engine")  # and back to numpy
    assert_in_step(py, npy, 3)


def test_an_engine_switched_mid_run_keeps_the_parameters_and_the_counts():
    py, npy = both("mlp", "softmax", "full")
    for _ in range(5):
        py.step(), npy.step()
    assert npy.retuned("engine").forward_passes == npy.current.forward_passes  # to python: nothing counted
    assert type(npy.lesson.objective) is type(py.lesson.objective)
    npy.retuned("engine")  # and back to numpy
    assert type(npy.lesson.objective) is NumpyMulticlassObjective
    assert_in_step(py, npy, 5)


@pytest.mark.parametrize("engine_objective", [NumpyClassifierObjective, ClassifierObjective])
def test_a_set_stop_interrupts_evaluate_and_pull(engine_objective):
    s = Session(parse_scenario(text("mlp", "hinge", engine="numpy"), "t.toml"))
    obj = engine_objective(s.lesson.model, s.scenario.spec.points, s.scenario.spec.labels, 0.01)
    obj.batch, obj.stop = [0, 1, 2], threading.Event()
    obj.evaluate(), obj.pull()
    obj.stop.set()
    for call in (obj.evaluate, obj.pull):
        with pytest.raises(Interrupted):
            call()
    assert (obj.forward_passes, obj.backward_passes) == (6, 3)  # nothing counted after the stop


def test_the_engine_key_is_read_and_refused_in_one_line():
    assert parse_scenario(text("mlp", "hinge", engine="numpy"), "t.toml").spec.engine == "numpy"
    assert parse_scenario(text("mlp", "softmax"), "t.toml").spec.engine == "python"  # the default
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text("mlp", "hinge", engine="jax"), "t.toml")
    assert str(e.value) == "t.toml: engine: expected one of python, numpy, got 'jax'"
    circuit = 'title = "c"\nkind = "circuit"\nengine = "numpy"\nexpression = "x*y"\n[inputs]\nx = 1.0\ny = 2.0\n'
    with pytest.raises(ScenarioError) as e:
        parse_scenario(circuit, "c.toml")
    assert (e.value.key, e.value.problem.split(";")[0]) == ("engine", "applies to classifier scenarios only")


def test_with_engine_for_the_cli():
    sc = load_scenario("svm")
    assert with_engine(sc, "numpy").spec.engine == "numpy" and with_engine(sc, "python") is sc
    with pytest.raises(ScenarioError, match="engine: applies to classifier scenarios only"):
        with_engine(load_scenario("neuron"), "numpy")
    with pytest.raises(ScenarioError, match="expected one of python, numpy"):
        with_engine(sc, "torch")


def test_the_vectorized_speed_lesson_runs_as_its_description_says():
    sc = load_scenario("vectorized_speed")
    assert (sc.order, sc.spec.engine, sc.spec.layers, sc.spec.batch, len(sc.spec.points)) == \
        (21, "numpy", (16, 16), "full", 2000)
    s = Session(sc)
    assert (round(s.current.output, 2), s.current.measures["accuracy"]) == (1959.06, 0.5295)
    first = next(snap.step for snap in s.run(sc.steps) if snap.measures["accuracy"] >= 0.9)
    assert first == 462
    last = list(s.run(sc.steps - first))[-1]
    assert (last.step, round(last.output, 2), last.measures["accuracy"]) == (1000, 193.69, 0.9655)
    assert last.forward_passes == last.backward_passes == 1000 * 2000


def test_a_saved_numpy_scenario_reads_back_on_the_numpy_engine():
    from hnn_tui.engine.save import scenario_toml
    sc = parse_scenario(text("net", "softmax", engine="numpy"), "t.toml")
    again = parse_scenario(scenario_toml(sc), "again.toml")
    assert again.spec.engine == "numpy" and again.spec == sc.spec


@pytest.mark.parametrize("model,loss", [("mlp", "squared_hinge"), ("mlp", "softmax")])
def test_a_divergent_run_stops_at_the_same_step_with_the_same_words(model, loss):
    runs = [list(Session(parse_scenario(text(model, loss, engine=e).replace("step_size = 0.1", "step_size = 1e6"),
                                        "t.toml")).run(50)) for e in ENGINES]
    (*_, a), (*_, b) = runs
    assert a.diverged and (a.step, a.diverged) == (b.step, b.diverged)
