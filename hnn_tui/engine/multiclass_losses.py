"""The guide's chapter 3 losses for K classes: softmax cross-entropy and the multiclass SVM (Weston-Watkins, as in
CS231n). Pure functions of one point's class scores s_1..s_K and its class y (an index 0..K-1), with their pull:
the force specification on each score, minus d(point loss)/d(s_k). Each has a scalar form for the objective's
per-point steps and a numpy form for a snapshot's cost over every point; both compute the same numbers.
"""
from __future__ import annotations

import math

import numpy as np

MULTICLASS_LOSSES = ("softmax", "multiclass_hinge")
MARGIN = 1.0  # the SVM wants the right class's score at least this far above every wrong one


# ---- softmax: p_k = exp(s_k) / sum_j exp(s_j); loss = -log p_y ---------------------------------------------

def log_sum_exp(scores) -> float:
    """log sum_k exp(s_k), stable: m + log sum_k exp(s_k - m) with m = max s (no exp overflows)."""
    m = max(scores)
    if math.isinf(m):
        return m  # every exp(s_k - m) would be nan; the sum is dominated by (or is) infinity
    return m + math.log(sum(math.exp(s - m) for s in scores))


def softmax(scores) -> list[float]:
    """The class probabilities p_k = exp(s_k - lse): positive, summing to 1."""
    lse = log_sum_exp(scores)
    return [math.exp(s - lse) for s in scores]


def softmax_loss(scores, y: int) -> float:
    """-log p_y = log sum_k exp(s_k) - s_y (>= 0; 0 only when the right class takes all the probability)."""
    return log_sum_exp(scores) - scores[y]


def softmax_pull(scores, y: int) -> list[float]:
    """-d loss / d s_k = [k == y] - p_k: the right score is pulled up by 1 - p_y, each wrong one down by its p_k
    (the pulls sum to 0)."""
    return [(1.0 if k == y else 0.0) - p for k, p in enumerate(softmax(scores))]


# ---- multiclass hinge: loss = sum over k != y of max(0, s_k - s_y + 1) ---------------------------------------

def violators(scores, y: int) -> list[int]:
    """The wrong classes whose score comes within the margin of the right one's: s_k - s_y + 1 > 0."""
    return [k for k, s in enumerate(scores) if k != y and s - scores[y] + MARGIN > 0.0]


def hinge_loss(scores, y: int) -> float:
    """sum over k != y of max(0, s_k - s_y + 1)."""
    return sum(scores[k] - scores[y] + MARGIN for k in violators(scores, y))


def hinge_pull(scores, y: int) -> list[float]:
    """-d loss / d s_k: -1 on each violating wrong class (d/ds_k of s_k - s_y + 1 = 1), and +1 per violator on
    the right class (d/ds_y = -1 for each). At s_k - s_y + 1 == 0 exactly (the kink) the pull is 0."""
    pull = [0.0] * len(scores)
    for k in violators(scores, y):
        pull[k] -= 1.0
        pull[y] += 1.0
    return pull


def point_loss(scores, y: int, loss: str) -> float:
    return softmax_loss(scores, y) if loss == "softmax" else hinge_loss(scores, y)


def point_pull(scores, y: int, loss: str) -> list[float]:
    return softmax_pull(scores, y) if loss == "softmax" else hinge_pull(scores, y)


def at_kink(scores, y: int, loss: str) -> list[int]:
    """The wrong classes exactly at the hinge's kink, s_k - s_y + 1 == 0 (softmax has none)."""
    if loss == "softmax":
        return []
    return [k for k, s in enumerate(scores) if k != y and s - scores[y] + MARGIN == 0.0]


# ---- the same over many points at once (numpy): scores S of shape (N, K), classes y of shape (N,) ----------

def losses(S, y, loss: str) -> np.ndarray:
    """Each point's loss, shape (N,)."""
    S, y = np.asarray(S, float), np.asarray(y, int)
    right = S[np.arange(len(y)), y]  # s_y of each point
    if loss == "softmax":
        m = S.max(axis=1)
        lse = m + np.log(np.sum(np.exp(S - m[:, None]), axis=1))
        return lse - right
    margins = np.maximum(0.0, S - right[:, None] + MARGIN)
    margins[np.arange(len(y)), y] = 0.0  # k == y is not a violator
    return margins.sum(axis=1)


def probabilities(S) -> np.ndarray:
    """softmax over the last axis, stable (shape kept)."""
    S = np.asarray(S, float)
    e = np.exp(S - S.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cost(S, y, weights, alpha: float, loss: str) -> float:
    """The cost: sum of point losses + alpha * sum of squared weights (alpha = reg * N / 2, as the binary's)."""
    return float(np.sum(losses(S, y, loss))) + alpha * float(sum(w * w for w in weights))
