"""The guide's classifiers: the linear SVM and the 2-layer ReLU net as circuits, and an mlp of vector gates."""
from __future__ import annotations

import string
from operator import mul

import numpy as np

from .circuit import Circuit, CircuitBuilder
from .initialization import init_params  # noqa: F401  (how every model starts; imported from here too)
from .vectors import Linear, Vec, VecRelu

MODELS = ("svm", "net", "mlp")
MAX_HIDDEN = 25  # the guide names output weights a4, b4, c4 ... by letter
MAX_LAYERS, MAX_WIDTH = 4, 64  # the mlp's hidden layers


class Classifier:
    """A score over the inputs x, y and named parameters; the `regularized` ones feel the spring."""

    kind = ""
    params: list[str]
    regularized: list[str]
    zero_start: frozenset[str] = frozenset()  # parameters that start at 0 instead of a random draw
    fans: dict[str, tuple[int, int]]  # each weight's (fan_in, fan_out): its neuron's inputs, its layer's neurons

    def get(self) -> list[float]:
        raise NotImplementedError  # every model below keeps its parameters its own way

    def set(self, values) -> None:
        raise NotImplementedError

    def score(self, x: float, y: float) -> float:
        """One forward pass on the point (x, y)."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        raise NotImplementedError

    def backward(self, pull: float) -> None:
        """Backprop `pull` on the score of the last point scored; parameter grads add up until zero_grad()."""
        raise NotImplementedError

    def grads(self) -> list[float]:
        raise NotImplementedError

    def scorer(self):
        """A pure function (values, X, Y) -> scores over numpy arrays: for charts and reporting, not training."""
        raise NotImplementedError  # each model writes its score with numpy

    def values(self) -> dict[str, float]:
        return dict(zip(self.params, self.get()))

    def scores(self, values: dict[str, float], X, Y):
        return self.scorer()(values, X, Y)


class CircuitClassifier(Classifier):
    """A model drawn as the guide draws it: a circuit of scalar gates with x, y and every parameter as inputs."""

    def __init__(self, circuit: Circuit, params: list[str], regularized: list[str]):
        self.circuit, self.params, self.regularized = circuit, params, regularized
        self.x, self.y = circuit.inputs["x"], circuit.inputs["y"]
        self.units = [circuit.inputs[p] for p in params]
        self._acc = [0.0] * len(params)

    def get(self) -> list[float]:
        return [u.value for u in self.units]

    def set(self, values) -> None:
        for u, v in zip(self.units, values):
            u.value = v

    def score(self, x: float, y: float) -> float:
        self.x.value, self.y.value = x, y
        return self.circuit.forward()

    def zero_grad(self) -> None:
        self._acc = [0.0] * len(self.params)

    def backward(self, pull: float) -> None:
        self.circuit.propagate(pull)  # the parameters' grads are read off their units below
        self._acc = [a + u.grad for a, u in zip(self._acc, self.units)]

    def grads(self) -> list[float]:
        return list(self._acc)


class LinearSVM(CircuitClassifier):
    """score = a*x + b*y + c; the spring pulls on a and b, not on the bias c."""

    kind = "svm"

    def __init__(self):
        b = CircuitBuilder()
        x, y = b.input("x"), b.input("y")
        a, bb, c = b.input("a"), b.input("b"), b.input("c")
        ax = b.gate("mul", a, x, label="a*x")
        by = b.gate("mul", bb, y, label="b*y")
        axpby = b.gate("add", ax, by, label="a*x + b*y")
        out = b.gate("add", axpby, c, label="score")
        super().__init__(b.build(out), ["a", "b", "c"], ["a", "b"])
        self.fans = {"a": (2, 1), "b": (2, 1)}

    def scorer(self):
        return linear_scores


def linear_scores(v, X, Y):
    return v["a"] * np.asarray(X, float) + v["b"] * np.asarray(Y, float) + v["c"]


def net_param_names(hidden: int) -> tuple[list[list[str]], list[str], str]:
    """Hidden neuron i has a{i}, b{i}, c{i}; the top takes a{H+1}, b{H+1}, ... and bias after them."""
    top = hidden + 1
    letters = string.ascii_lowercase
    neurons = [[f"a{i}", f"b{i}", f"c{i}"] for i in range(1, hidden + 1)]
    return neurons, [f"{letters[i]}{top}" for i in range(hidden)], f"{letters[hidden]}{top}"


def mlp_param_names(layers, n_in: int = 2, n_out: int = 1) -> list[str]:
    """Layer k's neuron i has weights w{k}[i,j] and then its bias b{k}[i] (micrograd's order)."""
    sizes, names = [n_in, *layers, n_out], []
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        for i in range(n_out):
            names += [f"w{k}[{i},{j}]" for j in range(n_in)] + [f"b{k}[{i}]"]
    return names


def param_names(model: str, hidden: int = 3, layers=(16, 16)) -> list[str]:
    """Every parameter of a model in the guide's order: a, b, c for the SVM; a1, b1, c1, ... d4 for the net."""
    if model == "svm":
        return ["a", "b", "c"]
    if model == "mlp":
        return mlp_param_names(layers)
    neurons, top_w, top_b = net_param_names(hidden)
    return [p for n in neurons for p in n] + top_w + [top_b]


