"""Initialization schemes (issue 15): uniform (the guide's, unchanged bit for bit), Xavier/Glorot and He, with
fan-in and fan-out per parameter for every model, and the starting bias."""
from __future__ import annotations

import math
import random

import pytest
from cases import classifier_text

from hnn_tui.engine.lessons.regression import make_model as make_regression_model
from hnn_tui.engine.models import MLP, LinearSVM, ReluNet, init_params
from hnn_tui.engine.multiclass_objective import make_class_model
from hnn_tui.engine.scenario import parse_scenario
from hnn_tui.engine.session import Session


def every_model():
    return {"svm": LinearSVM(), "net": ReluNet(3), "mlp": MLP((16, 16)), "class svm": make_class_model("svm", 3),
            "class net": make_class_model("net", 3, hidden=4), "class mlp": make_class_model("mlp", 3, layers=(8,)),
            "line": make_regression_model("line"), "fit net": make_regression_model("net", hidden=5),
            "fit mlp": make_regression_model("mlp", layers=(6, 4))}


def test_fans_per_parameter_are_the_layer_shapes():
    assert LinearSVM().fans == {"a": (2, 1), "b": (2, 1)}
    net = ReluNet(3)
    assert net.fans["a1"] == net.fans["b3"] == (2, 3) and net.fans["a4"] == net.fans["c4"] == (3, 1)
    assert "c1" not in net.fans and "d4" not in net.fans  # biases
    mlp = MLP((16, 8))
    assert (mlp.fans["w1[15,1]"], mlp.fans["w2[7,15]"], mlp.fans["w3[0,7]"]) == ((2, 16), (16, 8), (8, 1))
    assert make_class_model("svm", 4).fans["a3"] == (2, 4)  # one score per class: fan-out K
    assert make_regression_model("line").fans == {"a": (1, 1)}
    assert make_regression_model("net", hidden=5).fans["w2"] == (5, 1)
    for m in every_model().values():  # the weights are exactly the parameters the spring pulls
        assert set(m.fans) == set(m.regularized)


@pytest.mark.parametrize("name", list(every_model()))
def test_the_default_draws_are_unchanged_bit_for_bit(name):
    """uniform in ±scale, one draw per parameter in order, the mlp's biases 0 without a draw: today's stream."""
    model = every_model()[name]
    init_params(model, {model.params[1]: 7.0}, 0.5, random.Random(3))
    r, want = random.Random(3), []
    for i, p in enumerate(model.params):
        want.append(7.0 if i == 1 else 0.0 if p in model.zero_start else (r.random() * 2 - 1) * 0.5)
    assert model.get() == want
    init_params(model, {model.params[1]: 7.0}, 0.5, random.Random(3), "uniform", None)
    assert model.get() == want


def wide():
    return MLP((64, 64))


def layer2(model):
    return [v for p, v in model.values().items() if p.startswith("w2[")]  # 64 x 64 weights, fan (64, 64)


def test_xavier_is_uniform_within_its_bound_with_the_right_spread():
    model = wide()
    init_params(model, None, 0.5, random.Random(1), "xavier")
    w, bound = layer2(model), math.sqrt(6 / (64 + 64))
    n = len(w)
    assert n == 4096 and max(abs(x) for x in w) <= bound and max(abs(x) for x in w) > 0.99 * bound
    var = bound**2 / 3  # of uniform(-b, b); its sample variance has sd sqrt((b^4/5 - var^2) / n)
    mean = sum(w) / n
    assert abs(mean) < 5 * math.sqrt(var / n)
    s2 = sum(x * x for x in w) / n - mean**2
    assert abs(s2 - var) < 5 * math.sqrt((bound**4 / 5 - var**2) / n)
    first = [v for p, v in model.values().items() if p.startswith("w1[")]
    assert max(abs(x) for x in first) <= math.sqrt(6 / (2 + 64))  # each layer by its own fans
    assert all(v == 0.0 for p, v in model.values().items() if p.startswith("b"))


def test_he_is_normal_with_sd_sqrt_2_over_fan_in():
    model = wide()
    init_params(model, None, 0.5, random.Random(2), "he")
    w = layer2(model)
    n, var = len(w), 2 / 64
    mean = sum(w) / n
    assert abs(mean) < 5 * math.sqrt(var / n)
    s2 = sum(x * x for x in w) / n - mean**2
    assert abs(s2 - var) < 5 * math.sqrt(2 * var**2 / n)  # a normal's sample variance: sd sqrt(2 sigma^4 / n)
    assert max(abs(x) for x in w) > 2 * math.sqrt(var)  # a normal's tails, not a uniform's box
    r = random.Random(2)
    first = [r.gauss(0.0, math.sqrt(2 / 2)) for _ in range(2)]  # w1[0,0], w1[0,1] draw first
    assert [model.values()["w1[0,0]"], model.values()["w1[0,1]"]] == first
    assert all(v == 0.0 for p, v in model.values().items() if p.startswith("b"))


@pytest.mark.parametrize("scheme", ["uniform", "xavier", "he"])
@pytest.mark.parametrize("name", list(every_model()))
def test_bias_start_sets_every_bias_and_init_wins(name, scheme):
    model = every_model()[name]
    biases = [p for p in model.params if p not in model.fans]
    init_params(model, {biases[0]: 3.0}, 0.5, random.Random(0), scheme, -0.75)
    v = model.values()
    assert v[biases[0]] == 3.0 and all(v[p] == -0.75 for p in biases[1:])
    if scheme != "uniform":  # no bias_start: biases at 0 whatever the model does under uniform
        init_params(model, None, 0.5, random.Random(0), scheme)
        assert all(model.values()[p] == 0.0 for p in biases)


def test_the_svm_and_nets_biases_are_drawn_under_uniform_only():
    net = ReluNet(3)
    init_params(net, None, 0.5, random.Random(0))
    assert net.values()["c1"] != 0.0  # the guide's net draws its biases
    init_params(net, None, 0.5, random.Random(0), "xavier")
    assert net.values()["c1"] == 0.0 and abs(net.values()["a1"]) <= math.sqrt(6 / 5)


def test_scenario_keys_reach_the_start():
    text = classifier_text(model='init_scheme = "he"\nbias_start = 0.25', data='dataset = "xor"\nn = 20')
    text = text.replace('type = "svm"', 'type = "mlp"\nlayers = [8]')
    sc = parse_scenario(text, "t.toml")
    assert (sc.spec.init_scheme, sc.spec.bias_start) == ("he", 0.25)
    v = Session(sc).current.values
    assert v["b1[0]"] == v["b2[0]"] == 0.25
    r = random.Random(sc.seed)
    assert v["w1[0,0]"] == r.gauss(0.0, 1.0)  # sd sqrt(2 / fan_in), fan_in 2
