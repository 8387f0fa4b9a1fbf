"""Chapter 3's multiclass classifiers: `kind = "classifier"` with `[model] loss = "softmax"` or "multiclass_hinge";
K = 2 to 10 classes of 2-D points, one score per class (a linear score each, the small ReLU net, an mlp)."""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from ..csvdata import DataPlace
from ..gradcheck import ObjectiveChecker
from ..inside import dead_neurons, update_dead_since
from ..models import MODELS, init_params, mlp_param_names
from ..multiclass_losses import MULTICLASS_LOSSES, cost, losses
from ..multiclass_objective import (
    ClassInside,
    MulticlassObjective,
    check_multiclass,
    class_hidden_names,
    class_param_names,
    first_non_finite_inside,
    forward_fn,
    make_class_model,
    relu_kinks_fn,
)
from ..penalties import class_weights, draw_masks, l1_cost, read_craft, tune, weights_of
from ..snapshot import EMPTY
from ..table import Table
from .base import Lesson, Measured
from .class_data import MAX_CLASSES, class_key, read_class_data
from .classifier import swapped
from .shape import check_owners, read_shape

__all__ = ["MAX_CLASSES", "MULTICLASS_LOSSES", "MulticlassDetail", "MulticlassLesson", "MulticlassSpec",
           "MulticlassStage", "read_multiclass"]


@dataclass(frozen=True)
class MulticlassSpec:
    """The `[model]` and `[data]` tables of a multiclass classifier, validated: ClassifierSpec's fields (see there)
    with `labels` the class indices 0..K-1 into `classes`, the class names in order."""

    kind: ClassVar[str] = "classifier"
    model: str
    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]  # indices into classes
    classes: tuple[str, ...]  # sorted: numerically when every name is a number, else as text
    dataset: str = field(default="inline", compare=False)
    loss: str = "softmax"
    hidden: int = 3
    layers: tuple[int, ...] = (16, 16)
    reg: float = 1.0
    batch: str = "sgd"
    init: tuple[tuple[str, float], ...] | None = None
    init_scale: float = 0.5
    val_points: tuple[tuple[float, float], ...] = ()
    val_labels: tuple[int, ...] = ()
    validation: float = 0.0
    data_seed: int = 0
    csv: str | None = field(default=None, compare=False)
    data_n: int | None = field(default=None, compare=False)
    data_noise: float | None = field(default=None, compare=False)
    init_scheme: str = "uniform"  # as the binary classifier's (lessons.classifier.ClassifierSpec)
    bias_start: float | None = None
    l1: float = 0.0
    dropout: float = 0.0  # the net's and the mlp's hidden units dropped in training, 0 <= p < 1
    class_weights: tuple[tuple[int, float], ...] | None = None  # (class index, weight) for every class; None: all 1
    class_weights_mode: str | None = None  # "balanced": N / (K n_c) of the training labels
    engine: str = "python"


def _model(m: Table) -> dict:
    model = m.choice("type", MODELS)
    out = dict(
        model=model,
        loss=m.choice("loss", MULTICLASS_LOSSES),
        **read_shape(m, model, 1.0),
        **read_craft(m, model, ("net", "mlp"), weights=True),
    )
    check_owners(m, model)
    m.finish()
    return out


def param_names(model: str, k: int, hidden: int = 3, layers=(16, 16)) -> list[str]:
    """The K-class model's parameters in order (see multiclass_objective)."""
    if model == "svm":
        return class_param_names(k)
    return mlp_param_names((hidden,) if model == "net" else layers, 2, k)


def read_multiclass(t: Table) -> MulticlassSpec:
    """The spec of a multiclass classifier scenario (a relative `[data] csv` starts at `t.place.folder`)."""
    m = t.table("model")
    model = _model(m)
    data = read_class_data(t.table("data"), getattr(t, "place", None) or DataPlace())
    names = param_names(model["model"], len(data["classes"]), model["hidden"], model["layers"])
    for p, _ in model["init"] or ():
        if p not in names:
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            m.fail(f"init.{p}", f"unknown parameter; expected some of {shown}")
    classes = data["classes"]
    weights = class_weights(m, model.pop("class_weights"), {c: j for j, c in enumerate(classes)},
                            tuple(range(len(classes))), data["labels"], class_key)
    return MulticlassSpec(**model, **data, **weights)


def _none(*_):
    return ()


