"""Chapter 2's lesson kind: a binary classifier of 2-D points (the SVM, the small ReLU net, an mlp) and its cost."""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from .. import datasets, heldout
from ..csvdata import DataPlace, read_points_csv
from ..gradcheck import ObjectiveChecker, check_classifier
from ..inside import (
    EMPTY,
    ClassifierDetail,
    dead_neurons,
    first_non_finite_inside,
    forward_fn,
    hidden_at_fn,
    hidden_names,
    neuron_lines_fn,
    relu_kinks_fn,
    update_dead_since,
)
from ..models import MODELS, init_params, make_model, param_names
from ..objectives import LOSSES, ClassifierObjective, cost
from ..penalties import class_weights, draw_masks, l1_cost, point_weights, read_craft, tune, weights_of
from ..table import Table, short
from .base import Lesson, Measured
from .shape import check_owners, read_shape

MAX_POINTS = 10_000  # a generated set or the file's own points; a CSV file may hold up to csvdata.MAX_CSV_ROWS
SOURCES = ("csv", "dataset", "points")  # where [data] takes its points from: one of these
ENGINES = ("python", "numpy")  # what runs the objective: the pure-Python engine, or numpy over the whole batch
CLASS_NAMES = {"+1": 1, "-1": -1}  # `[model] class_weights` keys of the binary classes


@dataclass(frozen=True)
class ClassifierSpec:
    """The `[model]` and `[data]` tables, validated. `points`/`labels` are the training set, the only points the
    steps and the cost see; `val_points`/`val_labels` are held out (`[data] validation`) and only measured.

    `dataset`, `csv`, `data_n` and `data_noise` say where the points came from; they are not compared (two specs
    are equal when they train and measure the same model on the same points), so a scenario saved with its points
    inline (engine.save) reads back equal to the one it was saved from."""

    kind: ClassVar[str] = "classifier"
    model: str
    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]  # +1 / -1
    dataset: str = field(default="inline", compare=False)  # a named set, or "inline": the file's or a CSV's points
    loss: str = "hinge"
    hidden: int = 3  # the net's hidden neurons
    layers: tuple[int, ...] = (16, 16)  # the mlp's hidden layer sizes
    reg: float = 1.0
    batch: str = "sgd"  # "sgd": one random point a step; "full": every point
    init: tuple[tuple[str, float], ...] | None = None  # starting parameters; the rest are drawn
    init_scale: float = 0.5
    val_points: tuple[tuple[float, float], ...] = ()  # held out: measured (val_accuracy, val_cost), never trained on
    val_labels: tuple[int, ...] = ()
    validation: float = 0.0  # the fraction held out, 0 <= v < 1 (see engine.heldout)
    data_seed: int = 0  # `[data] seed`: draws a generated set, and the held-out split
    csv: str | None = field(default=None, compare=False)  # the CSV file the points were read from
    data_n: int | None = field(default=None, compare=False)  # a generated set's size (before the split), noise
    data_noise: float | None = field(default=None, compare=False)
    init_scheme: str = "uniform"  # how the start is drawn: uniform in ±init_scale, xavier or he (models.init_params)
    bias_start: float | None = None  # every bias starts here; None: as the model does (see models.init_params)
    l1: float = 0.0  # L1's strength on the weights (engine.penalties)
    dropout: float = 0.0  # the mlp's hidden units dropped in training, 0 <= p < 1
    class_weights: tuple[tuple[int, float], ...] | None = None  # (+1, w), (-1, w); None: every class weighs 1
    class_weights_mode: str | None = None  # "balanced": the weights are N / (2 n_c) of the training labels
    engine: str = "python"  # "numpy": engine.vectorized runs the same model over the whole batch


def _model(m: Table) -> dict:
    model = m.choice("type", MODELS)
    out = dict(
        model=model,
        loss=m.choice("loss", LOSSES, "hinge"),
        **read_shape(m, model, 1.0),
        **read_craft(m, model, ("mlp",), weights=True),
    )
    check_owners(m, model)
    names = param_names(model, out["hidden"], out["layers"])
    for p, _ in out["init"] or ():
        if p not in names:
            m.fail(f"init.{p}", f"unknown parameter; expected some of {', '.join(names)}")
    m.finish()
    return out


