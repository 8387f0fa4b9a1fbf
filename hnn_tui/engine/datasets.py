"""The guide's two 6-point datasets and seeded 2-D generators; labels are always +1 / -1. For K classes (the
multiclass losses): `load_classes` draws blobs with K centres or a K-arm spiral, labels 0..K-1."""
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


# ---- K classes (chapter 3's multiclass losses): labels are class indices 0..K-1 ------------------------------

def _class_sizes(n: int, k: int) -> np.ndarray:
    """Class j's index for each of n points: n // k points a class, the first n % k classes one more, in order."""
    return np.repeat(np.arange(k), [n // k + (j < n % k) for j in range(k)])


def blob_classes(n: int, k: int, noise: float, rng: np.random.Generator):
    """K gaussian blobs, class j centred on the unit circle at angle 90 + 360 * j / K degrees (the first at the
    top); `noise` is their spread."""
    y = _class_sizes(n, k)
    angle = np.pi / 2 + 2 * np.pi * y / k
    centres = np.c_[np.cos(angle), np.sin(angle)]
    return centres + rng.normal(scale=max(noise, 1e-9), size=(n, 2)), y


def spiral_classes(n: int, k: int, noise: float, rng: np.random.Generator):
    """K arms winding out from the origin, each one full turn, arm j turned by 360 * j / K degrees (the binary
    `spiral`'s arms wind 1.75 turns: three arms that tight are more than a small net learns in a few seconds)."""
    y = _class_sizes(n, k)
    counts = np.bincount(y, minlength=k)
    at = np.concatenate([np.arange(c) for c in counts])  # the point's place along its arm
    r = (at + 1) / counts.max()
    t = r * 2 * np.pi + 2 * np.pi * y / k  # angle: one turn along the arm, plus the arm's own turn
    X = np.c_[r * np.sin(t), r * np.cos(t)]
    return X + rng.normal(scale=noise, size=X.shape), y


CLASS_GENERATORS = {"blobs": blob_classes, "spiral": spiral_classes}


def load_classes(name: str, n: int = 100, k: int = 3, noise: float = 0.1,
                 seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """A K-class generated set by name, drawn with `seed`: (points, class indices 0..k-1)."""
    if name not in CLASS_GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(CLASS_GENERATORS)}")
    X, y = CLASS_GENERATORS[name](n, k, noise, np.random.default_rng(seed))
    return X.tolist(), [int(v) for v in y]