@dataclass(frozen=True)
class MulticlassStage:
    """What a multiclass panel draws that never changes: the data, the class names, the parameters' names and pure
    functions of a snapshot's values (safe from any thread: none touches the session's model or its counters)."""

    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]  # class indices
    classes: tuple[str, ...]
    params: tuple[str, ...]
    scores: Callable  # (values, X, Y) -> array of shape X.shape + (K,): the winning class has the highest score
    val_points: tuple[tuple[float, float], ...] = ()
    val_labels: tuple[int, ...] = ()
    hidden_names: tuple[str, ...] = ()  # net: n1..nH; mlp: h1[0].. layer by layer; svm: none
    neuron_lines: Callable = _none  # values -> ((name, a, b, c), ...): first-layer lines a*x + b*y + c = 0
    check_gradient: Callable = lambda values, h, centered: None  # backprop vs numerical, full batch
    hidden_at: Callable = _none  # (values, x, y) -> ((name, pre-activation, output), ...) for every hidden neuron


@dataclass(frozen=True)
class MulticlassDetail:
    """A multiclass snapshot's detail: the step's inside (None unless an analytic step), the measures per class,
    the held-out measures (None without a held-out set) and the dead hidden neurons (None: the svm)."""

    inside: ClassInside | None = None
    class_accuracy: Mapping[str, float | None] = field(default_factory=lambda: EMPTY)  # class -> fraction right
    confusion: tuple[tuple[int, ...], ...] = ()  # [true class][predicted class] counts over the training points
    val_accuracy: float | None = None
    val_cost: float | None = None  # the mean point loss on the held-out points, no spring
    dead: tuple[str, ...] | None = None
    dead_since: Mapping[str, int] = field(default_factory=lambda: EMPTY)


def _neuron_lines_fn(spec: MulticlassSpec, names) -> Callable:
    if spec.model == "svm":
        return _none
    rows = [(n, f"w1[{i},0]", f"w1[{i},1]", f"b1[{i}]") for i, n in enumerate(names[0])]
    return lambda v: tuple((n, float(v[a]), float(v[b]), float(v[c])) for n, a, b, c in rows)


def _hidden_at_fn(forward: Callable, names) -> Callable:
    def hidden_at(v, x, y):
        with np.errstate(all="ignore"):
            _, layers = forward(v, float(x), float(y))
        return tuple((n, float(p), float(o)) for (pre, out), ns in zip(layers, names) for n, p, o in zip(ns, pre, out))
    return hidden_at


def _batch_json(inside: ClassInside, classes) -> tuple:
    """The JSON form of a step's batch: each point's class name, scores, probabilities (softmax) and pulls."""
    out = []
    for p in inside.batch:
        row = {"index": p.index, "point": p.point, "label": classes[p.label], "scores": p.scores}
        if p.probs is not None:
            row["probs"] = p.probs
        row["pull"] = p.pull
        out.append(MappingProxyType(row))
    return tuple(out)


