"""A multiclass classifier's data (`[data]` with a multiclass loss): K = 2 to MAX_CLASSES classes of 2-D points
with any class names, from a generated set (blobs with K centres, a K-arm spiral), the file's own points or a CSV
file; split into training and held-out points as the binary classifier's. Every refusal names the file and the
key, or the line and the column of a CSV file."""
from __future__ import annotations

import math

import numpy as np

from .. import datasets, heldout
from ..csvdata import NUMBER, DataPlace, numbers, parse_columns, read_csv_text
from ..table import ScenarioError, Table, short
from .classifier import MAX_POINTS, SOURCES

MAX_CLASSES = 10
# the K-class generators, then the binary sets, whose two classes are -1 and 1 (blobs and spiral are K-class here)
DATASETS = tuple(datasets.CLASS_GENERATORS) + tuple(n for n in datasets.DATASETS if n not in datasets.CLASS_GENERATORS)
LABEL_WORDS = "one point a line (x, y and a class name such as red, setosa or 2)"


# ---- class names: any text; numbers are one class whatever their spelling (2, 2.0, +2) ----------------------

def _as_number(name: str) -> float | None:
    return float(name) if NUMBER.fullmatch(name) else None


def class_key(name: str) -> str:
    """The class a label names: a number written the one way (+2, 2.0 -> "2"; 0.50 -> "0.5"), other text itself."""
    v = _as_number(name)
    if v is None or not math.isfinite(v):
        return name
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def class_order(names) -> tuple[str, ...]:
    """The classes in order: numerically when every one is a number, else as text."""
    names = sorted(set(names))
    if all(_as_number(n) is not None for n in names):
        return tuple(sorted(names, key=lambda n: (float(n), n)))
    return tuple(names)


def _too_many(names: list[str], new: str) -> str:
    return f"an 11th class {new!r}; expected at most {MAX_CLASSES} classes (already {', '.join(names)})"


def read_classes_csv(path: str, via: str = "") -> tuple[tuple, list[tuple[int, str]]]:
    """(points, [(line, class key), ...]) from a CSV file with columns x, y and label, any class names."""
    text = read_csv_text(path, via, "x,y,label points")
    lines, cells = parse_columns(text, path, ("x", "y", "label"), LABEL_WORDS)
    xs, ys = numbers(cells["x"], lines, "x", path), numbers(cells["y"], lines, "y", path)
    seen: list[str] = []
    labels = []
    for lineno, cell in zip(lines, cells["label"]):
        if not cell:
            raise ScenarioError(path, f"line {lineno}, column label", "empty; expected a class name")
        key = class_key(cell)
        if key not in seen:
            if len(seen) == MAX_CLASSES:
                raise ScenarioError(path, f"line {lineno}, column label", _too_many(seen, key))
            seen.append(key)
        labels.append((lineno, key))
    if len(seen) < 2:
        raise ScenarioError(path, f"line {lines[-1]}, column label", f"every point (lines {lines[0]} to "
                            f"{lines[-1]}) is class {seen[0]!r}; expected 2 to {MAX_CLASSES} classes")
    return tuple(zip(xs, ys)), labels


def _csv(d: Table, place: DataPlace) -> tuple[tuple, list[str], str]:
    if place.override is not None:
        d.seen.update(("csv", "dataset", "points", "labels", "n", "noise", "classes"))  # --data replaces them all
        path, via = place.override, ""
    else:
        name = d.get("csv", (str,), what="a path to a CSV file of x,y,label points, from the scenario's folder")
        if not name.strip():
            d.fail("csv", "expected a path to a CSV file of x,y,label points, got an empty string")
        path, via = str(place.folder / name), f"{d.prefix}csv in {d.source}"
    points, rows = read_classes_csv(path, via)
    return points, [key for _, key in rows], path