class ReluNet(CircuitClassifier):
    """n_i = max(0, a_i*x + b_i*y + c_i); score = sum of top weights * n_i + bias (guide: 3 neurons)."""

    kind = "net"

    def __init__(self, hidden: int = 3):
        if not 1 <= hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden must be between 1 and {MAX_HIDDEN}, got {hidden}")
        self.hidden = hidden
        neurons, top_w, top_b = net_param_names(hidden)
        b = CircuitBuilder()
        x, y = b.input("x"), b.input("y")
        acts = []
        for i, (pa, pb, pc) in enumerate(neurons, start=1):
            ax = b.gate("mul", b.input(pa), x, label=f"{pa}*x")
            s = b.gate("add", ax, b.gate("mul", b.input(pb), y, label=f"{pb}*y"))
            acts.append(b.gate("relu", b.gate("add", s, b.input(pc), label=f"pre{i}"), label=f"n{i}"))
        total = b.gate("mul", b.input(top_w[0]), acts[0])
        for w, n in zip(top_w[1:], acts[1:]):
            total = b.gate("add", total, b.gate("mul", b.input(w), n))
        out = b.gate("add", total, b.input(top_b), label="score")
        params = param_names("net", hidden)
        weights = [p for n in neurons for p in n[:2]] + top_w
        super().__init__(b.build(out), params, weights)
        self.neurons, self.top_w, self.top_b = neurons, top_w, top_b
        self.fans = {p: (2, hidden) for n in neurons for p in n[:2]} | {w: (hidden, 1) for w in top_w}

    def scorer(self):
        neurons, top_w, top_b = self.neurons, self.top_w, self.top_b

        def net_scores(v, X, Y):
            X, Y = np.asarray(X, float), np.asarray(Y, float)
            total = np.full(np.broadcast(X, Y).shape, v[top_b])
            for (pa, pb, pc), w in zip(neurons, top_w):
                total += v[w] * np.maximum(0.0, v[pa] * X + v[pb] * Y + v[pc])
            return total
        return net_scores


