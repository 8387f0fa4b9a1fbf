"""The guide's classifiers as circuits: the linear SVM and the 2-layer ReLU net, with their pulls."""
from __future__ import annotations

import random
import string

import numpy as np

from .circuit import Circuit, CircuitBuilder

LOSSES = ("hinge", "squared_hinge")
MAX_HIDDEN = 25  # the guide names output weights a4, b4, c4 ... by letter


def hinge_pull(score: float, label: int, loss: str = "hinge") -> float:
    """The force spec on the score: +1 for a positive under 1, -1 for a negative over -1, else 0."""
    margin = 1.0 - label * score  # > 0 when the margin is violated
    if margin <= 0.0:
        return 0.0
    return float(label) if loss == "hinge" else 2.0 * label * margin  # -d/dscore of max(0, margin)^2


def point_loss(score: float, label: int, loss: str = "hinge") -> float:
    """max(0, 1 - y*score), squared for the squared-hinge SVM."""
    m = max(0.0, 1.0 - label * score)
    return m if loss == "hinge" else m * m


def cost(scores, labels, weights, alpha: float, loss: str = "hinge") -> float:
    """The guide's cost: sum of per-point losses + alpha * sum of squared weights (not biases)."""
    margins = np.maximum(0.0, 1.0 - np.asarray(labels, float) * np.asarray(scores, float))
    data = float(np.sum(margins if loss == "hinge" else margins**2))
    return data + alpha * float(sum(w * w for w in weights))


class Classifier:
    """A score circuit over inputs x, y and named parameters; some parameters feel the spring."""

    kind = ""

    def __init__(self, circuit: Circuit, params: list[str], regularized: list[str], loss: str = "hinge"):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        self.circuit = circuit
        self.params = params
        self.regularized = regularized
        self.loss = loss
        self.x, self.y = circuit.inputs["x"], circuit.inputs["y"]
        self.units = [circuit.inputs[p] for p in params]

    def score(self, x: float, y: float) -> float:
        """One forward pass of the circuit on the point (x, y)."""
        self.x.value, self.y.value = x, y
        return self.circuit.forward()

    def values(self) -> dict[str, float]:
        return {p: u.value for p, u in zip(self.params, self.units)}

    def scores(self, values: dict[str, float], X, Y):
        """Vectorized scores at arrays X, Y for parameter `values` (for charts and reporting)."""
        raise NotImplementedError  # each model below writes its score with numpy

    def predict(self, values, X, Y):
        return np.where(self.scores(values, X, Y) > 0, 1, -1)  # the guide: score > 0 means +1


class LinearSVM(Classifier):
    """score = a*x + b*y + c; the spring pulls on a and b, not on the bias c."""

    kind = "svm"

    def __init__(self, loss: str = "hinge"):
        b = CircuitBuilder()
        x, y = b.input("x"), b.input("y")
        a, bb, c = b.input("a"), b.input("b"), b.input("c")
        ax = b.gate("mul", a, x, label="a*x")
        by = b.gate("mul", bb, y, label="b*y")
        axpby = b.gate("add", ax, by, label="a*x + b*y")
        out = b.gate("add", axpby, c, label="score")
        super().__init__(b.build(out), ["a", "b", "c"], ["a", "b"], loss)

    def scores(self, v, X, Y):
        return v["a"] * np.asarray(X, float) + v["b"] * np.asarray(Y, float) + v["c"]


def net_param_names(hidden: int) -> tuple[list[list[str]], list[str], str]:
    """Hidden neuron i has a{i}, b{i}, c{i}; the top takes a{H+1}, b{H+1}, ... and bias after them."""
    top = hidden + 1
    letters = string.ascii_lowercase
    neurons = [[f"a{i}", f"b{i}", f"c{i}"] for i in range(1, hidden + 1)]
    return neurons, [f"{letters[i]}{top}" for i in range(hidden)], f"{letters[hidden]}{top}"


def param_names(model: str, hidden: int = 3) -> list[str]:
    """Every parameter of a model in the guide's order: a, b, c for the SVM; a1, b1, c1, ... d4 for the net."""
    if model == "svm":
        return ["a", "b", "c"]
    neurons, top_w, top_b = net_param_names(hidden)
    return [p for n in neurons for p in n] + top_w + [top_b]