def _inline(d: Table) -> tuple[list, list]:
    points = d.get("points", (list,), what="a list of [x, y] pairs")
    labels = d.get("labels", (list,), what="a list of +1 / -1 labels")
    for i, p in enumerate(points):
        pair = isinstance(p, list) and len(p) == 2
        if not (pair and all(type(v) in (int, float) and math.isfinite(v) for v in p)):
            d.fail(f"points[{i}]", f"expected a pair of finite numbers [x, y], got {short(p)}")
    if len(labels) != len(points):
        d.fail("labels", f"expected {len(points)} labels (one per point), got {len(labels)}")
    for i, v in enumerate(labels):
        if type(v) is not int or v not in (1, -1):
            d.fail(f"labels[{i}]", f"expected +1 or -1, got {short(v)}")
    if not points:
        d.fail("points", "expected at least one point")
    if len(points) > MAX_POINTS:
        d.fail("points", f"expected at most {MAX_POINTS} points, got {len(points)}")
    return points, labels


def _csv(d: Table, place: DataPlace) -> tuple[tuple, tuple, str]:
    """The points of `[data] csv`, a path from the scenario file's folder, or of --data (place.override)."""
    if place.override is not None:
        d.seen.update(("csv", "dataset", "points", "labels", "n", "noise"))  # --data replaces where points come from
        return (*read_points_csv(place.override), place.override)
    name = d.get("csv", (str,), what="a path to a CSV file of x,y,label points, from the scenario's folder")
    if not name.strip():
        d.fail("csv", "expected a path to a CSV file of x,y,label points, got an empty string")
    path = str(place.folder / name)  # an absolute `name` stays itself
    return (*read_points_csv(path, via=f"{d.prefix}csv in {d.source}"), path)


def _data(d: Table, place: DataPlace) -> dict:
    given = [k for k in SOURCES if k in d.data]
    if len(given) > 1 and place.override is None:
        d.fail(given[1], f"expected one source of points (csv, dataset or points); this [data] gives "
                         f"{' and '.join(given)}")
    seed = d.integer("seed", 0)
    validation = d.number("validation", 0.0, minimum=0.0)
    if validation >= 1:
        d.fail("validation", f"expected the fraction of points to hold out, 0 <= validation < 1, got {validation}")
    out: dict = dict(dataset="inline", data_seed=seed, validation=validation)
    if place.override is not None or "csv" in d.data:
        points, labels, out["csv"] = _csv(d, place)
    elif "points" in d.data or "labels" in d.data:
        points, labels = _inline(d)
    else:
        out["dataset"] = name = d.choice("dataset", datasets.DATASETS)
        n = d.integer("n", 100, lo=2, hi=MAX_POINTS)
        noise = d.number("noise", 0.1, minimum=0.0)
        with np.errstate(all="ignore"):  # a huge noise overflows: refused below, not warned about on stderr
            points, labels = datasets.load(name, n, noise, seed)
        if not all(math.isfinite(v) for p in points for v in p):
            d.fail("noise", "expected a noise small enough that every generated point is finite")
        if name in datasets.GENERATORS:
            out.update(data_n=n, data_noise=noise)
    if len(set(labels)) < 2:
        d.fail("labels", "expected both classes (+1 and -1) in the data")
    d.finish()
    points = tuple(tuple(map(float, p)) for p in points)
    train, train_labels, val, val_labels = heldout.split(points, tuple(labels), validation, seed)
    for c in (1, -1):
        if c not in train_labels:
            d.fail("validation", f"holding out {len(val)} of {len(points)} points leaves no {c:+d} point to train "
                                 f"on; expected at least one training point of each class (lower validation or "
                                 f"change [data] seed)")
    return dict(out, points=train, labels=train_labels, val_points=val, val_labels=val_labels)


