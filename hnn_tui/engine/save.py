"""A scenario written back as a scenario file (TOML text: data, never code), a classifier's points as CSV, and a
file written atomically.

`parse_scenario(scenario_toml(s), ...)` gives back a scenario equal to `s` in everything a file holds (title,
kind, description, strategy, steps, seed, order, settings and the spec; the name comes from the file's name).
A classifier's points are written inline (both sets: `points` in the order the held-out split was drawn from, with
`validation` and `seed`, so the split is drawn again to the same two sets), or, given `csv`, as `csv = NAME` for
the caller to write `points_csv(*data_rows(spec))` to NAME beside the scenario file.
"""
from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from . import heldout
from .lessons import CircuitSpec, ClassifierSpec
from .lessons.multiclass import param_names as class_param_names
from .lessons.regression import RegressionSpec
from .lessons.regression import param_names as regression_param_names
from .models import param_names
from .scenario import MAX_FILE_BYTES, Scenario
from .strategies import Settings

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(s: str, multiline: bool = False) -> str:
    """`s` as a TOML basic string (multi-line: newlines kept as they are). ValueError for a lone surrogate, which
    UTF-8 (and so TOML) cannot hold."""
    out = []
    for ch in s:
        if multiline and ch == "\n":
            out.append(ch)
        elif ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ch < " " or ch == "\x7f":  # the other control characters TOML wants escaped
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            raise ValueError(f"cannot write {s[:40]!r} as TOML: it holds a lone surrogate")
        else:
            out.append(ch)
    body = "".join(out)
    return f'"""\n{body}\n"""' if multiline else f'"{body}"'


def toml_key(k: str) -> str:
    return k if BARE_KEY.fullmatch(k) else toml_string(k)


def toml_number(v) -> str:
    """An int as itself; a float by repr, which reads back to the same float (and is TOML's float syntax)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"expected a number, got {v!r}")
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {v}")
    return repr(float(v))


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return toml_number(v)


def _table(name: str, pairs) -> list[str]:
    return ["", f"[{name}]", *(f"{toml_key(k)} = {_value(v)}" for k, v in pairs)]


def _settings(s: Settings, kind: str) -> list[tuple]:
    """The [settings] pairs: every key today's files had, and the update rule and schedule when not the default
    (each with the keys that belong to it only: the reader refuses the others)."""
    pairs = [("step_size", s.step_size)]
    if s.schedule == "linear" and s.step_size_end is not None:  # step_size_end alone means linear
        pairs.append(("step_size_end", s.step_size_end))
    pairs += [("h", s.h), ("centered", s.centered), ("tweak", s.tweak), ("tries", s.tries)]
    if kind == "circuit" or s.pull != 1.0:
        pairs.append(("pull", s.pull))
    if s.update != "sgd":
        pairs += [("update", s.update), ("momentum", s.momentum)]
    if s.schedule in ("step", "exponential"):
        pairs += [("schedule", s.schedule), ("decay", s.decay), ("decay_every", s.decay_every)]
    return pairs


def _circuit(spec: CircuitSpec, values: Mapping[str, float] | None) -> list[str]:
    inputs = dict(spec.inputs)
    if values is not None:
        stray = [n for n in values if n not in inputs]
        if stray:
            raise ValueError(f"{stray[0]!r} is not an input of {spec.expression!r}")
        inputs.update(values)
    lines = _table("circuit", [("expression", spec.expression), ("trainable", list(spec.trainable))])
    lines += _table("circuit.inputs", inputs.items())
    if spec.wires:
        lines += _table("circuit.wires", spec.wires)
    return lines


def _craft(spec) -> tuple[list[tuple], list[str]]:
    """The chapter 3 `[model]` keys a spec sets away from their defaults: (pairs for [model], the lines of a
    [model.class_weights] table)."""
    pairs: list[tuple] = []
    if spec.init_scheme != "uniform":
        pairs.append(("init_scheme", spec.init_scheme))
    for key, default in (("bias_start", None), ("l1", 0.0), ("dropout", 0.0)):
        if getattr(spec, key) != default:
            pairs.append((key, getattr(spec, key)))
    table: list[str] = []
    if getattr(spec, "class_weights_mode", None) is not None:
        pairs.append(("class_weights", spec.class_weights_mode))
    elif getattr(spec, "class_weights", None) is not None:
        classes = getattr(spec, "classes", None)  # a multiclass spec: its labels index the class names
        table = _table("model.class_weights", [(f"{c:+d}" if classes is None else classes[c], w)
                                               for c, w in spec.class_weights])
    return pairs, table


def data_rows(spec: ClassifierSpec) -> tuple[list, list]:
    """Every point of a classifier, held-out ones included, in the order `[data] validation` and `seed` split into
    the spec's two sets (engine.heldout.merge)."""
    return heldout.merge(spec.points, spec.labels, spec.val_points, spec.val_labels, spec.validation, spec.data_seed)


