"""Scenario files (TOML, data only) loaded into a validated, immutable Scenario."""
from __future__ import annotations

import ast
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import datasets
from .expression import ExpressionError, build_circuit, parse
from .models import LOSSES, MAX_HIDDEN, MAX_LAYERS, MAX_WIDTH, MODELS, param_names
from .strategies import STRATEGIES, Settings

_HERE = Path(__file__).resolve()
# Installed, the files sit in the package (hnn_tui/scenarios); in a source checkout, at the top level.
BUNDLED_DIR = next((d for d in (_HERE.parents[1] / "scenarios", _HERE.parents[2] / "scenarios") if d.is_dir()),
                   _HERE.parents[2] / "scenarios")
MAX_FILE_BYTES = 1_000_000
MAX_POINTS = 10_000


class ScenarioError(ValueError):
    """A scenario that cannot be used: names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, problem: str):
        self.source, self.key, self.problem = source, key, problem
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class Scenario:
    """One lesson: what to build, how to step it, and the words that go with it."""

    name: str
    title: str
    description: str
    kind: str  # "circuit" or "classifier"
    strategy: str
    steps: int
    seed: int
    settings: Settings
    source: str = ""
    order: int = 1000
    expression: str = ""
    inputs: dict = field(default_factory=dict)
    trainable: tuple = ()
    wires: dict = field(default_factory=dict)
    model: str = ""
    loss: str = "hinge"
    hidden: int = 3
    layers: tuple = (16, 16)  # the mlp's hidden layer sizes
    reg: float = 1.0
    batch: str = "sgd"
    init: dict | None = None
    init_scale: float = 0.5
    points: tuple = ()
    labels: tuple = ()
    dataset: str = ""


class _Table:
    """Typed reads from one TOML table that fail with the file and the dotted key."""

    def __init__(self, source: str, data: dict, prefix: str = ""):
        self.source, self.data, self.prefix, self.seen = source, data, prefix, set()

    def fail(self, key: str, problem: str):
        raise ScenarioError(self.source, self.prefix + key, problem)

    def get(self, key, kinds, default=..., what=""):
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                self.fail(key, f"missing; expected {what}")
            return default
        v = self.data[key]
        if isinstance(v, bool) and bool not in kinds or not isinstance(v, kinds):
            self.fail(key, f"expected {what}, got {type(v).__name__} {_short(v)}")
        return v

    def number(self, key, default=..., positive=False, minimum=None):
        v = self.get(key, (int, float), default, "a number")
        if v is default:
            return v
        if not math.isfinite(v):
            self.fail(key, f"expected a finite number, got {v}")
        if positive and not v > 0:
            self.fail(key, f"expected a number greater than 0, got {v}")
        if minimum is not None and v < minimum:
            self.fail(key, f"expected a number >= {minimum}, got {v}")
        return float(v)

    def integer(self, key, default=..., lo=0, hi=10**9):
        v = self.get(key, (int,), default, f"a whole number from {lo} to {hi}")
        if not lo <= v <= hi:
            self.fail(key, f"expected a whole number from {lo} to {hi}, got {v}")
        return v

    def choice(self, key, options, default=...):
        v = self.get(key, (str,), default, "one of " + ", ".join(options))
        if v not in options:
            self.fail(key, f"expected one of {', '.join(options)}, got {v!r}")
        return v

    def table(self, key, default=...) -> _Table:
        v = self.get(key, (dict,), default, "a table")
        return _Table(self.source, v, f"{self.prefix}{key}.")

    def numbers(self, key, default=...) -> dict[str, float]:
        t = self.table(key, default)
        return {k: t.number(k) for k in t.data}

    def finish(self):
        extra = sorted(set(self.data) - self.seen)
        if extra:
            self.fail(extra[0], "unknown key (check the spelling against scenarios/README.md)")


def _short(v) -> str:
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def _settings(t: _Table) -> Settings:
    d = Settings()
    return Settings(
        step_size=t.number("step_size", d.step_size, minimum=0.0),
        step_size_end=t.number("step_size_end", None, minimum=0.0),
        h=t.number("h", d.h, positive=True),
        centered=t.get("centered", (bool,), d.centered, "true or false"),
        tweak=t.number("tweak", d.tweak, minimum=0.0),
        tries=t.integer("tries", d.tries, lo=1, hi=100_000),
    )


def _circuit(t: _Table) -> dict:
    c = t.table("circuit")
    expression = c.get("expression", (str,), what="an expression such as \"x * y\"")
    try:
        parse(expression)  # refuse a bad expression before anything else is read
    except ExpressionError as e:
        c.fail("expression", str(e))
    inputs = c.numbers("inputs")
    w = c.table("wires", {})
    wires = {k: w.get(k, (str,), what="a sub-expression of the expression") for k in w.data}
    seen: dict[str, str] = {}
    for label, sub in wires.items():
        try:
            same = seen.setdefault(ast.unparse(parse(sub)), label)
        except ExpressionError as e:
            w.fail(label, str(e))
        if same != label:
            w.fail(label, f"names the same sub-expression as wires.{same}; expected one label per wire")
    try:
        circuit = build_circuit(expression, inputs, wires)
    except ExpressionError as e:
        c.fail("expression" if "no input called" not in str(e) else "inputs", str(e))
    missing = [n for n in circuit.inputs if n not in inputs]
    if missing:
        c.fail("inputs", f"expected a value for every input of the expression; missing {', '.join(missing)}")
    named = {u.name for u in circuit.units}
    for label, sub in wires.items():
        if label in inputs:
            w.fail(label, f"is an input's name; expected a label for an inner wire, e.g. q = \"x + y\"")
        if label not in named:
            w.fail(label, f"expected a sub-expression computed by a gate of {expression!r}, got {sub!r}")
    trainable = c.get("trainable", (list,), list(inputs), "a list of input names")
    for n in trainable:
        if not isinstance(n, str) or n not in inputs:
            c.fail("trainable", f"expected names of inputs ({', '.join(inputs)}), got {_short(n)}")
    if not trainable:
        c.fail("trainable", "expected at least one input to train")
    c.finish()
    return dict(expression=expression, inputs=inputs, trainable=tuple(trainable), wires=wires)


def _layers(m: _Table) -> tuple:
    """The mlp's hidden layer sizes, e.g. [16, 16]."""
    layers = m.get("layers", (list,), [16, 16], f"a list of 1 to {MAX_LAYERS} layer sizes")
    if not 1 <= len(layers) <= MAX_LAYERS or not all(type(n) is int and 1 <= n <= MAX_WIDTH for n in layers):
        m.fail("layers", f"expected 1 to {MAX_LAYERS} whole numbers from 1 to {MAX_WIDTH}, got {_short(layers)}")
    return tuple(layers)


