"""The mlp of vector gates is right (against a naive autograd and a numerical gradient) and stays fast.

The speed checks are ratios measured in the same test, best of several runs, with wide margins: they
catch an engine that got 5x slower, not a busy CI machine. Absolute times live in benchmarks/.
"""
from __future__ import annotations

import gc
import math
import random
import time
from pathlib import Path

import pytest

from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.expression import build_circuit
from hnn_tui.engine.models import MLP, init_params
from hnn_tui.engine.objectives import ClassifierObjective

MOONS = Path(__file__).resolve().parents[2] / "benchmarks" / "moons_mlp.toml"


class V:
    """A naive scalar autograd value (micrograd's design): the graph is built anew for every point."""

    def __init__(self, data, children=()):
        self.data, self.grad, self._prev, self._backward = data, 0.0, children, lambda: None

    def __add__(self, other):
        other = other if isinstance(other, V) else V(other)
        out = V(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, V) else V(other)
        out = V(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = V(self.data if self.data > 0 else 0.0, (self,))

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if id(v) not in seen:
                seen.add(id(v))
                for c in v._prev:
                    build(c)
                topo.append(v)
        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def naive_pull(params: list[float], layers, points, labels) -> list[float]:
    """The mean hinge loss's gradient by the naive autograd: sizes 2 -> layers -> 1, micrograd's order."""
    ps = [V(p) for p in params]
    it = iter(ps)
    sizes = [2, *layers, 1]
    net = [[([next(it) for _ in range(n_in)], next(it)) for _ in range(n_out)] for n_in, n_out in zip(sizes, sizes[1:])]
    total = V(0.0)
    for (x, y), label in zip(points, labels):
        h = [V(x), V(y)]
        for k, layer in enumerate(net):
            h = [sum((w * xi for w, xi in zip(ws, h)), b) for ws, b in layer]
            if k < len(net) - 1:
                h = [v.relu() for v in h]
        total = total + (h[0] * (-label) + 1.0).relu()
    (total * (1.0 / len(points))).backward()
    return [p.grad for p in ps]


def small_problem(layers=(4, 3), n=12, seed=3):
    rng = random.Random(seed)
    points = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(n)]
    labels = [1 if x * y > 0 else -1 for x, y in points]
    model = MLP(layers)
    init_params(model, None, 1.0, random.Random(seed))
    return model, points, labels


def test_mlp_gradient_matches_a_naive_autograd():
    model, points, labels = small_problem()
    obj = ClassifierObjective(model, points, labels, reg=0.0)
    obj.batch = list(range(len(points)))
    ours = obj.pull()
    theirs = naive_pull(model.get(), model.layers, points, labels)
    assert all(math.isclose(-a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(ours, theirs))


def test_mlp_gradient_matches_the_numerical_gradient():
    model, points, labels = small_problem(layers=(5,))
    obj = ClassifierObjective(model, points, labels, reg=0.01)
    obj.batch = list(range(len(points)))
    analytic, x0, h = obj.pull(), obj.get(), 1e-6
    for i in range(len(x0)):
        probe = list(x0)
        probe[i] += h
        obj.set(probe)
        up = obj.evaluate()
        probe[i] -= 2 * h
        obj.set(probe)
        numeric = (up - obj.evaluate()) / (2 * h)
        assert abs(numeric - analytic[i]) < 1e-5, obj.names[i]
    obj.set(x0)


def test_mlp_scores_agree_with_the_circuit():
    model, points, _ = small_problem()
    v = model.values()
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert all(math.isclose(a, model.score(x, y), abs_tol=1e-12) for a, x, y in zip(model.scores(v, xs, ys), xs, ys))


def test_micrograd_demo_scenario_trains_with_its_schedule():
    session = Session(load_scenario(MOONS))
    assert session.lesson.model.get()[2] == 0.0  # the first neuron's bias starts at zero, as in micrograd
    assert session.scheduled().step_size == 1.0
    last = list(session.run(100))[-1]
    assert session.scheduled().step_size == pytest.approx(0.1)
    assert last.measures["accuracy"] >= 0.95


def best_of(fn, repeat: int = 5) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_analytic_step_stays_far_faster_than_a_naive_autograd(no_gc):
    """The same gradient on the same 30 points (all pulling): ~20x faster today; fails below 8x (a 5x slowdown)."""
    session = Session(load_scenario(MOONS))
    obj = session.lesson.objective
    obj.batch = list(range(30))
    spec = session.scenario.spec
    points, labels = [spec.points[i] for i in obj.batch], [spec.labels[i] for i in obj.batch]
    params = obj.get()
    ours = best_of(obj.pull, 7)
    naive = best_of(lambda: naive_pull(params, (16, 16), points, labels), 3)
    assert naive / ours > 8, f"analytic pull only {naive / ours:.1f}x a naive autograd (expected ~20x)"


def test_backward_costs_about_a_forward(no_gc):
    """The guide: backprop costs about as much as the forward pass. Today ~1.8-2x; fails above 4x."""
    session = Session(load_scenario(MOONS))
    model, pts = session.lesson.model, session.scenario.spec.points

    def forward():
        for x, y in pts:
            model.score(x, y)

    def forward_backward():
        for x, y in pts:
            model.score(x, y)
            model.backward(1.0)
    f = best_of(forward, 7)
    ratio = (best_of(forward_backward, 7) - f) / f
    assert ratio < 4, f"mlp backward / forward = {ratio:.1f}"

    c = build_circuit("sigmoid(a*x + b*y + c)", dict(a=1.0, b=2.0, c=-3.0, x=-1.0, y=3.0), {})

    def many(fn):
        return lambda: [fn() for _ in range(2000)]
    ratio = best_of(many(c.backward), 7) / best_of(many(c.forward), 7)
    assert ratio < 4, f"neuron backward / forward = {ratio:.1f}"
