"""The held-out split of a classifier's data (`[data] validation`), and its measures.

Of N points, round(validation x N) (at least one when validation > 0) are held out: the indices are the first
ones of a permutation of 0..N-1 drawn from `[data] seed` (the data's seed, not the scenario's: `--seed` changes
the start and the sampled points, never which points are held out). Both sets keep the points' order in the file.
The same N, fraction and seed always give the same split; `merge` puts a split back in that order.
"""
from __future__ import annotations

import numpy as np

SALT = 0x5EED  # the split's stream is not the generated dataset's, though both come from `[data] seed`


def held_out_count(n: int, fraction: float) -> int:
    """How many of n points `fraction` holds out: n * fraction rounded half up, at least 1 when fraction > 0."""
    if fraction <= 0 or n == 0:
        return 0
    return min(n, max(1, int(n * fraction + 0.5)))


def held_out_indices(n: int, fraction: float, seed: int) -> list[int]:
    """The held-out points' indices, ascending."""
    m = held_out_count(n, fraction)
    if m == 0:
        return []
    return sorted(np.random.default_rng([seed, SALT]).permutation(n)[:m].tolist())


def split(points, labels, fraction: float, seed: int) -> tuple[tuple, tuple, tuple, tuple]:
    """(training points, training labels, held-out points, held-out labels); disjoint, each in the data's order."""
    out = set(held_out_indices(len(points), fraction, seed))
    if not out:
        return tuple(points), tuple(labels), (), ()
    keep = [i for i in range(len(points)) if i not in out]
    at = sorted(out)
    return (tuple(points[i] for i in keep), tuple(labels[i] for i in keep),
            tuple(points[i] for i in at), tuple(labels[i] for i in at))


def merge(points, labels, val_points, val_labels, fraction: float, seed: int) -> tuple[list, list]:
    """The data that `split(..., fraction, seed)` turns into these two sets (ValueError when no data can)."""
    n = len(points) + len(val_points)
    at = held_out_indices(n, fraction, seed)
    if len(at) != len(val_points) or len(points) != len(labels) or len(val_points) != len(val_labels):
        raise ValueError(f"{len(val_points)} held-out points of {n} is not the split validation = {fraction!r} "
                         f"makes ({len(at)})")
    out = set(at)
    train, val = iter(zip(points, labels)), iter(zip(val_points, val_labels))
    rows = [next(val) if i in out else next(train) for i in range(n)]
    return [p for p, _ in rows], [y for _, y in rows]


def measures(scores, labels, loss: str, point_weights=None) -> tuple[float, float]:
    """(accuracy, mean point loss) over the held-out points: the fraction with sign(score) = label (score > 0 is
    +1), and the mean of max(0, 1 - label * score), squared for the squared hinge, each point's loss times its
    class's weight when `point_weights` are given (`[model] class_weights`). No spring term."""
    y = np.asarray(labels, float)
    margins = np.maximum(0.0, 1.0 - y * scores)
    accuracy = float(np.mean(np.where(scores > 0, 1.0, -1.0) == y))
    point = margins if loss == "hinge" else margins**2
    return accuracy, float(np.mean(point if point_weights is None else point * np.asarray(point_weights, float)))
