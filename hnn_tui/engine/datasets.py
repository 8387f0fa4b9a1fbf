"""The guide's two 6-point datasets and seeded 2-D generators; labels are always +1 / -1."""
from __future__ import annotations

import numpy as np

# Chapter 2's first listing ("vector -> label").
GUIDE_INTRO = ([[1.2, 0.7], [-0.3, 0.5], [-3.0, -1.0], [0.1, 1.0], [3.0, 1.1], [2.1, -3.0]], [1, -1, 1, -1, -1, 1])
# The data the guide's SVM training code pushes (it differs from the listing above).
GUIDE_SVM = ([[1.2, 0.7], [-0.3, -0.5], [3.0, 0.1], [-0.1, -1.0], [-1.0, 1.1], [2.1, -3.0]], [1, -1, 1, -1, -1, 1])
# The three points of the guide's cost example (total cost 1.815 at w = [0.1, 0.2, 0.3]).
GUIDE_COST = ([[1.2, 0.7], [-0.3, 0.5], [3.0, 2.5]], [1, -1, 1])

FIXED = {"guide_intro": GUIDE_INTRO, "guide_svm": GUIDE_SVM, "guide_cost": GUIDE_COST}


def _labels(y01) -> list[int]:
    return [1 if v else -1 for v in y01]


def moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (as scikit-learn's make_moons draws them)."""
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]])
    y = np.r_[np.zeros(n_out, bool), np.ones(n_in, bool)]
    return X + rng.normal(scale=noise, size=X.shape), y


def circles(n: int, noise: float, rng: np.random.Generator):
    """An inner ring (+1) inside an outer ring (-1)."""
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], 0.5 * np.c_[np.cos(t_in), np.sin(t_in)]])
    y = np.r_[np.zeros(n_out, bool), np.ones(n_in, bool)]
    return X + rng.normal(scale=noise, size=X.shape), y


def xor(n: int, noise: float, rng: np.random.Generator):
    """Points in [-1, 1]^2: +1 where x and y share a sign."""
    X = rng.uniform(-1, 1, size=(n, 2))
    y = X[:, 0] * X[:, 1] > 0
    return X + rng.normal(scale=noise, size=X.shape), y


def spiral(n: int, noise: float, rng: np.random.Generator):
    """Two arms winding around the origin, one per class."""
    n0 = n // 2
    k = np.r_[np.arange(n0), np.arange(n - n0)]
    cls = np.r_[np.zeros(n0, bool), np.ones(n - n0, bool)]
    r = (k + 1) / max(n0, n - n0)
    t = 1.75 * r * 2 * np.pi + np.where(cls, np.pi, 0.0)
    X = np.c_[r * np.sin(t), r * np.cos(t)]
    return X + rng.normal(scale=noise, size=X.shape), cls


def blobs(n: int, noise: float, rng: np.random.Generator):
    """Two gaussian blobs centred at (-1, -1) and (1, 1); `noise` is their spread."""
    n0 = n // 2
    y = np.r_[np.zeros(n0, bool), np.ones(n - n0, bool)]
    centres = np.where(y[:, None], 1.0, -1.0)
    return centres + rng.normal(scale=max(noise, 1e-9), size=(n, 2)), y


GENERATORS = {"moons": moons, "circles": circles, "xor": xor, "spiral": spiral, "blobs": blobs}
DATASETS = tuple(FIXED) + tuple(GENERATORS)


def load(name: str, n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """A dataset by name: a fixed one from the guide, or a generator drawn with `seed`."""
    if name in FIXED:
        points, labels = FIXED[name]
        return [list(p) for p in points], list(labels)
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    X, y = GENERATORS[name](n, noise, np.random.default_rng(seed))
    return X.tolist(), _labels(y)
