"""Chapter 3's regression kind: one input x, one prediction, a target t per point; a line, the small ReLU net or an
mlp fitted by the squared, absolute or Huber loss (regression_losses.py) with the classifiers' spring."""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import curves
from ..csvdata import DataPlace
from ..gradcheck import ObjectiveChecker, check_objective
from ..models import MLP, init_params, mlp_matrices, mlp_param_names
from ..penalties import draw_masks, l1_cost, read_craft, tune
from ..regression_losses import (
    LOSSES,
    FitInside,
    RegressionObjective,
    cost,
    first_non_finite_fit,
    losses,
    on_kink,
    rmse,
)
from ..table import Table
from .base import Lesson, Measured
from .shape import check_owners, read_shape

MODELS = ("line", "net", "mlp")


@dataclass(frozen=True)
class RegressionSpec:
    """The `[model]` and `[data]` tables, validated. `xs`/`targets` are the training set, the only points the steps
    and the cost see; `val_xs`/`val_targets` are held out (`[data] validation`) and only measured. `dataset`,
    `csv`, `data_n` and `data_noise` say where the points came from and are not compared."""

    kind: ClassVar[str] = "regression"
    model: str
    xs: tuple[float, ...]
    targets: tuple[float, ...]
    dataset: str = field(default="inline", compare=False)  # a generated curve, or "inline": the file's or a CSV's
    loss: str = "squared"
    delta: float = 1.0  # huber's: where the square turns into a line
    hidden: int = 3  # the net's hidden neurons
    layers: tuple[int, ...] = (16, 16)  # the mlp's hidden layer sizes
    reg: float = 0.0
    batch: str = "sgd"  # "sgd": one random point a step; "full": every point
    init: tuple[tuple[str, float], ...] | None = None  # starting parameters; the rest are drawn
    init_scale: float = 0.5
    val_xs: tuple[float, ...] = ()  # held out: measured (val_rmse, val_cost), never trained on
    val_targets: tuple[float, ...] = ()
    validation: float = 0.0  # the fraction held out, 0 <= v < 1 (see engine.heldout)
    data_seed: int = 0  # `[data] seed`: draws a generated curve, and the held-out split
    csv: str | None = field(default=None, compare=False)
    data_n: int | None = field(default=None, compare=False)
    data_noise: float | None = field(default=None, compare=False)
    init_scheme: str = "uniform"  # as the classifiers' (models.init_params)
    bias_start: float | None = None
    l1: float = 0.0
    dropout: float = 0.0  # the net's and the mlp's hidden units dropped in training, 0 <= p < 1


# ---- the models: every one a models.MLP with one input and one output --------------------------------------

def net_names(hidden: int) -> list[str]:
    """n_i = max(0, a_i*x + b_i); prediction = w1*n1 + ... + wH*nH + c (in MLP order: each neuron's weights, bias)."""
    return [p for i in range(1, hidden + 1) for p in (f"a{i}", f"b{i}")] + [f"w{i}" for i in range(1, hidden + 1)] \
        + ["c"]


def param_names(model: str, hidden: int = 3, layers=(16, 16)) -> list[str]:
    """line: a, b (prediction = a*x + b); net: a1, b1, ..., w1, ..., c; mlp: w{k}[i,j] and b{k}[i]."""
    if model == "line":
        return ["a", "b"]
    return net_names(hidden) if model == "net" else mlp_param_names(layers, 1, 1)


def make_model(model: str, hidden: int = 3, layers=(16, 16)) -> MLP:
    """The line and the net draw every parameter at the start (the guide's nets do); the mlp's biases start at 0."""
    if model == "mlp":
        return MLP(layers, 1, 1)
    m = MLP(() if model == "line" else (hidden,), 1, 1, param_names(model, hidden))
    m.kind, m.zero_start = model, frozenset()
    return m


def hidden_names(model: str, hidden: int = 3, layers=(16, 16)) -> tuple[tuple[str, ...], ...]:
    """The hidden neurons layer by layer: (n1..nH) for the net, h{k}[i] for the mlp, none for the line."""
    if model == "net":
        return (tuple(f"n{i}" for i in range(1, hidden + 1)),)
    if model == "mlp":
        return tuple(tuple(f"h{k}[{i}]" for i in range(n)) for k, n in enumerate(layers, start=1))
    return ()