def _inline(d: Table) -> tuple[list, list[str]]:
    points = d.get("points", (list,), what="a list of [x, y] pairs")
    labels = d.get("labels", (list,), what="a list of class names (strings or whole numbers), one per point")
    for i, p in enumerate(points):
        if not (isinstance(p, list) and len(p) == 2 and all(type(v) in (int, float) and math.isfinite(v) for v in p)):
            d.fail(f"points[{i}]", f"expected a pair of finite numbers [x, y], got {short(p)}")
    if len(labels) != len(points):
        d.fail("labels", f"expected {len(points)} labels (one per point), got {len(labels)}")
    if not points:
        d.fail("points", "expected at least one point")
    if len(points) > MAX_POINTS:
        d.fail("points", f"expected at most {MAX_POINTS} points, got {len(points)}")
    keys: list[str] = []
    seen: list[str] = []
    for i, v in enumerate(labels):
        if not (type(v) is int or isinstance(v, str) and v.strip()):
            d.fail(f"labels[{i}]", f"expected a class name (a string or a whole number), got {short(v)}")
        keys.append(class_key(str(v).strip()))
        if keys[-1] not in seen:
            if len(seen) == MAX_CLASSES:
                d.fail(f"labels[{i}]", _too_many(seen, keys[-1]))
            seen.append(keys[-1])
    if len(seen) < 2:
        d.fail("labels", f"every point is class {seen[0]!r}; expected 2 to {MAX_CLASSES} classes")
    return points, keys


def read_class_data(d: Table, place: DataPlace) -> dict:
    """The MulticlassSpec fields `[data]` gives: points, labels (class indices), classes, the held-out set, ..."""
    given = [k for k in SOURCES if k in d.data]
    if len(given) > 1 and place.override is None:
        d.fail(given[1], f"expected one source of points (csv, dataset or points); this [data] gives "
                         f"{' and '.join(given)}")
    seed = d.integer("seed", 0)
    validation = d.number("validation", 0.0, minimum=0.0)
    if validation >= 1:
        d.fail("validation", f"expected the fraction of points to hold out, 0 <= validation < 1, got {validation}")
    out: dict = dict(dataset="inline", data_seed=seed, validation=validation)
    if "classes" in d.data and (place.override is not None or "dataset" not in d.data):
        d.seen.add("classes")
        if place.override is None:
            d.fail("classes", "applies to a generated dataset only; your own points' classes are their labels")
    if place.override is not None or "csv" in d.data:
        points, keys, out["csv"] = _csv(d, place)
    elif "points" in d.data or "labels" in d.data:
        points, keys = _inline(d)
    else:
        out["dataset"] = name = d.choice("dataset", DATASETS)
        if "classes" in d.data and name not in datasets.CLASS_GENERATORS:
            d.fail("classes", f"applies to {' and '.join(datasets.CLASS_GENERATORS)} only; {name} has the two "
                              "classes -1 and 1")
        k = d.integer("classes", 3, lo=2, hi=MAX_CLASSES) if name in datasets.CLASS_GENERATORS else 2
        n = d.integer("n", 100, lo=2, hi=MAX_POINTS)
        if n < k:
            d.fail("n", f"expected at least one point per class ({k} classes), got {n} points")
        noise = d.number("noise", 0.1, minimum=0.0)
        with np.errstate(all="ignore"):
            if name in datasets.CLASS_GENERATORS:
                points, indices = datasets.load_classes(name, n, k, noise, seed)
                keys = [str(j + 1) for j in indices]  # classes "1".."K", as the linear model's a1 .. cK
            else:  # a binary set: its two classes, -1 and 1
                points, labels = datasets.load(name, n, noise, seed)
                keys = [str(v) for v in labels]
        if not all(math.isfinite(v) for p in points for v in p):
            d.fail("noise", "expected a noise small enough that every generated point is finite")
        if name in datasets.GENERATORS or name in datasets.CLASS_GENERATORS:
            out.update(data_n=n, data_noise=noise)
    d.finish()
    classes = class_order(keys)
    index = {c: j for j, c in enumerate(classes)}
    points = tuple(tuple(map(float, p)) for p in points)
    train, train_labels, val, val_labels = heldout.split(points, tuple(index[c] for c in keys), validation, seed)
    for j, c in enumerate(classes):
        if j not in train_labels:
            d.fail("validation", f"holding out {len(val)} of {len(points)} points leaves no point of class {c!r} "
                                 f"to train on; expected at least one training point of each class (lower "
                                 f"validation or change [data] seed)")
    return dict(out, points=train, labels=train_labels, classes=classes, val_points=val, val_labels=val_labels)
