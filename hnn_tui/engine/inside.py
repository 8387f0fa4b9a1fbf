"""Inside a classifier's step: which points pulled how hard, the data's part and the spring's part of the pull,
the hidden neurons (what each computes, which are dead). Frozen records for the snapshot, pure functions for a panel.

Hidden neurons are named "n1".."nH" for the net (the guide's) and "h{layer}[{i}]" for the mlp (layer from 1).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from .models import Classifier, mlp_matrices
from .snapshot import EMPTY
from .vectors import VecRelu


class ForcePoint(NamedTuple):
    """One point of a step's batch: its score before the step and the pull the force specification put on it.
    (A NamedTuple: immutable, and a full batch makes one per point per step, cheaply.)"""

    index: int  # into the training data
    point: tuple[float, float]
    label: int  # +1 / -1
    score: float  # at the parameters before the step
    pull: float  # hinge: the label if label * score < 1, else 0 (objectives.hinge_pull)


@dataclass(frozen=True)
class Inside:
    """What one analytic step did: its batch, and its pull split so that grads == data_pull + spring_pull."""

    batch: tuple[ForcePoint, ...]
    data_pull: Mapping[str, float]  # the batch's pulls backpropagated and averaged (g / n)
    spring_pull: Mapping[str, float]  # -reg * w on the regularized parameters, 0.0 on the others
    hidden: tuple[tuple[float, ...], ...] | None  # one-point step: that point's hidden outputs, layer by layer


@dataclass(frozen=True)
class ClassifierDetail:
    """A classifier snapshot's detail: the step's inside (None unless an analytic step) and the dead neurons."""

    inside: Inside | None = None
    dead: tuple[str, ...] | None = None  # hidden neurons whose ReLU is 0 on every training point; None: the svm
    dead_since: Mapping[str, int] = field(default_factory=lambda: EMPTY)  # neuron -> first step of its dead run
    val_accuracy: float | None = None  # on the held-out points (`[data] validation`); None without any
    val_cost: float | None = None  # the mean point loss on the held-out points, no spring (see engine.heldout)


def record_pull(names, batch: list[ForcePoint], data: list[float], spring: list[float], hidden) -> Inside:
    """Freeze what ClassifierObjective.pull did."""
    return Inside(tuple(batch), MappingProxyType(dict(zip(names, data))), MappingProxyType(dict(zip(names, spring))),
                  hidden)


# ---- the hidden neurons: names, the last point's outputs, and every layer over numpy arrays ---------------

def hidden_names(model: Classifier) -> tuple[tuple[str, ...], ...]:
    """The hidden neurons' names, layer by layer: ((n1, n2, n3),) for the net, () for the svm."""
    if model.kind == "net":
        return (tuple(f"n{i}" for i in range(1, model.hidden + 1)),)
    if model.kind == "mlp":
        return tuple(tuple(f"h{k}[{i}]" for i in range(n)) for k, n in enumerate(model.layers, start=1))
    return ()


def hidden_reader(model: Classifier) -> Callable[[], tuple | None]:
    """A function giving the hidden outputs of the point the model scored last, layer by layer (None: the svm)."""
    if model.kind == "net":
        units = [g.utop for g in model.circuit.gates if g.name == "relu"]  # n1..nH, built in that order
        return lambda: (tuple(u.value for u in units),)
    if model.kind == "mlp":
        wires = [g.utop for g in model.gates if isinstance(g, VecRelu)]
        return lambda: tuple(tuple(w.values) for w in wires)
    return lambda: None


def forward_fn(model: Classifier) -> Callable:
    """A pure function (values, X, Y) -> (scores, [(pre, out), ...]): the model's scores, bit for bit those of its
    scorer (the same numpy operations in the same order), and on the way each hidden layer's pre-activations and
    ReLU outputs, arrays of shape X.shape + (width,). One pass gives a snapshot its cost and its dead neurons."""
    if model.kind == "net":
        abc = [p for neuron in model.neurons for p in neuron]  # a1, b1, c1, a2, ...
        top_w, top_b = list(model.top_w), model.top_b

        def net_forward(v, X, Y):
            X, Y = np.asarray(X, float)[..., None], np.asarray(Y, float)[..., None]  # a column: one row per point
            W = np.array([v[p] for p in abc]).reshape(-1, 3)
            pre = W[:, 0] * X + W[:, 1] * Y + W[:, 2]  # pre_i = a_i*x + b_i*y + c_i, added in the circuit's order
            out = np.maximum(0.0, pre)  # n_i = max(0, pre_i)
            total = np.full(out.shape[:-1], v[top_b])
            for i, w in enumerate(top_w):
                total += v[w] * out[..., i]  # score = d4 + a4*n1 + b4*n2 + ..., as models.ReluNet.scorer adds it
            return total, [(pre, out)]
        return net_forward
    if model.kind == "mlp":
        layers, params = model.layers, list(model.params)

        def mlp_forward(v, X, Y):
            X, Y = np.broadcast_arrays(np.asarray(X, float), np.asarray(Y, float))
            h, out = np.stack([X, Y], axis=-1), []
            matrices = mlp_matrices(layers, [v[p] for p in params])
            for W, b in matrices[:-1]:
                pre = h @ W.T + b  # pre_i = w_i . h + b_i
                h = np.maximum(0.0, pre)  # out_i = max(0, pre_i)
                out.append((pre, h))
            W, b = matrices[-1]
            return (h @ W.T + b)[..., 0], out  # the score: the last layer, no ReLU (as models.MLP.scorer)
        return mlp_forward
    scorer = model.scorer()
    return lambda v, X, Y: (scorer(v, X, Y), [])