def _classifier(t: _Table) -> dict:
    m = t.table("model")
    model = m.choice("type", MODELS)
    out = dict(
        model=model,
        loss=m.choice("loss", LOSSES, "hinge"),
        hidden=m.integer("hidden", 3, lo=1, hi=MAX_HIDDEN) if model == "net" else 3,
        layers=_layers(m) if model == "mlp" else (16, 16),
        reg=m.number("reg", 1.0, minimum=0.0),
        batch=m.choice("batch", ("sgd", "full"), "sgd"),
        init=m.numbers("init", None) if "init" in m.data else None,
        init_scale=m.number("init_scale", 0.5, minimum=0.0),
    )
    for key, owner in (("hidden", "net"), ("layers", "mlp")):
        if key in m.data and model != owner:
            m.fail(key, f'applies to type = "{owner}" only; this model is type = "{model}"')
    names = param_names(model, out["hidden"], out["layers"])
    for p in out["init"] or {}:
        if p not in names:
            m.fail(f"init.{p}", f"unknown parameter; expected some of {', '.join(names)}")
    m.finish()
    d = t.table("data")
    if "points" in d.data or "labels" in d.data:
        points = d.get("points", (list,), what="a list of [x, y] pairs")
        labels = d.get("labels", (list,), what="a list of +1 / -1 labels")
        for i, p in enumerate(points):
            if not (isinstance(p, list) and len(p) == 2 and all(type(v) in (int, float) and math.isfinite(v) for v in p)):
                d.fail(f"points[{i}]", f"expected a pair of finite numbers [x, y], got {_short(p)}")
        if len(labels) != len(points):
            d.fail("labels", f"expected {len(points)} labels (one per point), got {len(labels)}")
        for i, v in enumerate(labels):
            if type(v) is not int or v not in (1, -1):
                d.fail(f"labels[{i}]", f"expected +1 or -1, got {_short(v)}")
        name = "inline"
    else:
        name = d.choice("dataset", datasets.DATASETS)
        n = d.integer("n", 100, lo=2, hi=MAX_POINTS)
        noise, seed = d.number("noise", 0.1, minimum=0.0), d.integer("seed", 0)
        with np.errstate(all="ignore"):  # a huge noise overflows: refused below, not warned about on stderr
            points, labels = datasets.load(name, n, noise, seed)
        if not all(math.isfinite(v) for p in points for v in p):
            d.fail("noise", "expected a noise small enough that every generated point is finite")
    if not points:
        d.fail("points", "expected at least one point")
    if len(points) > MAX_POINTS:
        d.fail("points", f"expected at most {MAX_POINTS} points, got {len(points)}")
    if len(set(labels)) < 2:
        d.fail("labels", "expected both classes (+1 and -1) in the data")
    d.finish()
    return dict(out, points=tuple(tuple(map(float, p)) for p in points), labels=tuple(labels), dataset=name)