class MLP(Classifier):
    """ReLU layers of vector neurons, 2 -> layers -> 1 (micrograd's MLP(2, [16, 16, 1])); biases start at 0.
    `n_in` inputs (2: x and y; 1: x alone) and `n_out` outputs (one score per class) generalize it; `names` gives
    the parameters other names, in the same order (each neuron's weights, then its bias, layer by layer).

    Dropout: while `mask` holds one list of multipliers per hidden layer, each hidden unit's ReLU output is
    multiplied by its own (out_i = m_i * relu_i) in the forward pass, and its pull by the same m_i going back
    (d out_i / d relu_i = m_i); None (the default) is the full net."""

    kind = "mlp"

    def __init__(self, layers=(16, 16), n_in: int = 2, n_out: int = 1, names: list[str] | None = None):
        self.layers, self.n_in, self.n_out = tuple(layers), n_in, n_out
        if not len(self.layers) <= MAX_LAYERS or not all(1 <= n <= MAX_WIDTH for n in self.layers) or \
                (not self.layers and names is None):
            raise ValueError(f"layers must be 1 to {MAX_LAYERS} sizes from 1 to {MAX_WIDTH}, got {list(layers)}")
        sizes = [n_in, *self.layers, n_out]
        self.xy = Vec([0.0] * n_in, "x, y" if n_in == 2 else "x")
        self.gates, self.rows, self.biases = [], [], []
        wire = self.xy
        for k, (a, b_) in enumerate(zip(sizes, sizes[1:]), start=1):
            rows, b = [Vec([0.0] * a, f"w{k}[{i}]") for i in range(b_)], Vec([0.0] * b_, f"b{k}")
            self.rows.append(rows)
            self.biases.append(b)
            self.gates.append(Linear(wire, rows, b, label=f"layer {k}", pull_input=k > 1))
            wire = self.gates[-1].utop
            if k < len(sizes) - 1:  # the last layer is the score: no ReLU on it
                self.gates.append(VecRelu(wire, label=f"relu {k}"))
                wire = self.gates[-1].utop
        self.out, self.wires = wire, [self.xy] + [g.utop for g in self.gates]
        self.params = list(names) if names is not None else mlp_param_names(self.layers, n_in, n_out)
        is_bias = [j == a for a, b_ in zip(sizes, sizes[1:]) for _ in range(b_) for j in range(a + 1)]
        if len(self.params) != len(is_bias):
            raise ValueError(f"{len(self.params)} names for {len(is_bias)} parameters")
        self.regularized = [p for p, bias in zip(self.params, is_bias) if not bias]
        self.zero_start = frozenset(p for p, bias in zip(self.params, is_bias) if bias)
        fans = [(a, b_) for a, b_ in zip(sizes, sizes[1:]) for _ in range(b_) for _ in range(a + 1)]
        self.fans = {p: f for p, f, bias in zip(self.params, fans, is_bias) if not bias}
        self.mask: list[list[float]] | None = None  # dropout's multipliers, one list per hidden layer

    def _flat(self, attr: str) -> list[float]:
        """Weights or grads (attr) of every neuron, then its bias, layer by layer."""
        out = []
        for rows, b in zip(self.rows, self.biases):
            for w, bi in zip(rows, getattr(b, attr)):
                out += getattr(w, attr)
                out.append(bi)
        return out

    def get(self) -> list[float]:
        return self._flat("values")

    def set(self, values) -> None:
        it = iter(values)
        for rows, b in zip(self.rows, self.biases):
            b_values = []
            for w in rows:
                w.values = [float(next(it)) for _ in w.values]
                b_values.append(float(next(it)))
            b.values = b_values

    def _forward(self) -> None:
        mask = self.mask
        if mask is None:
            for g in self.gates:
                g.forward()
            return
        k = 0
        for g in self.gates:
            g.forward()
            if g.name == "relu":  # dropout: out_i = m_i * relu_i
                g.utop.values = list(map(mul, g.utop.values, mask[k]))
                k += 1

    def score(self, x: float, y: float) -> float:
        self.xy.values = [x, y]
        self._forward()
        return self.out.values[0]

    def outputs(self, inputs) -> list[float]:
        """One forward pass on `inputs` (n_in numbers): every output (a score per class)."""
        self.xy.values = [float(v) for v in inputs]
        self._forward()
        return list(self.out.values)

    def zero_grad(self) -> None:
        for rows, b in zip(self.rows, self.biases):
            for w in rows:
                w.zero_grad()
            b.zero_grad()

    def backward(self, pull: float) -> None:
        self.backward_all([pull])

    def backward_all(self, pulls) -> None:
        """Backprop a pull on each output of the last forward pass; parameter grads add up until zero_grad()."""
        for wire in self.wires:  # the wires start clean for each point; the parameters keep adding up
            wire.zero_grad()
        self.out.grads = [float(p) for p in pulls]
        mask, k = self.mask, len(self.layers)
        for g in reversed(self.gates):
            if mask is not None and g.name == "relu":  # dropout: d out_i / d relu_i = m_i
                k -= 1
                g.utop.grads = list(map(mul, g.utop.grads, mask[k]))
            g.backward()

    def grads(self) -> list[float]:
        return self._flat("grads")

    def matrices(self, flat) -> list:
        """Parameters in get() order as one (W, b) pair of numpy arrays per layer."""
        return mlp_matrices(self.layers, flat, self.n_in, self.n_out)

    def scorer(self):
        """(values, X, Y) -> scores for 2 inputs and 1 output, as every binary model; with n_out > 1 the scores
        gain a last axis (one per class); with n_in == 1, (values, X) -> outputs (Y is not taken)."""
        layers, params, n_in, n_out = self.layers, list(self.params), self.n_in, self.n_out

        def mlp_scores(v, X, Y=None):
            inputs = [np.asarray(X, float)] if n_in == 1 else np.broadcast_arrays(np.asarray(X, float),
                                                                                  np.asarray(Y, float))
            h, matrices = np.stack(inputs, axis=-1), mlp_matrices(layers, [v[p] for p in params], n_in, n_out)
            for k, (W, b) in enumerate(matrices, start=1):
                h = h @ W.T + b
                if k < len(matrices):
                    h = np.maximum(0.0, h)
            return h[..., 0] if n_out == 1 else h
        return mlp_scores


def mlp_matrices(layers, flat, n_in: int = 2, n_out: int = 1) -> list:
    """An mlp's parameters in get() order as one (W, b) pair of numpy arrays per layer."""
    sizes, out, at = [n_in, *layers, n_out], [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        Wb = np.array(flat[at:at + n_out * (n_in + 1)], float).reshape(n_out, n_in + 1)
        at += n_out * (n_in + 1)
        out.append((Wb[:, :n_in].copy(), Wb[:, n_in].copy()))
    return out


def make_model(model: str, hidden: int = 3, layers=(16, 16)) -> Classifier:
    if model == "svm":
        return LinearSVM()
    if model == "net":
        return ReluNet(hidden)
    if model == "mlp":
        return MLP(layers)
    raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
