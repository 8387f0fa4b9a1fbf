"""K-class classifiers of 2-D points: the three models as vector mlps with one score per class, the objective the
strategies make higher (minus the softmax or multiclass-hinge loss on a batch, minus the spring), what its step
did, and backprop checked against the numerical gradient. Pure Python + numpy.

The models (all models.MLP with K outputs, so one backward pass carries a pull on every score):
- "svm": a linear score per class, s_k = a_k*x + b_k*y + c_k; parameters a1, b1, c1, a2, b2, c2, ... (class 1..K).
- "net": one hidden layer of `hidden` ReLU neurons (the guide's small net), K scores on top.
- "mlp": the hidden `layers`, K scores on top.
The spring pulls on the weights, not the biases. The svm and the net draw every parameter at random (the
guide's `Math.random() - 0.5`), biases too; the mlp's biases start at 0 (micrograd's, models.MLP).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from . import multiclass_losses as ml
from .gradcheck import check_objective
from .inside import hidden_reader
from .models import MLP, mlp_matrices
from .objectives import NEVER, Interrupted
from .penalties import add_spring, penalty


def class_param_names(k: int) -> list[str]:
    """The linear model's parameters: a{j}, b{j}, c{j} for class j = 1..K (weight on x, weight on y, bias)."""
    return [f"{p}{j}" for j in range(1, k + 1) for p in "abc"]


def make_class_model(model: str, k: int, hidden: int = 3, layers=(16, 16)) -> MLP:
    """The K-score model of type `model` ("svm", "net" or "mlp")."""
    if model in ("svm", "net"):  # the guide's models: every parameter drawn at random, biases too
        m = MLP((hidden,) if model == "net" else (), n_out=k, names=None if model == "net" else class_param_names(k))
        m.zero_start = frozenset()
        return m
    if model == "mlp":
        return MLP(layers, n_out=k)
    raise ValueError(f"unknown model {model!r}; expected svm, net or mlp")


def class_hidden_names(model: str, layers) -> tuple[tuple[str, ...], ...]:
    """The hidden neurons layer by layer: n1..nH for the net (the guide's), h{layer}[i] for the mlp, () for the svm."""
    if model == "net":
        return (tuple(f"n{i}" for i in range(1, layers[0] + 1)),)
    return tuple(tuple(f"h{k}[{i}]" for i in range(n)) for k, n in enumerate(layers, start=1))


def forward_fn(model: MLP) -> Callable:
    """A pure function (values, X, Y, masks=None) -> (scores of shape X.shape + (K,), [(pre, out), ...] per hidden
    layer): the same numpy operations in the same order as model.scorer(), so its scores are the scorer's, bit for
    bit. `masks` (training only: dropout) holds one array per hidden layer, a row of multipliers per point."""
    layers, params, k = model.layers, list(model.params), model.n_out

    def forward(v, X, Y, masks=None):
        X, Y = np.broadcast_arrays(np.asarray(X, float), np.asarray(Y, float))
        h, hidden = np.stack([X, Y], axis=-1), []
        matrices = mlp_matrices(layers, [v[p] for p in params], 2, k)
        for layer, (W, b) in enumerate(matrices[:-1]):
            pre = h @ W.T + b  # pre_i = w_i . h + b_i
            h = np.maximum(0.0, pre)  # out_i = max(0, pre_i)
            if masks is not None:
                h = h * masks[layer]  # dropout: out_i = m_i * relu_i
            hidden.append((pre, h))
        W, b = matrices[-1]
        return h @ W.T + b, hidden  # s_k = w_k . h + b_k: no ReLU on the scores
    return forward


class ClassPoint(NamedTuple):
    """One point of a step's batch: its class scores before the step and the pull the loss put on each."""

    index: int  # into the training data
    point: tuple[float, float]
    label: int  # the class index, 0..K-1
    scores: tuple[float, ...]  # s_1..s_K at the parameters before the step
    probs: tuple[float, ...] | None  # softmax: p_1..p_K; the hinge: None
    pull: tuple[float, ...]  # minus d(point loss)/d(s_k), see multiclass_losses


@dataclass(frozen=True)
class ClassInside:
    """What one analytic step did: its batch, and its pull split so that grads == data_pull + spring_pull."""

    batch: tuple[ClassPoint, ...]
    data_pull: Mapping[str, float]  # the batch's pulls backpropagated and averaged (g / n)
    spring_pull: Mapping[str, float]  # -reg * w on the weights, 0.0 on the biases
    hidden: tuple[tuple[float, ...], ...] | None  # one-point step: that point's hidden outputs, layer by layer


