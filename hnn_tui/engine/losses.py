"""The guide's losses: the hinge's pull on a score (the force spec), a point's loss, the cost over a set."""
from __future__ import annotations

import numpy as np

LOSSES = ("hinge", "squared_hinge")


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


def cost(scores, labels, weights, alpha: float, loss: str = "hinge") -> float:
    """The guide's cost: sum of per-point losses + alpha * sum of squared weights (not biases)."""
    margins = np.maximum(0.0, 1.0 - np.asarray(labels, float) * np.asarray(scores, float))
    data = float(np.sum(margins if loss == "hinge" else margins**2))
    return data + alpha * float(sum(w * w for w in weights))