class ReluNet(Classifier):
    """n_i = max(0, a_i*x + b_i*y + c_i); score = sum of top weights * n_i + bias (guide: 3 neurons)."""

    kind = "net"

    def __init__(self, hidden: int = 3, loss: str = "hinge"):
        if not 1 <= hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden must be between 1 and {MAX_HIDDEN}, got {hidden}")
        self.hidden = hidden
        neurons, top_w, top_b = net_param_names(hidden)
        b = CircuitBuilder()
        x, y = b.input("x"), b.input("y")
        acts = []
        for i, (pa, pb, pc) in enumerate(neurons, start=1):
            s = b.gate("add", b.gate("mul", b.input(pa), x, label=f"{pa}*x"), b.gate("mul", b.input(pb), y, label=f"{pb}*y"))
            acts.append(b.gate("relu", b.gate("add", s, b.input(pc), label=f"pre{i}"), label=f"n{i}"))
        total = b.gate("mul", b.input(top_w[0]), acts[0])
        for w, n in zip(top_w[1:], acts[1:]):
            total = b.gate("add", total, b.gate("mul", b.input(w), n))
        out = b.gate("add", total, b.input(top_b), label="score")
        params = param_names("net", hidden)
        weights = [p for n in neurons for p in n[:2]] + top_w
        super().__init__(b.build(out), params, weights, loss)
        self.neurons, self.top_w, self.top_b = neurons, top_w, top_b

    def scores(self, v, X, Y):
        X, Y = np.asarray(X, float), np.asarray(Y, float)
        total = np.full(np.broadcast(X, Y).shape, v[self.top_b])
        for (pa, pb, pc), w in zip(self.neurons, self.top_w):
            total += v[w] * np.maximum(0.0, v[pa] * X + v[pb] * Y + v[pc])
        return total


def make_model(model: str, hidden: int = 3, loss: str = "hinge") -> Classifier:
    if model == "svm":
        return LinearSVM(loss)
    if model == "net":
        return ReluNet(hidden, loss)
    raise ValueError(f"unknown model {model!r}; expected svm or net")


def init_params(model: Classifier, init: dict[str, float] | None, scale: float, rng: random.Random) -> None:
    """Set parameters from `init`, drawing any it leaves out uniformly in [-scale, scale] (guide: 0.5)."""
    for p, u in zip(model.params, model.units):
        u.value = float(init[p]) if init and p in init else (rng.random() * 2 - 1) * scale


class ClassifierObjective:
    """The objective to increase is minus the loss on a batch: mean point loss + reg/2 * |weights|^2."""

    def __init__(self, model: Classifier, points, labels, reg: float):
        self.model, self.points, self.labels, self.reg = model, points, labels, reg
        self.names = list(model.params)
        self.batch: list[int] = []
        self.forward_passes = self.backward_passes = 0
        self._reg_idx = [model.params.index(p) for p in model.regularized]

    def get(self):
        return [u.value for u in self.model.units]

    def set(self, values):
        for u, v in zip(self.model.units, values):
            u.value = v

    def evaluate(self) -> float:
        m, total = self.model, 0.0
        for i in self.batch:
            x, y = self.points[i]
            total += point_loss(m.score(x, y), self.labels[i], m.loss)
        self.forward_passes += len(self.batch)
        spring = sum(m.units[j].value ** 2 for j in self._reg_idx)
        return -(total / len(self.batch) + 0.5 * self.reg * spring)

    def pull(self) -> list[float]:
        """The guide's forces: the hinge pull backpropagated, averaged, plus the spring -reg * w."""
        m, n = self.model, len(self.batch)
        acc = [0.0] * len(m.units)
        for i in self.batch:
            x, y = self.points[i]
            score = m.score(x, y)
            m.circuit.backward(hinge_pull(score, self.labels[i], m.loss))
            for j, u in enumerate(m.units):
                acc[j] += u.grad
        self.forward_passes += n
        self.backward_passes += n
        grads = [g / n for g in acc]
        for j in self._reg_idx:
            grads[j] += -self.reg * m.units[j].value  # spring: d/dw of -reg/2 * w^2
        return grads
