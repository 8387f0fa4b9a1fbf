"""Scenario files (bundled and broken), the documented cost of every strategy, and Session:
reset, divergence and immutable snapshots."""
from __future__ import annotations

import dataclasses
import math

import pytest

from hnn_tui.engine import Diverged, ScenarioError, Session, bundled_names, load_scenario, parse_scenario
from hnn_tui.engine.scenario import BUNDLED_DIR

REQUIRED = ["single_gate", "two_gates", "neuron", "svm", "neural_net"]
# Trainable parameters per scenario, from the guide: x, y | x, y, z | a, b, c, x, y | a, b, c |
# a1 b1 c1 a2 b2 c2 a3 b3 c3 a4 b4 c4 d4.
PARAMS = {"single_gate": 2, "two_gates": 3, "neuron": 5, "svm": 3, "neural_net": 13}

CIRCUIT = """
title = "a test circuit"
kind = "circuit"
{top}
[circuit]
expression = "{expression}"
inputs = {{ {inputs} }}
{circuit}
[settings]
{settings}
"""


def circuit_text(top="", expression="x * y", inputs="x = -2.0, y = 3.0", circuit="", settings=""):
    return CIRCUIT.format(top=top, expression=expression, inputs=inputs, circuit=circuit, settings=settings)


CLASSIFIER = """
title = "a test classifier"
kind = "classifier"
[model]
type = "svm"
{model}
[data]
{data}
"""


def classifier_text(model="", data='dataset = "guide_svm"'):
    return CLASSIFIER.format(model=model, data=data)


# --- the bundled scenarios ------------------------------------------------------------------------

def test_the_five_lessons_are_bundled_in_order():
    names = bundled_names()
    assert [n for n in names if n in REQUIRED] == REQUIRED
    assert [load_scenario(n).order for n in REQUIRED] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name", sorted(p.stem for p in BUNDLED_DIR.glob("*.toml")))
def test_every_bundled_scenario_loads_and_runs_its_own_steps(name):
    sc = load_scenario(name)
    assert sc.name == name and sc.title and sc.description
    assert load_scenario(BUNDLED_DIR / f"{name}.toml") == sc  # by name or by path: the same file
    s = Session(sc)
    last = s.current
    for last in s.run(sc.steps):
        pass
    assert last.step == sc.steps and last.diverged is None
    assert math.isfinite(last.output) and all(math.isfinite(v) for v in last.values.values())


def expected_cost(strategy, params, batch, steps, centered=False, tries=100):
    """Cumulative (forward, backward) passes the README documents for `steps` steps."""
    if strategy == "random":
        return steps * tries * batch, 0
    if strategy == "numerical":
        return steps * (2 * params if centered else params + 1) * batch, 0
    return steps * batch, steps * batch


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("name", REQUIRED)
def test_cost_of_three_steps(name, strategy, centered):
    s = Session(load_scenario(name), strategy)
    s.settings.centered = centered
    counts = [(sn.forward_passes, sn.backward_passes) for sn in s.run(3)]
    p = PARAMS[name]
    assert len(s.current.values) == p
    assert counts == [expected_cost(strategy, p, 1, k, centered) for k in (1, 2, 3)]
    assert (s.current.grads is None) == (strategy == "random")


@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
def test_cost_of_a_full_batch_is_per_point(strategy):
    # batch = "full": all 6 guide points per step, so every count is multiplied by 6.
    sc = parse_scenario(classifier_text(model='batch = "full"\ninit = { a = 1.0, b = -2.0, c = -1.0 }'), "full.toml")
    s = Session(sc, strategy)
    s.settings.tries = 7
    counts = [(sn.forward_passes, sn.backward_passes) for sn in s.run(3)]
    assert counts == [expected_cost(strategy, 3, 6, k, tries=7) for k in (1, 2, 3)]


def test_full_batch_analytic_step_is_the_mean_pull_plus_the_spring():
    # At a=1, b=-2, c=-1 the six guide points score -1.2, -0.3, 1.8, 0.9, -4.2, 7.1, so the pulls
    # are +1, -1, 0, -1, 0, 0 on points (1.2, 0.7), (-0.3, -0.5), (-0.1, -1.0). By hand:
    # da = (1.2 + 0.3 + 0.1)/6 - 1, db = (0.7 + 0.5 + 1.0)/6 + 2, dc = (1 - 1 - 1)/6.
    sc = parse_scenario(classifier_text(model='batch = "full"\ninit = { a = 1.0, b = -2.0, c = -1.0 }'), "full.toml")
    g = Session(sc).step().grads
    assert g["a"] == pytest.approx(1.6 / 6 - 1, abs=1e-12)
    assert g["b"] == pytest.approx(2.2 / 6 + 2, abs=1e-12)
    assert g["c"] == pytest.approx(-1 / 6, abs=1e-12)