def pre_activations_fn(model: MLP) -> Callable:
    """A pure function (values, X) -> [pre, ...]: each hidden layer's pre-activations, shape (len(X), width)."""
    layers, params = model.layers, list(model.params)

    def pre_activations(v, X):
        h, out = np.asarray(X, float).reshape(-1, 1), []
        for W, b in mlp_matrices(layers, [v[p] for p in params], 1, 1)[:-1]:
            out.append(h @ W.T + b)
            h = np.maximum(0.0, out[-1])
        return out
    return pre_activations


# ---- reading the file --------------------------------------------------------------------------------------

def _model(m: Table) -> dict:
    model = m.choice("type", MODELS)
    loss = m.choice("loss", LOSSES, "squared")
    out = dict(
        model=model, loss=loss,
        delta=m.number("delta", 1.0, positive=True),
        **read_shape(m, model, 0.0),
        **read_craft(m, model, ("net", "mlp"), weights=False),
    )
    check_owners(m, model)
    if "delta" in m.data and loss != "huber":
        m.fail("delta", f'applies to loss = "huber" only; this loss is "{loss}"')
    names = param_names(model, out["hidden"], out["layers"])
    for p, _ in out["init"] or ():
        if p not in names:
            m.fail(f"init.{p}", f"unknown parameter; expected some of {', '.join(names)}")
    m.finish()
    return out


def read_regression(t: Table) -> RegressionSpec:
    """The spec of a regression scenario; a relative `[data] csv` starts at `t.place.folder`, and a CSV given on
    the command line replaces the file's data (see csvdata.DataPlace)."""
    model = _model(t.table("model"))
    return RegressionSpec(**model, **curves.read_data(t.table("data"), getattr(t, "place", None) or DataPlace()))


# ---- the gradient check ------------------------------------------------------------------------------------

def check_regression(obj: RegressionObjective, values, h: float = 1e-4, centered: bool = True,
                     relu_kinks: Callable[[dict], list[str]] | None = None) -> dict:
    """gradcheck.check_objective for a regression: kinks lists the points exactly where their loss bends ("point 3
    at r = 0", "point 5 at |r| = delta"), then the hidden neurons exactly at 0 on a point."""
    def loss_kinks(obj) -> list[str]:
        where = "r = 0" if obj.loss == "absolute" else "|r| = delta"
        return [f"point {p.index} at {where}" for p in obj.inside.batch
                if on_kink(p.prediction, p.target, obj.loss, obj.delta)]
    return check_objective(obj, values, h, centered, loss_kinks, relu_kinks)


def relu_kinks_fn(model: MLP, names, xs) -> Callable:
    """values -> ["n2 at 0 on point 4", ...]: hidden neurons whose pre-activation is exactly 0 at a training point."""
    pre_activations, X = pre_activations_fn(model), np.asarray(xs, float)

    def relu_kinks(v) -> list[str]:
        out = []
        with np.errstate(all="ignore"):
            layers = pre_activations(v, X)
        for pre, layer_names in zip(layers, names):
            for name, column in zip(layer_names, pre.T):
                hits = np.flatnonzero(column == 0.0).tolist()
                if hits:
                    out.append(f"{name} at 0 on point{'s' if len(hits) > 1 else ''} {', '.join(map(str, hits[:5]))}")
        return out
    return relu_kinks


# ---- the lesson --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegressionStage:
    """What a regression panel draws that never changes: the data, the parameters' names, pure functions."""

    xs: tuple[float, ...]
    targets: tuple[float, ...]
    params: tuple[str, ...]
    predict: Callable  # (values, X) -> predictions, a numpy array shaped like X: pure
    val_xs: tuple[float, ...] = ()
    val_targets: tuple[float, ...] = ()
    check_gradient: Callable = lambda values, h, centered: None  # backprop vs numerical, full batch


@dataclass(frozen=True)
class RegressionDetail:
    """A regression snapshot's detail: the step's inside (None unless an analytic step) and the held-out measures."""

    inside: FitInside | None = None
    val_rmse: float | None = None  # on the held-out points; None without any
    val_cost: float | None = None  # the mean point loss on the held-out points, no spring


