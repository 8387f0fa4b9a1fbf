"""What the strategies make higher: a circuit's output, or minus a classifier's loss; and the losses themselves."""
from __future__ import annotations

import threading
from typing import Protocol

import numpy as np

from .circuit import Circuit
from .inside import ForcePoint, Inside, hidden_reader, record_pull
from .penalties import add_spring, penalty

LOSSES = ("hinge", "squared_hinge")
NEVER = threading.Event()  # an objective's `stop` until a session gives it one: never set


class Interrupted(Exception):
    """A step abandoned between two forward passes (the app quits, the lesson is reset); its objective is not
    used again."""


class Objective(Protocol):
    """Something to increase: named parameters, a forward (value) and a backward (pull on each). Once `stop` is
    set, the next forward pass raises Interrupted instead."""

    names: list[str]
    forward_passes: int
    backward_passes: int
    stop: threading.Event

    def get(self) -> list[float]: ...

    def set(self, values: list[float]) -> None: ...

    def evaluate(self) -> float: ...  # forward pass(es) at the current parameters

    def pull(self) -> list[float]: ...  # forward + backward: d(value)/d(parameter)


class CircuitObjective:
    """A circuit's output as the thing to increase, over its trainable inputs."""

    def __init__(self, circuit: Circuit, trainable: list[str], pull: float = 1.0):
        self.circuit, self.names = circuit, list(trainable)
        self.units = [circuit.inputs[n] for n in self.names]
        self.forward_passes = self.backward_passes = 0
        self.stop = NEVER
        self.output_pull = pull  # the tug on the output: +1 makes it higher, -1 lower, 2 pulls twice as hard

    def get(self):
        return [u.value for u in self.units]

    def set(self, values):
        for u, v in zip(self.units, values):
            u.value = v

    def evaluate(self) -> float:
        if self.stop.is_set():
            raise Interrupted
        self.forward_passes += 1
        return self.output_pull * self.circuit.forward()  # d/dx of pull * output = pull * d output / dx

    def pull(self):
        if self.stop.is_set():
            raise Interrupted
        self.circuit.forward()
        grads = self.circuit.backward(self.output_pull)  # tug on the output with force `pull` (the guide: +1)
        self.forward_passes += 1
        self.backward_passes += 1
        return [grads[n] for n in self.names]


# ---- the classifiers' losses: the guide's force specification on a score ------------------------

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


def cost(scores, labels, weights, alpha: float, loss: str = "hinge", point_weights=None) -> float:
    """The guide's cost: sum of per-point losses (each times its class's weight, when given) + alpha * sum of
    squared weights (not biases)."""
    margins = np.maximum(0.0, 1.0 - np.asarray(labels, float) * np.asarray(scores, float))
    point = margins if loss == "hinge" else margins**2
    data = float(np.sum(point if point_weights is None else point * np.asarray(point_weights, float)))
    return data + alpha * float(sum(w * w for w in weights))


class ClassifierObjective:
    """The objective to increase is minus the loss on a batch: mean point loss + reg/2 * |weights|^2, with the
    craft of chapter 3 when switched on (engine.penalties): `l1` * |weights|_1 on `l1_idx`, each point's loss times
    its class's weight (`class_weights`: label -> weight, None: all 1), and the mlp's dropout `masks` (one per
    batch point, one list of multipliers per hidden layer; None: the full net)."""

    def __init__(self, model, points, labels, reg: float, loss: str = "hinge"):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
        self.model, self.points, self.labels, self.reg, self.loss = model, points, labels, reg, loss
        self.names = list(model.params)
        self.batch: list[int] = []
        self.forward_passes = self.backward_passes = 0
        self.stop = NEVER
        self._reg_idx = [model.params.index(p) for p in model.regularized]
        self.l1, self.l1_idx = 0.0, self._reg_idx  # L1 pulls on the same weights as the spring
        self.class_weights: dict[int, float] | None = None
        self.masks: list | None = None
        self._hidden = hidden_reader(model)
        self.inside: Inside | None = None  # what the last pull() did; the lesson resets it before every step

    def get(self):
        return self.model.get()

    def set(self, values):
        self.model.set(values)

    def evaluate(self) -> float:
        m, total, stop, masks, cw = self.model, 0.0, self.stop, self.masks, self.class_weights
        for b, i in enumerate(self.batch):
            if stop.is_set():  # a wide model on thousands of points: one evaluation can take seconds
                raise Interrupted
            x, y = self.points[i]
            if masks is not None:
                m.mask = masks[b]  # dropout: this point's units
            loss = point_loss(m.score(x, y), self.labels[i], self.loss)
            total += loss if cw is None else cw[self.labels[i]] * loss  # class weight: w_c * loss
        if masks is not None:
            m.mask = None
        self.forward_passes += len(self.batch)
        return -(total / len(self.batch) + penalty(m.get(), self._reg_idx, self.reg, self.l1))

    def pull(self) -> list[float]:
        """The guide's forces: the hinge pull backpropagated, averaged, plus the spring -reg * w. What it did is
        left in `inside` (see inside.Inside): the batch's scores and pulls, and the data and spring parts."""
        m, n, stop, labels = self.model, len(self.batch), self.stop, self.labels
        masks, cw = self.masks, self.class_weights
        m.zero_grad()
        rows = []
        for b, i in enumerate(self.batch):
            if stop.is_set():
                raise Interrupted
            x, y = self.points[i]
            if masks is not None:
                m.mask = masks[b]  # dropout: this point's units, forward and back
            score = m.score(x, y)
            pull = hinge_pull(score, labels[i], self.loss)  # -d loss / d score: the force spec on the score
            if cw is not None:
                pull *= cw[labels[i]]  # d/dscore of w_c * loss = w_c * d loss / dscore
            m.backward(pull)  # the grads add up over the batch: d/dp += pull * d score / dp
            rows.append(ForcePoint(i, (x, y), labels[i], score, pull))
        hidden = self._hidden() if n == 1 else None  # the model still holds the one point's forward pass
        if masks is not None:
            m.mask = None
        self.forward_passes += n
        self.backward_passes += n
        data = [g / n for g in m.grads()]  # the mean over the batch
        grads, spring = list(data), [0.0] * len(data)
        add_spring(grads, spring, m.get(), self._reg_idx, self.reg, self.l1)  # g/n + (-reg*w), data + spring
        self.inside = record_pull(self.names, rows, data, spring, hidden)
        return grads