# --- broken scenario text: ScenarioError naming the source and the dotted key ---------------------

BAD = [
    ("not toml", "title = ", ""),
    ("missing kind", 'title = "t"\n', "kind"),
    ("unknown kind", 'title = "t"\nkind = "banana"\n', "kind"),
    ("missing title", 'kind = "circuit"\n', "title"),
    ("typo at the top", circuit_text(top="stpes = 3"), "stpes"),
    ("typo in settings", circuit_text(settings="step_sise = 0.1"), "settings.step_sise"),
    ("typo in circuit", circuit_text(circuit='trainabel = ["x"]'), "circuit.trainabel"),
    ("typo in model", classifier_text(model="rge = 1.0"), "model.rge"),
    ("wrong type", circuit_text(settings='step_size = "big"'), "settings.step_size"),
    ("bool for a number", circuit_text(settings="step_size = true"), "settings.step_size"),
    ("h = 0", circuit_text(settings="h = 0"), "settings.h"),
    ("h < 0", circuit_text(settings="h = -1e-4"), "settings.h"),
    ("nan step", circuit_text(settings="step_size = nan"), "settings.step_size"),
    ("inf step", circuit_text(settings="step_size = inf"), "settings.step_size"),
    ("nan input", circuit_text(inputs="x = nan, y = 3.0"), "circuit.inputs.x"),
    ("tries = 0", circuit_text(settings="tries = 0"), "settings.tries"),
    ("negative steps", circuit_text(top="steps = -1"), "steps"),
    ("unknown strategy", circuit_text(top='strategy = "genetic"'), "strategy"),
    ("label 0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 0]"), "data.labels[1]"),
    ("label 1.0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1.0, -1]"), "data.labels[0]"),
    ("label count", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1]"), "data.labels"),
    ("one class", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 1]"), "data.labels"),
    ("bad point", classifier_text(data='points = [[1, 2], [3, "x"]]\nlabels = [1, -1]'), "data.points[1]"),
    ("no points", classifier_text(data="points = []\nlabels = []"), "data.points"),
    ("unknown dataset", classifier_text(data='dataset = "mnist"'), "data.dataset"),
    ("unknown model", classifier_text().replace('"svm"', '"forest"'), "model.type"),
    ("hidden 0", classifier_text(model="hidden = 0"), "model.hidden"),
    ("import", circuit_text(expression="__import__('os')"), "circuit.expression"),
    ("attribute", circuit_text(expression="x.y * 2"), "circuit.expression"),
    ("missing input value", circuit_text(expression="x * y * z"), "circuit.inputs"),
    ("input not in expression", circuit_text(inputs="x = 1.0, y = 2.0, w = 3.0"), "circuit.inputs"),
    ("trainable unknown", circuit_text(circuit='trainable = ["w"]'), "circuit.trainable"),
    ("trainable empty", circuit_text(circuit="trainable = []"), "circuit.trainable"),
    # A list entry is not a name; a broken wire is in circuit.wires, not the expression; init
    # names a parameter the SVM does not have (a, b, c): each must be refused at its own key.
    ("trainable not a name", circuit_text(circuit='trainable = [["x"]]'), "circuit.trainable"),
    ("bad wire sub-expression", circuit_text(circuit='wires = { q = "x +" }'), "circuit.wires.q"),
    ("typo in init", classifier_text(model="init = { a = 1.0, bb = -2.0 }"), "model.init.bb"),
    ("a wire label that is an input's name", circuit_text(expression="(x + y) * z", inputs="x = 1.0, y = 2.0, z = 3.0",
                                                           circuit='wires = { x = "y * z" }'), "circuit.wires.x"),
    ("two labels for one wire", circuit_text(expression="(x + y) * z", inputs="x = 1.0, y = 2.0, z = 3.0",
                                             circuit='wires = { q = "x + y", p = "x+y" }'), "circuit.wires.p"),
    ("hidden on an svm", classifier_text(model="hidden = 4"), "model.hidden"),
    ("layers on an svm", classifier_text(model="layers = [8]"), "model.layers"),
]


@pytest.mark.parametrize("why,text,key", BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_names_the_source_and_the_key(why, text, key):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "lessons/bad.toml")
    assert e.value.source == "lessons/bad.toml"
    assert e.value.key == key
    prefix = f"lessons/bad.toml: {key}: " if key else "lessons/bad.toml: "
    assert str(e.value).startswith(prefix)
    assert e.value.problem and "\n" not in e.value.problem.strip()


