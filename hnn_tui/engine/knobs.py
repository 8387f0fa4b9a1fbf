"""A classifier's knobs beyond the step: the spring, the loss, the batch, L1, dropout, the class weights, the
engine, and what rebuilds the lesson (the seed, the net's neurons, the mlp's layers, the init scheme, the starting
bias, the data: which set, how many points, how much noise).

Two kinds of change, told apart here once: a *live* one (LIVE) applies from the next step to the same parameters;
a *rebuild* (everything else) makes a new spec whose start is drawn again, so training restarts.
Every change goes through the scenario reader's own limits, so a knob can never make a spec a file could not.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import datasets, heldout, penalties
from .lessons.classifier import ENGINES, MAX_POINTS, ClassifierSpec
from .models import MAX_HIDDEN
from .multiclass_losses import MULTICLASS_LOSSES
from .regression_losses import LOSSES as REGRESSION_LOSSES

# 1-2-5 values for the knobs, from 1e-12: h that small shows round-off (the check's error grows again as h shrinks)
LADDER = tuple(m * 10.0**e for e in range(-12, 3) for m in (1, 2, 5))
TRIES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)  # random search

LIVE = ("reg", "loss", "batch", "l1", "dropout", "weights", "engine")
LOSSES = ("hinge", "squared_hinge")
BATCHES = ("sgd", "full")
REG_LADDER = (0.0,) + tuple(v for v in LADDER if 1e-4 <= v <= 10)  # the spring: off, then 0.0001 ... 10
L1_LADDER = (0.0,) + tuple(v for v in LADDER if 1e-4 <= v <= 1)  # L1: off, then 0.0001 ... 1
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)  # the fraction of hidden units dropped in training
BIAS_STARTS = (None, -2.0, -1.0, -0.5, 0.0, 0.1, 0.5, 1.0)  # None: the biases start as the model draws them
DROPOUT_MODELS = {"classifier": ("mlp",), "multiclass": ("net", "mlp"), "regression": ("net", "mlp")}
SIZES = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, MAX_POINTS)  # generated datasets' points
NOISES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
LAYERS = ((2,), (4,), (8,), (16,), (4, 4), (8, 8), (16, 16), (16, 16, 16), (32, 32))  # the mlp's shapes, in order
INLINE = "inline"  # the scenario's own points


@dataclass(frozen=True)
class Data:
    """Where a classifier's points come from: a named set (its size, noise and seed for a generated one), or the
    scenario's own points (INLINE)."""

    name: str
    n: int = 100
    noise: float = 0.1
    seed: int = 0

    @property
    def generated(self) -> bool:
        return self.name in datasets.GENERATORS

    def describe(self) -> str:
        if self.generated:
            return f"{self.name} ({self.n:,}, noise {self.noise:g})"
        return self.name


def step(ladder, value, up: bool):
    """The next rung of `ladder` above (or below) `value`; the end rungs hold."""
    if up:
        return next((v for v in ladder if v > value), ladder[-1])
    return next((v for v in reversed(ladder) if v < value), ladder[0])


def cycle(options, value, forward: bool = True):
    """The option after (or before) `value`, going round; the first when `value` is not among them."""
    if value not in options:
        return options[0]
    return options[(options.index(value) + (1 if forward else -1)) % len(options)]


def live(spec: ClassifierSpec, name: str, up: bool = True) -> ClassifierSpec:
    """`spec` with the live knob `name` turned one notch: reg along REG_LADDER, loss and batch to the other one, l1
    along L1_LADDER, dropout along DROPOUTS (models with hidden vector layers only), weights equal <-> balanced and
    engine python <-> numpy (classifiers only). ValueError for a knob this spec has not."""
    if name == "reg":
        return replace(spec, reg=step(REG_LADDER, spec.reg, up))
    if name == "loss":  # within the spec's own family: the two hinges, the multiclass losses, the regression losses
        family = next((f for f in (MULTICLASS_LOSSES, REGRESSION_LOSSES) if spec.loss in f), LOSSES)
        return replace(spec, loss=cycle(family, spec.loss, up))
    if name == "batch":
        return replace(spec, batch=cycle(BATCHES, spec.batch, up))
    if name == "l1":
        return replace(spec, l1=step(L1_LADDER, spec.l1, up))
    if name == "dropout":
        models = DROPOUT_MODELS[_family(spec)]
        if spec.model not in models:
            raise ValueError(f"dropout applies to the {' and the '.join(models)} only, not the {spec.model}")
        return replace(spec, dropout=step(DROPOUTS, spec.dropout, up))
    if name == "weights":  # equal <-> balanced
        if not hasattr(spec, "class_weights"):
            raise ValueError("class weights apply to the classifiers only")
        if spec.class_weights_mode == penalties.BALANCED:
            return replace(spec, class_weights=None, class_weights_mode=None)
        return balanced(spec)
    if name == "engine":
        if not hasattr(spec, "engine"):
            raise ValueError("the numpy engine runs the classifiers only")
        return replace(spec, engine=cycle(ENGINES, spec.engine, up))
    raise ValueError(f"{name!r} is not a live knob; expected one of {', '.join(LIVE)}")


def _family(spec) -> str:
    return "multiclass" if hasattr(spec, "classes") else "classifier" if hasattr(spec, "class_weights") else \
        "regression"