class MulticlassObjective:
    """The objective to increase is minus the loss on a batch: mean point loss + reg/2 * |weights|^2 (the binary
    ClassifierObjective's protocol: evaluate, pull, counted forward and backward passes, `stop`; and its craft:
    `l1` on `l1_idx`, `class_weights` (class index -> weight, None: all 1), dropout `masks`)."""

    def __init__(self, model: MLP, points, labels, reg: float, loss: str):
        if loss not in ml.MULTICLASS_LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(ml.MULTICLASS_LOSSES)}")
        self.model, self.points, self.labels, self.reg, self.loss = model, points, labels, reg, loss
        self.names = list(model.params)
        self.batch: list[int] = []
        self.forward_passes = self.backward_passes = 0
        self.stop = NEVER
        self._reg_idx = [model.params.index(p) for p in model.regularized]
        self.l1, self.l1_idx = 0.0, self._reg_idx  # L1 pulls on the same weights as the spring
        self.class_weights: dict[int, float] | None = None
        self.masks: list | None = None
        self._hidden = hidden_reader(model) if model.layers else (lambda: None)
        self._forward = forward_fn(model)
        self._X, self._y = np.array(points, float).reshape(-1, 2), np.array(labels, int)
        self.inside: ClassInside | None = None  # what the last pull() did; the lesson resets it before every step

    def get(self):
        return self.model.get()

    def set(self, values):
        self.model.set(values)

    def evaluate(self) -> float:
        """One forward pass per batch point, counted so; computed for the whole batch at once with numpy (the
        same scores as the model's own forward, to rounding): the numerical gradient and random search evaluate
        the objective hundreds of times a step."""
        if self.stop.is_set():
            raise Interrupted
        params, at, masks, cw = self.model.get(), self.batch, self.masks, self.class_weights
        if masks is not None:  # per hidden layer: one row of multipliers per batch point
            masks = [np.array([point[layer] for point in masks]) for layer in range(len(masks[0]))]
        with np.errstate(all="ignore"):  # overflow shows as a non-finite cost: the session reports divergence
            S, _ = self._forward(dict(zip(self.names, params)), self._X[at, 0], self._X[at, 1], masks)
            point = ml.losses(S, self._y[at], self.loss)
            if cw is not None:
                point = point * np.array([cw[y] for y in self._y[at].tolist()])  # w_c * loss
            total = float(np.sum(point))
        self.forward_passes += len(at)
        return -(total / len(at) + penalty(params, self._reg_idx, self.reg, self.l1))

    def pull(self) -> list[float]:
        """The loss's pull on every score backpropagated, averaged over the batch, plus the spring -reg * w. What
        it did is left in `inside`: the batch's scores, probabilities and pulls, and the data and spring parts."""
        m, n, stop, softmax = self.model, len(self.batch), self.stop, self.loss == "softmax"
        masks, cw = self.masks, self.class_weights
        m.zero_grad()
        rows = []
        for b, i in enumerate(self.batch):
            if stop.is_set():
                raise Interrupted
            if masks is not None:
                m.mask = masks[b]  # dropout: this point's units, forward and back
            scores, y = m.outputs(self.points[i]), self.labels[i]
            pull = ml.point_pull(scores, y, self.loss)  # -d loss / d s_k: the force spec on each score
            if cw is not None:
                pull = [cw[y] * g for g in pull]  # d/ds_k of w_c * loss = w_c * d loss / ds_k
            m.backward_all(pull)  # d/dp += sum_k pull_k * d s_k / dp, adding up over the batch
            probs = tuple(ml.softmax(scores)) if softmax else None
            rows.append(ClassPoint(i, tuple(self.points[i]), y, tuple(scores), probs, tuple(pull)))
        hidden = self._hidden() if n == 1 else None  # the model still holds the one point's forward pass
        m.mask = None
        self.forward_passes += n
        self.backward_passes += n
        data = [g / n for g in m.grads()]  # the mean over the batch
        grads, spring = list(data), [0.0] * len(data)
        add_spring(grads, spring, m.get(), self._reg_idx, self.reg, self.l1)
        self.inside = ClassInside(tuple(rows), MappingProxyType(dict(zip(self.names, data))),
                                  MappingProxyType(dict(zip(self.names, spring))), hidden)
        return grads


def first_non_finite_inside(inside: ClassInside | None) -> str | None:
    """Name a batch score, pull or hidden output that is not finite (the grads are checked by the session)."""
    if inside is None:
        return None
    for p in inside.batch:
        for what, xs in (("score", p.scores), ("pull", p.pull)):
            for k, x in enumerate(xs):
                if not math.isfinite(x):
                    return f"the {what} of class {k + 1} on point {p.index} became {x}"
    for k, layer in enumerate(inside.hidden or (), start=1):
        for i, x in enumerate(layer):
            if not math.isfinite(x):
                return f"hidden neuron {i + 1} of layer {k} became {x}"
    return None


def relu_kinks_fn(forward: Callable, names, points) -> Callable:
    """values -> ["n2 at 0 on point 4", ...]: hidden neurons whose pre-activation is exactly 0 at a training point."""
    X = np.array(points, float).reshape(-1, 2)

    def relu_kinks(v) -> list[str]:
        out = []
        with np.errstate(all="ignore"):
            _, layers = forward(v, X[:, 0], X[:, 1])
        for (pre, _), layer_names in zip(layers, names):
            for name, column in zip(layer_names, pre.T):
                hits = np.flatnonzero(column == 0.0).tolist()
                if hits:
                    shown = ", ".join(map(str, hits[:5])) + (f" and {len(hits) - 5} more" if len(hits) > 5 else "")
                    out.append(f"{name} at 0 on point{'s' if len(hits) > 1 else ''} {shown}")
        return out
    return relu_kinks


def check_multiclass(obj: MulticlassObjective, values, h: float = 1e-4, centered: bool = True,
                     relu_kinks: Callable[[dict], list[str]] | None = None) -> dict:
    """gradcheck.check_objective for K classes: kinks names the points where a wrong class sits exactly at the
    hinge's margin ("point 3, class 2 at the margin"), then the hidden neurons exactly at 0."""
    def margin_kinks(obj) -> list[str]:
        return [f"point {p.index}, class {k + 1} at the margin" for p in obj.inside.batch
                for k in ml.at_kink(p.scores, p.label, obj.loss)]
    return check_objective(obj, values, h, centered, margin_kinks, relu_kinks)