def test_the_readme_error_example():
    # scenarios/README.md: `my.toml: settings.h: expected a number greater than 0, got 0`
    with pytest.raises(ScenarioError) as e:
        parse_scenario(circuit_text(settings="h = 0"), "my.toml")
    assert str(e.value) == "my.toml: settings.h: expected a number greater than 0, got 0"


def test_defaults_of_a_minimal_scenario():
    sc = parse_scenario(circuit_text(), "min.toml")
    assert (sc.name, sc.strategy, sc.steps, sc.seed, sc.order) == ("min", "analytic", 1, 0, 1000)
    assert (sc.settings.step_size, sc.settings.h, sc.settings.centered, sc.settings.tweak, sc.settings.tries) == \
        (0.01, 1e-4, False, 0.01, 100)
    assert sc.trainable == ("x", "y")


def test_load_a_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario or file") as e:
        load_scenario(tmp_path / "nope.toml")
    assert e.value.source == str(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="single_gate") as e:  # lists what is bundled
        load_scenario("no_such_lesson")
    assert e.value.source == "no_such_lesson"


def test_load_a_folder(tmp_path):
    with pytest.raises(ScenarioError, match="folder"):
        load_scenario(tmp_path)


def test_load_an_empty_file(tmp_path):
    p = tmp_path / "empty.toml"
    p.write_text("  \n\n")
    with pytest.raises(ScenarioError, match="empty") as e:
        load_scenario(p)
    assert e.value.source == str(p)


def test_load_a_binary_file(tmp_path):
    p = tmp_path / "binary.toml"
    p.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ScenarioError, match="not a text file") as e:
        load_scenario(p)
    assert e.value.source == str(p)


