"""Chapter 3's regression: the losses on one prediction p of a target t, their pulls, and the objective they make.

The guide: "tiny changes needed to cost function". A classifier's hinge pulls a score towards the right side of
a margin; a regression loss pulls the prediction p towards its target t. With the residual r = p - t:

    squared  (L2):  loss = r^2                                        pull = -2r
    absolute (L1):  loss = |r|                                        pull = -sign(r), 0 at r = 0
    huber:          loss = r^2 / 2                 for |r| <= delta   pull = -r clipped to [-delta, delta]
                    loss = delta * (|r| - delta/2) for |r| >  delta

The pull is the guide's force on the prediction, minus d loss / d p; backprop carries it into the parameters.
The cost is the classifiers' convention: sum of point losses + alpha * sum of squared weights, alpha = reg * N / 2.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from .objectives import NEVER, Interrupted
from .penalties import add_spring, penalty

LOSSES = ("squared", "absolute", "huber")


def point_loss(p: float, t: float, loss: str = "squared", delta: float = 1.0) -> float:
    """The loss of predicting p for the target t (see the module's table)."""
    r = p - t
    if loss == "squared":
        return r * r  # (p - t)^2
    if loss == "absolute":
        return abs(r)  # |p - t|
    if abs(r) <= delta:
        return 0.5 * r * r  # huber near the target: half the square
    return delta * (abs(r) - 0.5 * delta)  # huber far away: a straight line of slope delta, joined smoothly


def point_pull(p: float, t: float, loss: str = "squared", delta: float = 1.0) -> float:
    """The force spec on the prediction: minus d loss / d p."""
    r = p - t
    if loss == "squared":
        return -2.0 * r + 0.0  # d/dp (p - t)^2 = 2 (p - t); + 0.0: no -0.0 at r = 0
    if loss == "absolute":
        return -1.0 if r > 0 else (1.0 if r < 0 else 0.0)  # d/dp |p - t| = sign(p - t); 0 at the kink
    return -min(delta, max(-delta, r)) + 0.0  # d/dp huber = r inside the band, ±delta outside


def losses(predictions, targets, loss: str = "squared", delta: float = 1.0) -> np.ndarray:
    """point_loss over numpy arrays, element by element."""
    r = np.asarray(predictions, float) - np.asarray(targets, float)
    if loss == "squared":
        return r * r
    a = np.abs(r)
    if loss == "absolute":
        return a
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def cost(predictions, targets, weights, alpha: float, loss: str = "squared", delta: float = 1.0) -> float:
    """The cost shown: sum of point losses + alpha * sum of squared weights (not biases); L1's part is added by the
    lesson (penalties.l1_cost)."""
    data = float(np.sum(losses(predictions, targets, loss, delta)))
    return data + alpha * float(sum(w * w for w in weights))


def rmse(predictions, targets) -> float:
    """sqrt(mean((p - t)^2)): the typical miss, in the targets' units, whatever the loss."""
    r = np.asarray(predictions, float) - np.asarray(targets, float)
    return float(np.sqrt(np.mean(r * r)))


def on_kink(p: float, t: float, loss: str, delta: float) -> bool:
    """The point sits exactly where its loss bends: r = 0 for the absolute loss, |r| = delta for huber."""
    r = p - t
    return (loss == "absolute" and r == 0.0) or (loss == "huber" and abs(r) == delta)


# ---- inside a step: what a panel shows of the pull ---------------------------------------------------------

class FitPoint(NamedTuple):
    """One point of a step's batch, before the step: its prediction, residual and the pull the loss put on it."""

    index: int  # into the training data
    x: float
    target: float
    prediction: float
    residual: float  # target - prediction: how far up (> 0) the point wants the curve
    pull: float  # minus d loss / d prediction (point_pull)


@dataclass(frozen=True)
class FitInside:
    """What one analytic step did: its batch, and its pull split so that grads == data_pull + spring_pull."""

    batch: tuple[FitPoint, ...]
    data_pull: Mapping[str, float]  # the batch's pulls backpropagated and averaged (g / n)
    spring_pull: Mapping[str, float]  # -reg * w on the weights, 0.0 on the biases


class RegressionObjective:
    """The objective to increase is minus the loss on a batch: mean point loss + reg/2 * |weights|^2. The model is
    a models.MLP with one input and one output; `batch` holds the indices of the points a step uses. With the craft
    of chapter 3 (engine.penalties): `l1` * |weights|_1 on `l1_idx`, and dropout `masks` for the hidden units."""

    def __init__(self, model, xs, targets, reg: float, loss: str = "squared", delta: float = 1.0):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        self.model, self.xs, self.targets = model, xs, targets
        self.reg, self.loss, self.delta = reg, loss, delta
        self.names = list(model.params)
        self.batch: list[int] = []
        self.forward_passes = self.backward_passes = 0
        self.stop = NEVER
        self._reg_idx = [model.params.index(p) for p in model.regularized]
        self.l1, self.l1_idx = 0.0, self._reg_idx  # L1 pulls on the same weights as the spring
        self.masks: list | None = None
        self.inside: FitInside | None = None  # what the last pull() did; the lesson resets it before every step

    def get(self):
        return self.model.get()

    def set(self, values):
        self.model.set(values)

    def evaluate(self) -> float:
        m, total, stop, masks = self.model, 0.0, self.stop, self.masks
        for b, i in enumerate(self.batch):
            if stop.is_set():
                raise Interrupted
            if masks is not None:
                m.mask = masks[b]  # dropout: this point's units
            total += point_loss(m.outputs((self.xs[i],))[0], self.targets[i], self.loss, self.delta)
        m.mask = None
        self.forward_passes += len(self.batch)
        return -(total / len(self.batch) + penalty(m.get(), self._reg_idx, self.reg, self.l1))

    def pull(self) -> list[float]:
        """The loss's pull on each prediction backpropagated, averaged, plus the spring -reg * w; what it did is left
        in `inside`."""
        m, n, stop, masks = self.model, len(self.batch), self.stop, self.masks
        m.zero_grad()
        rows = []
        for b, i in enumerate(self.batch):
            if stop.is_set():
                raise Interrupted
            if masks is not None:
                m.mask = masks[b]  # dropout: this point's units, forward and back
            x, t = self.xs[i], self.targets[i]
            p = m.outputs((x,))[0]
            pull = point_pull(p, t, self.loss, self.delta)  # -d loss / d p: the force spec on the prediction
            m.backward_all((pull,))  # the grads add up over the batch: d/dw += pull * d p / dw
            rows.append(FitPoint(i, x, t, p, t - p, pull))
        m.mask = None
        self.forward_passes += n
        self.backward_passes += n
        data = [g / n for g in m.grads()]  # the mean over the batch
        grads, spring = list(data), [0.0] * len(data)
        add_spring(grads, spring, m.get(), self._reg_idx, self.reg, self.l1)
        self.inside = FitInside(tuple(rows), MappingProxyType(dict(zip(self.names, data))),
                                MappingProxyType(dict(zip(self.names, spring))))
        return grads


def first_non_finite_fit(inside: FitInside | None) -> str | None:
    """Name a batch prediction or pull that is not finite (the grads are checked by the session)."""
    if inside is None or math.isfinite(sum(p.prediction + p.pull for p in inside.batch)):
        return None
    for p in inside.batch:
        for what, x in (("prediction", p.prediction), ("pull", p.pull)):
            if not math.isfinite(x):
                return f"the {what} of point {p.index} became {x}"
    return None