def layers_fn(model: Classifier) -> Callable:
    """A pure function (values, X, Y) -> [(pre, out), ...]: each hidden layer's pre-activations and ReLU outputs."""
    forward = forward_fn(model)
    return lambda v, X, Y: forward(v, X, Y)[1]


def dead_neurons(layers, names) -> tuple[str, ...]:
    """The neurons whose ReLU output is 0 on every row (every training point), from layers_fn's result."""
    dead = []
    for (_, out), layer_names in zip(layers, names):
        zero = (out == 0.0).reshape(-1, out.shape[-1]).all(axis=0).tolist()  # NaN is not 0: a diverged one is not dead
        dead += [n for n, z in zip(layer_names, zero) if z]
    return tuple(dead)


def update_dead_since(since: dict[str, int], dead, step: int) -> Mapping[str, int]:
    """Keep since[n] = the first step of n's current unbroken dead run: set when it dies, dropped when it fires."""
    for n in [n for n in since if n not in dead]:
        del since[n]  # back to life: its next death starts a new run
    for n in dead:
        since.setdefault(n, step)
    return MappingProxyType(dict(since))


def neuron_lines_fn(model: Classifier) -> Callable:
    """values -> ((name, a, b, c), ...): each first-layer neuron's line a*x + b*y + c = 0 (its pre-activation 0)."""
    if model.kind == "net":
        neurons = list(zip(hidden_names(model)[0], model.neurons))
        return lambda v: tuple((n, float(v[pa]), float(v[pb]), float(v[pc])) for n, (pa, pb, pc) in neurons)
    if model.kind == "mlp":
        rows = [(n, f"w1[{i},0]", f"w1[{i},1]", f"b1[{i}]") for i, n in enumerate(hidden_names(model)[0])]
        return lambda v: tuple((n, float(v[a]), float(v[b]), float(v[c])) for n, a, b, c in rows)
    return lambda v: ()


def hidden_at_fn(model: Classifier) -> Callable:
    """(values, x, y) -> ((name, pre-activation, output), ...) for every hidden neuron at the point (x, y)."""
    layers, names = layers_fn(model), hidden_names(model)

    def hidden_at(v, x, y):
        with np.errstate(all="ignore"):
            at = layers(v, float(x), float(y))
        return tuple((n, float(p), float(o)) for (pre, out), ns in zip(at, names)
                     for n, p, o in zip(ns, pre, out))
    return hidden_at


def first_non_finite_inside(inside: Inside | None) -> str | None:
    """Name a batch score, pull or hidden output that is not finite (the grads are checked by the session)."""
    if inside is None:
        return None
    hidden = inside.hidden or ()
    total = sum(p.score + p.pull for p in inside.batch) + sum(sum(layer) for layer in hidden)
    if math.isfinite(total):
        return None
    for p in inside.batch:
        for what, x in (("score", p.score), ("pull", p.pull)):
            if not math.isfinite(x):
                return f"the {what} of point {p.index} became {x}"
    for k, layer in enumerate(hidden, start=1):
        for i, x in enumerate(layer):
            if not math.isfinite(x):
                return f"hidden neuron {i + 1} of layer {k} became {x}"
    return None


def relu_kinks_fn(model: Classifier, points) -> Callable:
    """values -> ["n2 at 0 on point 4", "h2[0] at 0 on points 1, 5, 9", ...]: the hidden neurons whose
    pre-activation is exactly 0 at a training point, where the ReLU bends (backprop passes nothing there)."""
    layers, names = layers_fn(model), hidden_names(model)
    X = np.array(points, float).reshape(-1, 2)

    def relu_kinks(v) -> list[str]:
        out = []
        with np.errstate(all="ignore"):
            at = layers(v, X[:, 0], X[:, 1])
        for (pre, _), layer_names in zip(at, names):
            for name, column in zip(layer_names, pre.T):
                hits = np.flatnonzero(column == 0.0).tolist()
                if hits:
                    shown = ", ".join(map(str, hits[:5])) + (f" and {len(hits) - 5} more" if len(hits) > 5 else "")
                    out.append(f"{name} at 0 on point{'s' if len(hits) > 1 else ''} {shown}")
        return out
    return relu_kinks