class MulticlassLesson(Lesson):
    kind = "classifier"
    losses = MULTICLASS_LOSSES  # lessons.read_classifier_file picks this kind by `[model] loss`
    output_name = "cost"
    measures = ("accuracy",)
    start_key = "model.init"
    read_spec = staticmethod(read_multiclass)
    spec_type = MulticlassSpec

    def __init__(self, spec: MulticlassSpec, rng: random.Random):
        self.spec, k = spec, len(spec.classes)
        layers = (spec.hidden,) if spec.model == "net" else spec.layers if spec.model == "mlp" else ()
        self.model = make_class_model(spec.model, k, spec.hidden, spec.layers)
        init_params(self.model, dict(spec.init) if spec.init else None, spec.init_scale, rng, spec.init_scheme,
                    spec.bias_start)
        self.objective = self._objective(spec)
        self._forward = forward_fn(self.model)
        self._X = np.array(spec.points, float).reshape(-1, 2)
        self._y = np.array(spec.labels, int)
        self._Xv = np.array(spec.val_points, float).reshape(-1, 2)
        self._names = class_hidden_names(spec.model, layers)
        self._dead_since: dict[str, int] = {}
        self._step = 0

        def private_objective():  # the gradient check's own model, at the same data and loss
            now = self.spec
            obj = tune(MulticlassObjective(make_class_model(spec.model, k, spec.hidden, spec.layers), spec.points,
                                           spec.labels, now.reg, now.loss), now)
            obj.batch = list(range(len(spec.labels)))  # the full batch
            return obj
        forward = self._forward
        self.stage = MulticlassStage(
            spec.points, spec.labels, spec.classes, tuple(self.model.params), lambda v, X, Y: forward(v, X, Y)[0],
            spec.val_points, spec.val_labels, tuple(n for layer in self._names for n in layer),
            _neuron_lines_fn(spec, self._names),
            ObjectiveChecker(private_objective, check_multiclass, relu_kinks_fn(forward, self._names, spec.points)),
            _hidden_at_fn(forward, self._names))

    def retune(self, spec: MulticlassSpec) -> None:
        """The spring, the loss or the batch turned: the same model and data, the next step uses them."""
        if spec.loss not in MULTICLASS_LOSSES:
            raise ValueError(f"a multiclass classifier takes {' or '.join(MULTICLASS_LOSSES)}, not {spec.loss}")
        if spec.dropout and spec.model == "svm":
            raise ValueError("dropout applies to the net and the mlp only, not the svm")
        if spec.engine != self.spec.engine:
            self.model.set(self.objective.get())  # the numpy engine keeps them in its own array: the model takes them
            self.objective = swapped(self.objective, self._objective(spec))
        else:
            tune(self.objective, spec)
        self.spec = spec
        self.stage.check_gradient.retune(reg=spec.reg, loss=spec.loss, l1=spec.l1, class_weights=weights_of(spec))

    def _objective(self, spec: MulticlassSpec):
        """The objective the spec's engine runs, over this lesson's model."""
        if spec.engine == "numpy":
            from ..vectorized import numpy_objective
            return numpy_objective(self.model, spec)
        return tune(MulticlassObjective(self.model, spec.points, spec.labels, spec.reg, spec.loss), spec)

    @property
    def alpha(self) -> float:
        """The cost's regularisation strength: reg * N / 2, as the binary classifier's."""
        return self.spec.reg * len(self.spec.labels) / 2

    def before_step(self, rng: random.Random, settings=None) -> None:
        self._step += 1
        self.objective.inside = None  # only an analytic step's pull() records one
        n = len(self.spec.labels)
        self.objective.batch = list(range(n)) if self.spec.batch == "full" else [rng.randrange(n)]
        if self.model.layers:  # dropout's masks for this step (none and no draw when it is off)
            self.objective.masks = draw_masks(rng, len(self.objective.batch), self.model.layers, self.spec.dropout)

    def batch_size(self) -> int:
        return len(self.spec.labels) if self.spec.batch == "full" else 1

    def measure(self, wire_grads: bool) -> Measured:
        v, spec, k = dict(zip(self.model.params, self.objective.get())), self.spec, len(self.spec.classes)
        cw = weights_of(spec)
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not as a warning on stderr
            scores, layers = self._forward(v, self._X[:, 0], self._X[:, 1])
            weights = [v[p] for p in self.model.regularized]
            if cw is None:
                output = cost(scores, self._y, weights, self.alpha, spec.loss)
            else:  # each point's loss times its class's weight
                point = losses(scores, self._y, spec.loss) * np.array([cw[y] for y in spec.labels])
                output = float(np.sum(point)) + self.alpha * float(sum(w * w for w in weights))
            if spec.l1:
                output += l1_cost(weights, spec.l1, len(spec.labels))
            predicted = np.argmax(scores, axis=1)
            accuracy = float(np.mean(predicted == self._y))
            confusion = np.zeros((k, k), int)
            np.add.at(confusion, (self._y, predicted), 1)  # row: the true class, column: the winning one
            dead = dead_neurons(layers, self._names) if self._names else None
            val_accuracy = val_cost = None
            if len(self._Xv):
                val_scores, _ = self._forward(v, self._Xv[:, 0], self._Xv[:, 1])
                val_y = np.array(spec.val_labels, int)
                val_accuracy = float(np.mean(np.argmax(val_scores, axis=1) == val_y))
                val_point = losses(val_scores, val_y, spec.loss)
                if cw is not None:
                    val_point = val_point * np.array([cw[y] for y in spec.val_labels])
                val_cost = float(np.mean(val_point))
        totals = confusion.sum(axis=1)
        class_accuracy = MappingProxyType({c: float(confusion[j, j] / totals[j]) if totals[j] else None
                                           for j, c in enumerate(spec.classes)})
        confusion_rows = tuple(tuple(int(x) for x in row) for row in confusion)
        inside = self.objective.inside
        since = EMPTY if dead is None else update_dead_since(self._dead_since, dead, self._step)
        extra = {"val_accuracy": val_accuracy, "val_cost": val_cost, "class_accuracy": class_accuracy,
                 "confusion": confusion_rows, "batch": None, "data_pull": None, "spring_pull": None}
        if inside is not None:
            extra.update(batch=_batch_json(inside, spec.classes), data_pull=inside.data_pull,
                         spring_pull=inside.spring_pull)
        if dead is not None:  # the svm has no hidden neurons: no keys for them
            extra.update(hidden=None if inside is None else inside.hidden, dead=dead)
        detail = MulticlassDetail(inside, class_accuracy, confusion_rows, val_accuracy, val_cost, dead, since)
        return Measured(output, v, {"accuracy": accuracy}, detail, extra)

    def first_non_finite_detail(self, detail: MulticlassDetail) -> str | None:
        bad = first_non_finite_inside(detail.inside)
        if bad is None and detail.val_cost is not None and not math.isfinite(detail.val_cost):
            return f"the held-out cost became {detail.val_cost}"
        return bad

