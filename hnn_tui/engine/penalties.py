"""Chapter 3's craft on top of a loss, one home for the three kinds (binary, multiclass, regression): L1 on the
weights beside the L2 spring, per-class weights on the point losses, dropout masks on the hidden units; and the
`[model]` keys that switch them on (`init_scheme`, `bias_start`, `l1`, `dropout`, `class_weights`).

Everything here is off by default and draws nothing from the random stream when off, so a scenario without these
keys gives exactly the numbers it gave before they existed.

    L1:       penalty l1 * sum |w|          pull -l1 * sign(w), sign(0) = 0   (the update's proximal step zeroes w)
    L2:       penalty reg/2 * sum w^2       pull -reg * w                      (the guide's spring)
    weights:  point loss * w_c              pull * w_c                         (c = the point's class)
    dropout:  out_i = m_i * relu(pre_i)     d/d relu_i = m_i, m_i = 1/(1-p) kept, 0 dropped (inverted dropout)
"""
from __future__ import annotations

import math
import random

from .initialization import INIT_SCHEMES
from .table import Table, short

BALANCED = "balanced"


# ---- the regularizers on the weights (the parameters in `idx`: never the biases) -------------------------------

def sign(x: float) -> float:
    """-1, 0 or +1: the subgradient of |x| that backprop takes (0 at the kink)."""
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def penalty(params, idx, reg: float, l1: float = 0.0) -> float:
    """reg/2 * sum w^2 (+ l1 * sum |w| when l1 > 0) over the weights: the per-point objective's regularizer."""
    out = 0.5 * reg * sum(params[j] ** 2 for j in idx)
    if l1:  # only then: without L1 the sum is the very one it always was, bit for bit
        out += l1 * sum(abs(params[j]) for j in idx)
    return out


def add_spring(grads, spring, params, idx, reg: float, l1: float = 0.0) -> None:
    """The regularizers' pull on each weight, into `spring` and added to `grads` (so grads == data + spring):
    d/dw of -(reg/2 * w^2 + l1 * |w|) = -reg * w - l1 * sign(w)."""
    for j in idx:
        spring[j] = -reg * params[j]  # spring: d/dw of -reg/2 * w^2
        if l1:
            spring[j] -= l1 * sign(params[j])  # L1: d/dw of -l1 * |w|, 0 at w = 0
        grads[j] += spring[j]


def l1_cost(weights, l1: float, n: int) -> float:
    """The L1 part of the cost shown: l1 * N * sum |w| (N times the per-point objective's, as the spring's
    alpha = reg * N / 2 is)."""
    return l1 * n * float(sum(abs(w) for w in weights))


# ---- class weights -------------------------------------------------------------------------------------------

def balanced(labels, classes) -> tuple[tuple, ...]:
    """w_c = N / (K * n_c) over the training labels: every class weighs as much in total (a class with no point
    keeps 1.0)."""
    n, k = len(labels), len(classes)
    counts = {c: 0 for c in classes}
    for y in labels:
        counts[y] += 1
    return tuple((c, n / (k * counts[c]) if counts[c] else 1.0) for c in classes)


def weights_of(spec) -> dict | None:
    """label -> weight for the spec's loss (None: every class weighs 1). "balanced" is worked out again from the
    spec's own training labels, so a spec whose points changed (a knob, an edit) stays balanced."""
    mode, given = getattr(spec, "class_weights_mode", None), getattr(spec, "class_weights", None)
    if mode == BALANCED:
        classes = tuple(range(len(spec.classes))) if hasattr(spec, "classes") else (1, -1)
        return dict(balanced(spec.labels, classes))
    return None if given is None else dict(given)


def point_weights(labels, weights: dict | None):
    """Each point's weight, by its label; None when every class weighs 1."""
    return None if weights is None else [weights[y] for y in labels]


def tune(objective, spec):
    """`objective` with the spec's live knobs: the spring, the loss (and huber's delta), L1, the class weights
    (dropout's masks are drawn before each step)."""
    objective.reg, objective.loss, objective.l1 = spec.reg, spec.loss, spec.l1
    if hasattr(spec, "delta"):
        objective.delta = spec.delta
    if hasattr(spec, "class_weights"):
        objective.class_weights = weights_of(spec)
    return objective


# ---- dropout -------------------------------------------------------------------------------------------------

def draw_masks(rng: random.Random, batch_len: int, widths, p: float) -> list[list[list[float]]] | None:
    """One step's masks: for each batch point, each hidden layer, each unit in order, keep = rng.random() >= p and
    the multiplier 1/(1-p) kept (inverted dropout: the expected output is the full net's), 0.0 dropped. None and
    no draw at all when p == 0."""
    if not p:
        return None
    scale = 1.0 / (1.0 - p)
    return [[[scale if rng.random() >= p else 0.0 for _ in range(w)] for w in widths] for _ in range(batch_len)]


# ---- the [model] keys ----------------------------------------------------------------------------------------

def read_craft(m: Table, model: str, dropout_models: tuple[str, ...], weights: bool) -> dict:
    """init_scheme, bias_start, l1, dropout and (classifiers: `weights`) the raw class_weights, checked; the
    class weights are resolved against the data by class_weights()."""
    out = dict(init_scheme=m.choice("init_scheme", INIT_SCHEMES, "uniform"),
               bias_start=m.number("bias_start", None),
               l1=m.number("l1", 0.0, minimum=0.0),
               dropout=m.number("dropout", 0.0, minimum=0.0))
    if out["dropout"] >= 1:
        m.fail("dropout", f"expected the fraction of hidden units dropped, 0 <= dropout < 1, got {out['dropout']}")
    if out["dropout"] and model not in dropout_models:
        allowed = " or ".join(f'type = "{t}"' for t in dropout_models)
        m.fail("dropout", f'applies to {allowed} (layers of vector neurons) only; this model is type = "{model}"')
    if weights:
        raw = m.get("class_weights", (dict, str), None, 'a table of class name -> weight, or "balanced"')
        if isinstance(raw, str) and raw != BALANCED:
            m.fail("class_weights", f'expected "balanced" or a table of class name -> weight, got {short(raw)}')
        out["class_weights"] = raw
    return out


def class_weights(m: Table, raw, names: dict, classes, labels, key_of=str) -> dict:
    """The spec's class_weights and class_weights_mode from the raw `[model] class_weights`: `names` maps each class
    name (as `key_of` writes a table key) to its label; `classes` are the labels in order; `labels` the training
    ones. A class the table leaves out weighs 1."""
    if raw is None:
        return dict(class_weights=None, class_weights_mode=None)
    if raw == BALANCED:
        return dict(class_weights=balanced(labels, classes), class_weights_mode=BALANCED)
    given = {}
    for key, v in raw.items():
        if key_of(key) not in names:
            m.fail(f"class_weights.{key}", f"unknown class; expected some of {', '.join(names)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v > 0):
            m.fail(f"class_weights.{key}", f"expected a finite number greater than 0, got {short(v)}")
        given[names[key_of(key)]] = float(v)
    return dict(class_weights=tuple((c, given.get(c, 1.0)) for c in classes), class_weights_mode=None)