def balanced(spec):
    """`spec` with balanced class weights, N / (K * n_c) over its training labels."""
    classes = tuple(range(len(spec.classes))) if hasattr(spec, "classes") else (1, -1)
    return replace(spec, class_weights=penalties.balanced(spec.labels, classes),
                   class_weights_mode=penalties.BALANCED)


def bias_step(value: float | None, up: bool) -> float | None:
    """The next starting bias along BIAS_STARTS above (or below) `value`; None is below every number."""
    numbers = BIAS_STARTS[1:]
    if value is None:
        return numbers[0] if up else None
    if up:
        return next((v for v in numbers if v > value), numbers[-1])
    return next((v for v in reversed(numbers) if v < value), None)


def data_of(spec: ClassifierSpec, data: Data | None) -> Data:
    """The Data a spec's points came from: the one a knob drew last, else what the scenario reader recorded (a
    generated set's size before the held-out split, its noise, and `[data] seed`)."""
    if data is not None:
        return data
    n = len(spec.labels) + len(spec.val_labels) if hasattr(spec, "labels") else len(spec.xs) + len(spec.val_xs)
    if spec.dataset in datasets.GENERATORS:
        return Data(spec.dataset, spec.data_n or n, 0.1 if spec.data_noise is None else spec.data_noise,
                    spec.data_seed)
    return Data(spec.dataset if spec.dataset != INLINE else INLINE, n, seed=spec.data_seed)


def with_data(spec: ClassifierSpec, data: Data, own: tuple | None) -> ClassifierSpec:
    """`spec` on the points of `data`, split as `[data] validation` says (engine.heldout); `own` = the scenario's
    own data as loaded, for INLINE: (points, labels), or (points, labels, held-out points, held-out labels)."""
    if data.name == INLINE:
        own = own or (spec.points, spec.labels, spec.val_points, spec.val_labels)
        points, labels, val_points, val_labels = own if len(own) == 4 else (*own, (), ())
        return replace(spec, points=points, labels=labels, val_points=val_points, val_labels=val_labels,
                       dataset=INLINE, data_n=None, data_noise=None)
    points, labels = datasets.load(data.name, data.n, data.noise, data.seed)
    points = tuple(tuple(map(float, p)) for p in points)
    train, train_labels, val, val_labels = heldout.split(points, tuple(labels), spec.validation, data.seed)
    for c in (1, -1):
        if c not in train_labels:
            raise ValueError(f"holding out {len(val)} of {len(points)} points leaves no {c:+d} point to train on")
    generated = data.name in datasets.GENERATORS
    out = replace(spec, points=train, labels=train_labels, val_points=val, val_labels=val_labels,
                  dataset=data.name, csv=None, data_seed=data.seed, data_n=data.n if generated else None,
                  data_noise=data.noise if generated else None)
    return balanced(out) if getattr(out, "class_weights_mode", None) == penalties.BALANCED else out


def rebuilt(spec: ClassifierSpec, data: Data, own, knob: str, up: bool = True) -> tuple[ClassifierSpec, Data, str]:
    """`spec` with a rebuilding knob turned one notch: (the new spec, its data, what changed in words).

    knob: "hidden" (the net's neurons, 1 to MAX_HIDDEN), "layers" (the mlp's shape, along LAYERS), "init" (the
    next init scheme), "bias" (the starting bias along BIAS_STARTS), "dataset" (the next set: the scenario's own
    first, then every named one), "n" and "noise" (a generated set's size and noise). A starting point given in
    the file (`init`) no longer fits a new shape, nor a new way to draw the start: those start from random weights.
    """
    if knob == "init":
        scheme = cycle(penalties.INIT_SCHEMES, spec.init_scheme, up)
        return replace(spec, init_scheme=scheme, init=None), data, f"init {scheme}"
    if knob == "bias":
        bias = bias_step(spec.bias_start, up)
        words = "as the model draws them" if bias is None else f"at {bias:g}"
        return replace(spec, bias_start=bias, init=None), data, f"biases start {words}"
    if knob == "hidden":
        if spec.model != "net":
            raise ValueError("only the net has a number of hidden neurons to change")
        hidden = max(1, min(MAX_HIDDEN, spec.hidden + (1 if up else -1)))
        return replace(spec, hidden=hidden, init=None), data, f"{hidden} hidden neurons"
    if knob == "layers":
        if spec.model != "mlp":
            raise ValueError("only the mlp has layers to change")
        layers = step(LAYERS, spec.layers, up) if spec.layers in LAYERS else LAYERS[0]
        return replace(spec, layers=layers, init=None), data, f"layers {list(layers)}"
    if knob in ("dataset", "n", "noise"):
        names = ((INLINE,) if own else ()) + datasets.DATASETS
        if knob == "dataset":
            for _ in names:
                was = data.generated
                data = replace(data, name=cycle(names, data.name, up))
                if data.generated and not was:  # from a fixed set: a generated one starts at its usual size
                    data = replace(data, n=100)
                try:
                    return with_data(spec, data, own), data, f"data {data.describe()}"
                except ValueError:  # too few points for the held-out split to leave both classes: the next set
                    continue
            raise ValueError("no dataset leaves points of both classes to train on beside the held-out ones")
        if not data.generated:
            raise ValueError(f"{data.name} is a fixed set: its size and noise cannot change (d picks another)")
        elif knob == "n":
            data = replace(data, n=step(SIZES, data.n, up))
        else:
            data = replace(data, noise=step(NOISES, data.noise, up))
        return with_data(spec, data, own), data, f"data {data.describe()}"
    raise ValueError(f"unknown knob {knob!r}")