def parse_scenario(text: str, source: str, name: str = "") -> Scenario:
    """Validate the TOML text of a scenario; every problem names `source` and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(source, "", f"not valid TOML: {e}") from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        raise ScenarioError(source, "", "not valid TOML: arrays or tables nested too deeply") from None
    t = _Table(source, data)
    kind = t.choice("kind", ("circuit", "classifier"))
    title = t.get("title", (str,), what="a short title")
    description = t.get("description", (str,), "", "text")
    strategy = t.choice("strategy", tuple(STRATEGIES), "analytic")
    steps = t.integer("steps", 1, lo=0, hi=10**8)
    seed = t.integer("seed", 0, lo=0, hi=2**32 - 1)
    order = t.integer("order", 1000, lo=0, hi=10**6)
    st = t.table("settings", {})
    settings = _settings(st)
    st.finish()
    parts = _circuit(t) if kind == "circuit" else _classifier(t)
    t.finish()
    return Scenario(name=name or Path(source).stem, title=title, description=description.strip(), kind=kind,
                    strategy=strategy, steps=steps, seed=seed, settings=settings, source=source, order=order,
                    **parts)


def load_scenario(ref: str | Path) -> Scenario:
    """A bundled scenario by name (as `hnn-tui list` shows it) or a path to a .toml file."""
    ref = str(ref)
    bundled = BUNDLED_DIR / f"{ref}.toml"
    path = bundled if "/" not in ref and not ref.endswith(".toml") and bundled.is_file() else Path(ref)
    if not path.exists():
        known = ", ".join(bundled_names())
        raise ScenarioError(ref, "", f"no such scenario or file (bundled scenarios: {known})")
    if path.is_dir():
        raise ScenarioError(ref, "", "is a folder; expected a scenario .toml file")
    if not path.is_file():  # a FIFO or a device would block or never end
        raise ScenarioError(ref, "", "is not a regular file; expected a scenario .toml file")
    try:
        with path.open("rb") as f:  # read at most one byte past the limit: a file growing meanwhile cannot fill memory
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:  # vanished since the check above, unreadable, ...
        raise ScenarioError(str(path), "", f"cannot read it: {e.strerror or e}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), _size(path))
        raise ScenarioError(str(path), "", f"file is {size} bytes; expected a scenario of at most {MAX_FILE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "", "not a text file (expected UTF-8 TOML)") from None
    if not text.strip():
        raise ScenarioError(str(path), "", "the file is empty; expected a scenario (see scenarios/README.md)")
    return parse_scenario(text, str(path), path.stem)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def bundled_names() -> list[str]:
    """Bundled scenario names in lesson order (each file's `order`, then by name)."""
    def key(path: Path):
        try:
            return tomllib.loads(path.read_text("utf-8")).get("order", 1000), path.stem
        except (OSError, ValueError, RecursionError):
            return 1000, path.stem
    return [p.stem for p in sorted(BUNDLED_DIR.glob("*.toml"), key=key)]
