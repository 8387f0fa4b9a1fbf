"""A regression's points: generated curves (x drawn uniformly in [-1, 1], the curve's target plus noise, seeded
like datasets.py by `[data] seed`), the file's own `xs` and `targets`, or a CSV file with columns x and target.
"""
from __future__ import annotations

import math

import numpy as np

from . import heldout
from .csvdata import DataPlace, numbers, parse_columns, read_csv_text
from .table import Table, short

LOW, HIGH = -1.0, 1.0  # where x is drawn
MAX_POINTS = 10_000  # a generated set or the file's own xs; a CSV file may hold up to csvdata.MAX_CSV_ROWS
SOURCES = ("csv", "dataset", "xs")  # where [data] takes its points from: one of these
CSV_ROWS = "one point a line (x and its target, two numbers)"


def line(x):
    """t = 2x - 1: the line lesson's truth (slope a = 2, intercept b = -1)."""
    return 2.0 * x - 1.0


def sine(x):
    """t = sin(pi x): one full wave over [-1, 1]; no straight line fits it."""
    return np.sin(np.pi * x)


def step(x):
    """t = sign(x): -1 left of 0, +1 right of it (0 at 0): a jump a smooth model can only approach."""
    return np.sign(x)


CURVES = {"line": line, "sine": sine, "step": step}


def load(name: str, n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[float], list[float]]:
    """(xs, targets): n points of the curve `name`, x uniform in [LOW, HIGH], targets with gaussian noise of
    standard deviation `noise`. The xs come out in the order drawn."""
    if name not in CURVES:
        raise ValueError(f"unknown curve {name!r}; expected one of {', '.join(CURVES)}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(LOW, HIGH, size=n)
    t = CURVES[name](x) + rng.normal(scale=noise, size=n)  # noise 0: zeros, the curve itself
    return x.tolist(), t.tolist()


# ---- the `[data]` table -------------------------------------------------------------------------------------

def _inline(d: Table) -> tuple[list, list]:
    xs = d.get("xs", (list,), what="a list of numbers, the inputs x")
    targets = d.get("targets", (list,), what="a list of numbers, one target per x")
    for key, column in (("xs", xs), ("targets", targets)):
        for i, v in enumerate(column):
            if type(v) not in (int, float) or not math.isfinite(v):
                d.fail(f"{key}[{i}]", f"expected a finite number, got {short(v)}")
    if len(targets) != len(xs):
        d.fail("targets", f"expected {len(xs)} targets (one per x), got {len(targets)}")
    if not xs:
        d.fail("xs", "expected at least one point")
    if len(xs) > MAX_POINTS:
        d.fail("xs", f"expected at most {MAX_POINTS} points, got {len(xs)}")
    return xs, targets


def read_xy_csv(path: str, via: str = "") -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(xs, targets) from a CSV file with the columns x and target; ScenarioError naming the line and column."""
    source = str(path)
    lines, cells = parse_columns(read_csv_text(path, via, what="x,target rows"), source, ("x", "target"), CSV_ROWS)
    xs, targets = [], []
    for lineno, x, t in zip(lines, cells["x"], cells["target"]):  # row by row: the first fault is the first reported
        xs += numbers([x], [lineno], "x", source)
        targets += numbers([t], [lineno], "target", source)
    return tuple(xs), tuple(targets)


def _csv(d: Table, place: DataPlace) -> tuple[tuple, tuple, str]:
    """The points of `[data] csv`, a path from the scenario file's folder, or of --data (place.override)."""
    if place.override is not None:
        d.seen.update(("csv", "dataset", "xs", "targets", "n", "noise"))  # --data replaces where points come from
        return (*read_xy_csv(place.override), place.override)
    name = d.get("csv", (str,), what="a path to a CSV file of x,target rows, from the scenario's folder")
    if not name.strip():
        d.fail("csv", "expected a path to a CSV file of x,target rows, got an empty string")
    path = str(place.folder / name)
    return (*read_xy_csv(path, via=f"{d.prefix}csv in {d.source}"), path)


def read_data(d: Table, place: DataPlace) -> dict:
    """The `[data]` table of a regression: its training and held-out points and where they came from (the
    RegressionSpec's data fields). --data (place.override) replaces the file's source with a CSV file."""
    given = [k for k in SOURCES if k in d.data]
    if len(given) > 1 and place.override is None:
        d.fail(given[1], f"expected one source of points (csv, dataset or xs); this [data] gives "
                         f"{' and '.join(given)}")
    seed = d.integer("seed", 0)
    validation = d.number("validation", 0.0, minimum=0.0)
    if validation >= 1:
        d.fail("validation", f"expected the fraction of points to hold out, 0 <= validation < 1, got {validation}")
    out: dict = dict(dataset="inline", data_seed=seed, validation=validation)
    if place.override is not None or "csv" in d.data:
        xs, targets, out["csv"] = _csv(d, place)
    elif "xs" in d.data or "targets" in d.data:
        xs, targets = _inline(d)
    else:
        out["dataset"] = name = d.choice("dataset", tuple(CURVES))
        n = d.integer("n", 100, lo=2, hi=MAX_POINTS)
        noise = d.number("noise", 0.1, minimum=0.0)
        with np.errstate(all="ignore"):
            xs, targets = load(name, n, noise, seed)
        if not all(math.isfinite(t) for t in targets):
            d.fail("noise", "expected a noise small enough that every generated target is finite")
        out.update(data_n=n, data_noise=noise)
    d.finish()
    xs, targets = tuple(map(float, xs)), tuple(map(float, targets))
    train, train_targets, val, val_targets = heldout.split(xs, targets, validation, seed)
    if not train:
        d.fail("validation", f"holding out {len(val)} of {len(xs)} points leaves none to train on; expected at "
                             "least one training point (lower validation)")
    return dict(out, xs=train, targets=train_targets, val_xs=val, val_targets=val_targets)