def read_classifier(t: Table) -> ClassifierSpec:
    """The spec of a classifier scenario; a relative `[data] csv` path starts at `t.place.folder` and a CSV given
    on the command line replaces the file's data (see csvdata.DataPlace; a plain Table reads from the cwd)."""
    m = t.table("model")
    model = _model(m)
    data = _data(t.table("data"), getattr(t, "place", None) or DataPlace())
    weights = class_weights(m, model.pop("class_weights"), CLASS_NAMES, (1, -1), data["labels"], _class_name)
    return ClassifierSpec(**model, **data, **weights)


def _class_name(key: str) -> str:
    """A binary class as `[model] class_weights` may write it: "+1", "1", "1.0" -> "+1"; "-1", "-1.0" -> "-1"."""
    try:
        v = float(key)
    except ValueError:
        return key
    return {1.0: "+1", -1.0: "-1"}.get(v, key)


def _none(*_):
    return ()


@dataclass(frozen=True)
class ClassifierStage:
    """What a classifier panel draws that never changes: the data, the parameters' names, pure functions of a
    snapshot's values (safe from any thread: none touches the session's model or its counters)."""

    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]
    params: tuple[str, ...]
    score: Callable  # (values, X, Y) -> scores: pure, over numpy arrays; score > 0 means +1
    hidden_names: tuple[str, ...] = ()  # net: n1..nH; mlp: h1[0].. layer by layer; svm: none
    neuron_lines: Callable = _none  # values -> ((name, a, b, c), ...): first-layer neuron lines a*x + b*y + c = 0
    hidden_at: Callable = _none  # (values, x, y) -> ((name, pre-activation, output), ...) for every hidden neuron
    check_gradient: Callable = lambda values, h, centered: None  # backprop vs numerical, full batch (gradcheck)
    val_points: tuple[tuple[float, float], ...] = ()  # held out (`[data] validation`): measured, never trained on
    val_labels: tuple[int, ...] = ()