def _classifier(spec: ClassifierSpec, values: Mapping[str, float] | None, csv: str | None) -> list[str]:
    model = [("type", spec.model), ("loss", spec.loss)]
    if spec.model == "net":
        model.append(("hidden", spec.hidden))
    if spec.model == "mlp":
        model.append(("layers", list(spec.layers)))
    model += [("reg", spec.reg), ("batch", spec.batch), ("init_scale", spec.init_scale)]
    craft, weights = _craft(spec)
    init = spec.init if values is None else tuple(values.items())
    classes = getattr(spec, "classes", None)  # a multiclass spec: labels are indices into its class names
    if values is not None:
        names = param_names(spec.model, spec.hidden, spec.layers) if classes is None else \
            class_param_names(spec.model, len(classes), spec.hidden, spec.layers)
        stray = [n for n in values if n not in names]
        if stray:
            raise ValueError(f"{stray[0]!r} is not a parameter of this {spec.model}")
    lines = _table("model", model + craft) + weights
    if init is not None:
        lines += _table("model.init", init)
    data: list[tuple] = [("seed", spec.data_seed)]
    if spec.validation:
        data.append(("validation", spec.validation))
    lines += _table("data", data)
    if csv is not None:
        return [*lines, f"csv = {toml_string(csv)}"]
    points, labels = data_rows(spec)
    if classes is not None:
        labels = [classes[j] for j in labels]
    rows = ",\n".join(f"  [{toml_number(x)}, {toml_number(y)}]" for x, y in points)
    return [*lines, f"points = [\n{rows},\n]", f"labels = {_value(labels)}"]


def _regression(spec: RegressionSpec, values: Mapping[str, float] | None, csv: str | None) -> list[str]:
    model = [("type", spec.model), ("loss", spec.loss)]
    if spec.loss == "huber":
        model.append(("delta", spec.delta))
    if spec.model == "net":
        model.append(("hidden", spec.hidden))
    if spec.model == "mlp":
        model.append(("layers", list(spec.layers)))
    model += [("reg", spec.reg), ("batch", spec.batch), ("init_scale", spec.init_scale)]
    model += _craft(spec)[0]
    init = spec.init if values is None else tuple(values.items())
    if values is not None:
        names = regression_param_names(spec.model, spec.hidden, spec.layers)
        stray = [n for n in values if n not in names]
        if stray:
            raise ValueError(f"{stray[0]!r} is not a parameter of this {spec.model}")
    lines = _table("model", model) + (_table("model.init", init) if init is not None else [])
    lines += _table("data", [("seed", spec.data_seed)] + ([("validation", spec.validation)] if spec.validation else []))
    if csv is not None:
        return [*lines, f"csv = {toml_string(csv)}"]
    xs, targets = heldout.merge(spec.xs, spec.targets, spec.val_xs, spec.val_targets, spec.validation, spec.data_seed)
    return [*lines, f"xs = {_value(xs)}", f"targets = {_value(targets)}"]


def scenario_toml(scenario: Scenario, session_values: Mapping[str, float] | None = None,
                  csv: str | None = None) -> str:
    """`scenario` as the text of a scenario file. `session_values` (a snapshot's values) become the start: a
    classifier's `[model] init` (every parameter), a circuit's input values. A classifier's points go inline, or
    with `csv` (a path from the file's folder) as `csv = ...`: write `points_csv(*data_rows(spec))` there.
    ValueError for what no scenario file can hold (a number that is not finite, an unknown name, more points
    inline than a scenario file may have)."""
    sc, spec = scenario, scenario.spec
    top = [("title", sc.title), ("kind", sc.kind), ("strategy", sc.strategy), ("steps", sc.steps),
           ("seed", sc.seed), ("order", sc.order)]
    if getattr(spec, "engine", "python") != "python":
        top.append(("engine", spec.engine))
    lines = [f"{k} = {_value(v)}" for k, v in top]
    if sc.description:
        lines.append(f"description = {toml_string(sc.description, multiline=True)}")
    lines += _table("settings", _settings(sc.settings, sc.kind))
    if isinstance(spec, CircuitSpec):
        lines += _circuit(spec, session_values)
    elif isinstance(spec, RegressionSpec):
        lines += _regression(spec, session_values, csv)
    else:
        lines += _classifier(spec, session_values, csv)
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ValueError(f"the scenario would be {len(text.encode('utf-8')):,} bytes, more than a scenario file may "
                         f"be ({MAX_FILE_BYTES:,}); save the points as a CSV file (csv=...)")
    return text


def points_csv(points, labels) -> str:
    """Points as the CSV files `[data] csv` and `--data` read: a header `x,y,label`, then `x,y,+1` or `x,y,-1` a
    line, every number by repr (read back to the same float)."""
    if len(points) != len(labels):
        raise ValueError(f"{len(points)} points but {len(labels)} labels")
    rows = ["x,y,label"]
    for (x, y), label in zip(points, labels):
        if label not in (1, -1):
            raise ValueError(f"expected labels +1 or -1, got {label!r}")
        rows.append(f"{toml_number(float(x))},{toml_number(float(y))},{label:+d}")
    return "\n".join(rows) + "\n"


def write_atomically(path: str | Path, text: str, overwrite: bool = False) -> None:
    """Write `text` (UTF-8) to `path` whole or not at all: into a temporary file in the same folder, flushed to
    disk, then renamed over `path`. An existing `path` is refused (FileExistsError) unless `overwrite`; on any
    failure the temporary file is removed and whatever was at `path` is untouched."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(errno.EEXIST, "already exists; not overwritten", str(path))
    try:
        mode = path.stat().st_mode & 0o777 if overwrite else 0o644
    except OSError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _place_new(tmp: str, path: Path) -> None:
    """Move `tmp` to `path` unless `path` exists: a hard link fails if it does, with no window for a race."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "already exists; not overwritten", str(path)) from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(errno.EEXIST, "already exists; not overwritten", str(path)) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
