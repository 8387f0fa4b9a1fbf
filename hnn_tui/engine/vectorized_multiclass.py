"""The vectorized engine for K classes: multiclass_objective.MulticlassObjective over numpy arrays (see vectorized).
The loss's pull on every score of every point at once, then the same layer-at-a-time backward as the binary's."""
from __future__ import annotations

import numpy as np

from . import multiclass_losses as ml
from .multiclass_objective import ClassInside, ClassPoint
from .vectorized import BatchedObjective
from .vectorized_inside import LazyBatch, record_of


def softmax_pulls(S: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, G): the class probabilities p_k = exp(s_k) / sum_j exp(s_j) of each point (a row), and the pulls
    -d loss / d s_k = [k == y] - p_k (the right score up by 1 - p_y, each wrong one down by its p_k)."""
    P = ml.probabilities(S)
    G = -P
    G[np.arange(len(y)), y] += 1.0
    return P, G


def hinge_pulls(S: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-d loss / d s_k of sum over k != y of max(0, s_k - s_y + 1): -1 on each violating wrong class, and +1 per
    violator on the right class (at the kink, s_k - s_y + 1 == 0, nothing)."""
    rows = np.arange(len(y))
    violates = S - S[rows, y][:, None] + ml.MARGIN > 0.0
    violates[rows, y] = False  # k == y is not a violator
    G = -violates.astype(float)
    G[rows, y] = violates.sum(axis=1)
    return G


class NumpyMulticlassObjective(BatchedObjective):
    """The multiclass objective: minus (the mean softmax or multiclass-hinge loss + the spring), K scores a point."""

    def __init__(self, model, points, labels, reg: float, loss: str):
        if loss not in ml.MULTICLASS_LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(ml.MULTICLASS_LOSSES)}")
        super().__init__(model, points, labels, reg, loss, model.n_out)
        self._probs = None

    def _point_losses(self, S, y):
        return ml.losses(S, y, self.loss)

    def _score_pulls(self, S, y):
        if self.loss == "softmax":
            self._probs, G = softmax_pulls(S, y)
            return G
        self._probs = None
        return hinge_pulls(S, y)

    def _record(self, at, S, G, data, spring, hidden):
        (points, labels), P = self.picked(at), self._probs

        def rows():  # as multiclass_objective.MulticlassObjective records them
            probs = map(tuple, P.tolist()) if P is not None else [None] * len(at)
            return tuple(map(record_of(ClassPoint), zip(at, map(tuple, points), labels, map(tuple, S.tolist()), probs,
                                                        map(tuple, G.tolist()))))
        return LazyClassInside(rows, data, spring, hidden)


class LazyClassInside(LazyBatch, ClassInside):
    """multiclass_objective.ClassInside with its batch made when read."""