class ClassifierLesson(Lesson):
    kind = "classifier"
    output_name = "cost"
    measures = ("accuracy",)
    start_key = "model.init"
    read_spec = staticmethod(read_classifier)
    spec_type = ClassifierSpec

    def __init__(self, spec: ClassifierSpec, rng: random.Random):
        self.spec = spec
        self.model = make_model(spec.model, spec.hidden, spec.layers)
        init_params(self.model, dict(spec.init) if spec.init else None, spec.init_scale, rng, spec.init_scheme,
                    spec.bias_start)
        self.objective = self._objective(spec)
        self._score = self.model.scorer()
        self._X = np.array(spec.points, float).reshape(-1, 2)
        self._y = np.array(spec.labels, float)
        self._Xv = np.array(spec.val_points, float).reshape(-1, 2)
        self._names = hidden_names(self.model)  # layer by layer
        self._forward = forward_fn(self.model)  # scores and hidden layers in one numpy pass
        self._dead_since: dict[str, int] = {}
        self._step = 0  # steps begun: before_step counts them, measure() dates the dead neurons by it

        def private_objective():  # the gradient check's own model and objective, at the same data and loss
            model, now = make_model(spec.model, spec.hidden, spec.layers), self.spec
            obj = tune(ClassifierObjective(model, spec.points, spec.labels, now.reg, now.loss), now)
            obj.batch = list(range(len(spec.labels)))  # the full batch: a full-batch step's objective
            return obj
        self.stage = ClassifierStage(spec.points, spec.labels, tuple(self.model.params), self._score,
                                     tuple(n for layer in self._names for n in layer), neuron_lines_fn(self.model),
                                     hidden_at_fn(self.model),
                                     ObjectiveChecker(private_objective, check_classifier,
                                                      relu_kinks_fn(self.model, spec.points)),
                                     spec.val_points, spec.val_labels)

    def _objective(self, spec: ClassifierSpec):
        """The objective the spec's engine runs, over this lesson's model."""
        if spec.engine == "numpy":
            from ..vectorized import numpy_objective
            return numpy_objective(self.model, spec)
        return tune(ClassifierObjective(self.model, spec.points, spec.labels, spec.reg, spec.loss), spec)

    def retune(self, spec: ClassifierSpec) -> None:
        """A live knob turned (engine.knobs.LIVE: the spring, the loss, the batch, L1, dropout, the class weights,
        the engine): the same model and data, the next step and the next measurement use them."""
        if spec.dropout and spec.model != "mlp":
            raise ValueError(f"dropout applies to the mlp only, not the {spec.model}")
        if spec.engine != self.spec.engine:
            self.model.set(self.objective.get())  # the numpy engine keeps them in its own array: the model takes them
            self.objective = swapped(self.objective, self._objective(spec))
        else:
            tune(self.objective, spec)
        self.spec = spec
        self.stage.check_gradient.retune(reg=spec.reg, loss=spec.loss, l1=spec.l1, class_weights=weights_of(spec))

    @property
    def alpha(self) -> float:
        """The cost's regularisation strength: reg * N / 2, under which per-point SGD descends the cost."""
        return self.spec.reg * len(self.spec.labels) / 2

    def before_step(self, rng: random.Random, settings=None) -> None:
        self._step += 1
        self.objective.inside = None  # only an analytic step's pull() records one
        n = len(self.spec.labels)
        self.objective.batch = list(range(n)) if self.spec.batch == "full" else [rng.randrange(n)]
        if self.spec.model == "mlp":  # dropout's masks for this step (none and no draw when it is off)
            self.objective.masks = draw_masks(rng, len(self.objective.batch), self.spec.layers, self.spec.dropout)

    def batch_size(self) -> int:
        return len(self.spec.labels) if self.spec.batch == "full" else 1

    def measure(self, wire_grads: bool) -> Measured:
        v, spec = dict(zip(self.model.params, self.objective.get())), self.spec  # the engine's own values
        cw = weights_of(spec)
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not as a warning on stderr
            scores, layers = self._forward(v, self._X[:, 0], self._X[:, 1])  # the scorer's scores, bit for bit
            weights = [v[p] for p in self.model.regularized]
            output = cost(scores, self._y, weights, self.alpha, spec.loss, point_weights(spec.labels, cw))
            if spec.l1:
                output += l1_cost(weights, spec.l1, len(spec.labels))
            right = np.where(scores > 0, 1.0, -1.0) == self._y
            accuracy = float(np.mean(right))
            class_accuracy = MappingProxyType({f"{c:+d}": float(np.mean(right[self._y == c])) if np.any(self._y == c)
                                               else None for c in (1, -1)})  # the fraction right in each class
            dead = dead_neurons(layers, self._names) if self._names else None
            val_accuracy = val_cost = None
            if len(self._Xv):
                val_scores, _ = self._forward(v, self._Xv[:, 0], self._Xv[:, 1])
                val_accuracy, val_cost = heldout.measures(val_scores, spec.val_labels, spec.loss,
                                                          point_weights(spec.val_labels, cw))
        inside = self.objective.inside
        since = EMPTY if dead is None else update_dead_since(self._dead_since, dead, self._step)
        extra = {"val_accuracy": val_accuracy, "val_cost": val_cost, "class_accuracy": class_accuracy,
                 "batch": None, "data_pull": None, "spring_pull": None}
        if inside is not None:
            extra.update(batch=inside.batch, data_pull=inside.data_pull, spring_pull=inside.spring_pull)
        if dead is not None:  # the svm has no hidden neurons: no keys for them
            extra.update(hidden=None if inside is None else inside.hidden, dead=dead)
        detail = ClassifierDetail(inside, dead, since, val_accuracy, val_cost)
        return Measured(output, v, {"accuracy": accuracy}, detail, extra)

    def first_non_finite_detail(self, detail: ClassifierDetail) -> str | None:
        bad = first_non_finite_inside(detail.inside)
        if bad is None and detail.val_cost is not None and not math.isfinite(detail.val_cost):
            return f"the held-out cost became {detail.val_cost}"  # JSON has no inf: a divergence like any other
        return bad


def swapped(old, new):
    """`new` taking over from `old` (another engine, the same model): the counters, the stop, the step's batch and
    masks carry on."""
    new.forward_passes, new.backward_passes, new.stop = old.forward_passes, old.backward_passes, old.stop
    new.batch, new.masks = list(old.batch), old.masks
    return new