def test_load_a_broken_file_names_it(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text(circuit_text(settings="h = 0"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert (e.value.source, e.value.key) == (str(p), "settings.h")


def test_load_your_own_file(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(circuit_text(top="steps = 7"))
    sc = load_scenario(str(p))
    assert (sc.name, sc.steps, sc.source) == ("mine", 7, str(p))


# --- Session --------------------------------------------------------------------------------------

def state(snap):
    return snap.to_dict(), snap.wires, snap.accuracy, snap.diverged


@pytest.mark.parametrize("name,strategy", [("neural_net", "analytic"), ("single_gate", "random"),
                                           ("svm", "numerical"), ("neuron", "analytic")])
def test_reset_restores_the_start_exactly(name, strategy):
    s = Session(load_scenario(name), strategy)
    start = state(s.current)
    first = [state(sn) for sn in s.run(50)]
    assert first[-1][0]["step"] == 50 and first[-1] != start
    again = s.reset()
    assert state(again) == start and s.current is again
    assert (again.step, again.forward_passes, again.backward_passes) == (0, 0, 0)
    second = [state(sn) for sn in s.run(50)]
    assert second == first  # same values, counters and random stream


def test_the_seed_changes_the_random_stream():
    a = [state(sn) for sn in Session(load_scenario("single_gate"), seed=1).run(5)]
    b = [state(sn) for sn in Session(load_scenario("single_gate"), seed=2).run(5)]
    c = [state(sn) for sn in Session(load_scenario("single_gate"), seed=1).run(5)]
    assert a == c and a != b


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError):
        Session(load_scenario("neuron"), "genetic")
    s = Session(load_scenario("neuron"))
    with pytest.raises(ValueError):
        s.set_strategy("genetic")
    s.set_strategy("numerical")
    assert s.step().strategy == "numerical"


def test_divergence_with_a_huge_step():
    # x*y at (-2, 3) with step 1e300: x -> 3e300, y -> -2e300, and their product overflows to -inf.
    s = Session(parse_scenario(circuit_text(settings="step_size = 1e300"), "huge.toml"))
    snap = s.step()
    assert snap.diverged is not None
    assert "step 1" in snap.diverged and "wire 'x * y'" in snap.diverged
    with pytest.raises(Diverged):
        s.step()
    s.reset()
    assert s.current.diverged is None
    assert [sn.step for sn in s.run(10)] == [1]  # run stops after the divergent step


def test_divergence_of_exp():
    # exp(x) from x = 1 with step 100: step 1 moves x by 100*e to 272.8 (exp of it is 1.1e118,
    # still finite); step 2 moves x by 100*1.1e118 and exp overflows to inf.
    s = Session(parse_scenario(circuit_text(expression="exp(x)", inputs="x = 1.0", settings="step_size = 100"),
                               "exp.toml"))
    one = s.step()
    assert one.diverged is None and one.values["x"] == pytest.approx(1 + 100 * math.e, rel=1e-12)
    two = s.step()
    assert "step 2" in two.diverged and "wire 'exp(x)'" in two.diverged
    with pytest.raises(Diverged, match="step 2"):
        s.step()


def test_divergence_of_a_classifier():
    s = Session(parse_scenario(classifier_text(model="init = { a = 1.0, b = -2.0, c = -1.0 }")
                               + "[settings]\nstep_size = 1e300\n", "svm_huge.toml"))
    snaps = list(s.run(20))
    assert snaps[-1].diverged is not None and all(sn.diverged is None for sn in snaps[:-1])
    assert f"step {snaps[-1].step}" in snaps[-1].diverged
    with pytest.raises(Diverged):
        s.step()


def test_snapshots_are_immutable():
    s = Session(load_scenario("two_gates"))
    snap = s.step()
    before = state(snap)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.step = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.output = 0.0
    with pytest.raises(TypeError):
        snap.values["x"] = 1.0
    with pytest.raises(TypeError):
        snap.grads["x"] = 1.0
    with pytest.raises(TypeError):
        snap.wires[0] = ("x", 0.0, 0.0)
    s.settings.step_size = 1.0
    s.step()
    s.reset()
    assert state(snap) == before  # later steps and a reset do not reach into an old snapshot
    d = snap.to_dict()
    d["values"]["x"] = 99.0
    assert snap.values["x"] != 99.0


# --- classifiers: the pull is minus the gradient of the objective, and the cost is N times it -----

def moons_text(model, loss):
    return f"""
title = "moons"
kind = "classifier"
seed = 4
[model]
type = "{model}"
loss = "{loss}"
batch = "full"
reg = 0.5
[data]
dataset = "moons"
n = 40
"""


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("model", ["svm", "net"])
def test_classifier_pull_matches_the_numerical_gradient_of_the_objective(model, loss):
    # Same start (same seed), full batch: backprop's pull against the centered difference of the
    # objective the numerical strategy probes. Away from hinge and ReLU kinks they agree closely.
    sc = parse_scenario(moons_text(model, loss), "moons.toml")
    analytic = Session(sc, "analytic").step().grads
    numerical_session = Session(sc, "numerical")
    numerical_session.settings.centered = True
    numerical = numerical_session.step().grads
    assert set(analytic) == set(numerical) and len(analytic) == (3 if model == "svm" else 13)
    for name in analytic:
        assert analytic[name] == pytest.approx(numerical[name], abs=1e-6), name


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("model", ["svm", "net"])
def test_cost_is_n_times_the_full_batch_objective(model, loss):
    # scenarios/README.md: the cost shown is sum of losses + alpha * sum w^2 with alpha = reg * N / 2,
    # "exactly N times the full-batch objective".
    sc = parse_scenario(moons_text(model, loss), "moons.toml")
    s = Session(sc)
    obj = s.objective
    obj.batch = list(range(len(sc.labels)))
    assert s.alpha == 0.5 * 40 / 2
    assert s.current.output == pytest.approx(-len(sc.labels) * obj.evaluate(), rel=1e-12)


@pytest.mark.parametrize("model", ["svm", "net"])
def test_vectorized_scores_match_the_circuit(model):
    sc = parse_scenario(moons_text(model, "hinge"), "moons.toml")
    s = Session(sc)
    m = s.model
    xs = [p[0] for p in sc.points]
    ys = [p[1] for p in sc.points]
    scores = m.scores(m.values(), xs, ys)
    assert list(scores) == pytest.approx([m.score(x, y) for x, y in sc.points], rel=1e-12, abs=1e-12)
    accuracy = sum((sc_ > 0) == (label > 0) for sc_, label in zip(scores, sc.labels)) / len(sc.labels)
    assert s.current.accuracy == pytest.approx(accuracy)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
@pytest.mark.parametrize("name", REQUIRED)
def test_a_session_knows_what_its_next_step_will_cost(name, strategy, centered):
    # The app uses this to keep costly steps off the UI thread; it must match what a step counts.
    s = Session(load_scenario(name), strategy)
    s.settings.centered = centered
    for _ in range(2):
        expected = s.forward_passes_per_step()
        before = s.current.forward_passes
        assert s.step().forward_passes - before == expected


def test_a_full_batch_step_costs_every_point():
    sc = dataclasses.replace(load_scenario("svm"), batch="full")
    s = Session(sc, "numerical")
    assert s.forward_passes_per_step() == 6 * (3 + 1)
    assert s.step().forward_passes == 24