class RegressionLesson(Lesson):
    kind = "regression"
    output_name = "cost"
    measures = ("rmse",)
    start_key = "model.init"
    losses = LOSSES
    read_spec = staticmethod(read_regression)
    spec_type = RegressionSpec

    def __init__(self, spec: RegressionSpec, rng: random.Random):
        self.spec = spec
        self.model = make_model(spec.model, spec.hidden, spec.layers)
        init_params(self.model, dict(spec.init) if spec.init else None, spec.init_scale, rng, spec.init_scheme,
                    spec.bias_start)
        self.objective = tune(RegressionObjective(self.model, spec.xs, spec.targets, spec.reg, spec.loss, spec.delta),
                              spec)
        self._predict = self.model.scorer()
        self._X, self._t = np.array(spec.xs, float), np.array(spec.targets, float)
        self._Xv, self._tv = np.array(spec.val_xs, float), np.array(spec.val_targets, float)

        def private_objective():  # the gradient check's own model and objective, at the same data and loss
            now = self.spec
            obj = tune(RegressionObjective(make_model(spec.model, spec.hidden, spec.layers), spec.xs, spec.targets,
                                           now.reg, now.loss, now.delta), now)
            obj.batch = list(range(len(spec.xs)))  # the full batch: a full-batch step's objective
            return obj
        names = hidden_names(spec.model, spec.hidden, spec.layers)
        checker = ObjectiveChecker(private_objective, check_regression,
                                   relu_kinks_fn(self.model, names, spec.xs) if names else None)
        self.stage = RegressionStage(spec.xs, spec.targets, tuple(self.model.params), self._predict,
                                     spec.val_xs, spec.val_targets, checker)

    def retune(self, spec: RegressionSpec) -> None:
        """The spring, the loss, huber's delta or the batch turned: the same model and data, used from the next step.
        ValueError for a loss or batch this kind has not (a classifier's knob turned on a regression)."""
        if spec.loss not in LOSSES or spec.batch not in ("sgd", "full") or not spec.delta > 0:
            raise ValueError(f"a regression takes loss {', '.join(LOSSES)}, batch sgd or full and delta > 0; got "
                             f"{spec.loss!r}, {spec.batch!r}, {spec.delta!r}")
        if spec.dropout and spec.model == "line":
            raise ValueError("dropout applies to the net and the mlp only, not the line")
        self.spec = spec
        tune(self.objective, spec)
        self.stage.check_gradient.retune(reg=spec.reg, loss=spec.loss, delta=spec.delta, l1=spec.l1)

    @property
    def alpha(self) -> float:
        """The cost's regularisation strength: reg * N / 2, under which per-point SGD descends the cost."""
        return self.spec.reg * len(self.spec.targets) / 2

    def before_step(self, rng: random.Random, settings=None) -> None:
        self.objective.inside = None  # only an analytic step's pull() records one
        n = len(self.spec.targets)
        self.objective.batch = list(range(n)) if self.spec.batch == "full" else [rng.randrange(n)]
        if self.model.layers:  # dropout's masks for this step (none and no draw when it is off)
            self.objective.masks = draw_masks(rng, len(self.objective.batch), self.model.layers, self.spec.dropout)

    def batch_size(self) -> int:
        return len(self.spec.targets) if self.spec.batch == "full" else 1

    def measure(self, wire_grads: bool) -> Measured:
        v, s = self.model.values(), self.spec
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not as a warning on stderr
            predictions = self._predict(v, self._X)
            weights = [v[p] for p in self.model.regularized]
            output = cost(predictions, self._t, weights, self.alpha, s.loss, s.delta)
            if s.l1:
                output += l1_cost(weights, s.l1, len(s.targets))
            fit = rmse(predictions, self._t)
            val_rmse = val_cost = None
            if len(self._Xv):
                val_predictions = self._predict(v, self._Xv)
                val_rmse = rmse(val_predictions, self._tv)
                val_cost = float(np.mean(losses(val_predictions, self._tv, s.loss, s.delta)))
        inside = self.objective.inside
        extra = {"val_rmse": val_rmse, "val_cost": val_cost, "batch": None, "data_pull": None, "spring_pull": None}
        if inside is not None:
            extra.update(batch=inside.batch, data_pull=inside.data_pull, spring_pull=inside.spring_pull)
        return Measured(output, v, {"rmse": fit}, RegressionDetail(inside, val_rmse, val_cost), extra)

    def first_non_finite_detail(self, detail: RegressionDetail) -> str | None:
        bad = first_non_finite_fit(detail.inside)
        for name, x in (("rmse", detail.val_rmse), ("cost", detail.val_cost)):
            if bad is None and x is not None and not math.isfinite(x):
                bad = f"the held-out {name} became {x}"
        return bad


__all__ = ["MODELS", "RegressionSpec", "RegressionStage", "RegressionDetail", "RegressionLesson", "read_regression",
           "check_regression"]
