"""Hyperparameter search, the engine of `hnn-tui sweep`: every combination of some scenario values, each validated
by the scenario reader before anything runs, trained (K-fold cross-validated when asked) in worker processes, and
ranked by its held-out measures.

A `--set KEY=V1,V2,...` names a dotted key into the scenario file's tables (`model.reg`, `settings.step_size`, a
top-level `strategy`) and its values, split at the commas outside quotes and brackets. Each value is read as a TOML
value (`0.01`, `1e-3`, `true`, `"hinge"`, `[8, 8]`); a word that is not TOML (`hinge`) is that string. Each
combination is the scenario's TOML document with its values put in, written back as TOML text and read by
`parse_scenario`: every check a file gets, with the reader's own one-line error.

Folds (`fold_indices`): the training points' indices 0..N-1 shuffled by a permutation drawn from `[data] seed` (as
the held-out split is, with another salt), then cut into K consecutive parts, the first N mod K of them one point
longer; each part, ascending, is one fold's held-out set and the other points, in the data's order, its training
set. Every fold starts from the same parameters (the scenario's seed); the scenario's own held-out points, if any,
take no part under folds.
"""
from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

import numpy as np

from .save import toml_key, toml_string
from .scenario import Scenario, parse_scenario
from .session import Session
from .table import ScenarioError, short
from .workers import run_in_workers

KEY = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
NOT_SWEPT = ("kind", "title", "description", "order")  # words and the lesson kind: nothing to search over
MAX_COMBINATIONS = 10_000
MIN_FOLDS, MAX_FOLDS = 2, 20
FOLD_SALT = 0xF01D  # the folds' stream is neither the dataset's nor the held-out split's
HELD_OUT = ("val_accuracy", "val_rmse", "val_cost")  # the held-out measures a snapshot's extra may hold


class SweepError(ValueError):
    """A --set option, a combination or --folds the sweep refuses: one line, exit 2, before anything runs."""


class Interrupted(Exception):
    """Ctrl+C during a sweep: the workers are stopped; `finished` of `total` combinations were done."""

    def __init__(self, finished: int, total: int):
        super().__init__(f"{finished} of {total} combinations finished")
        self.finished, self.total = finished, total


# ---- the grid: --set options ---------------------------------------------------------------------------------

def split_values(text: str) -> list[str]:
    """`0,0.01,"a,b",[8,8]` -> ['0', '0.01', '"a,b"', '[8,8]']: commas inside quotes or brackets do not split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return parts + [text[start:].strip()]


def parse_value(text: str) -> Any:
    """A TOML value (number, true/false, quoted string, array, inline table); any other text is a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


@dataclass(frozen=True)
class Axis:
    """One --set: the dotted key, its values as written and as read."""

    key: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]

    def name(self, i: int) -> str:
        return f"--set {self.key}={self.texts[i]}"


def parse_set(option: str) -> Axis:
    """`model.reg=0,0.01` -> Axis; SweepError naming the option for a missing '=', a bad key or an empty value."""
    key, sep, rest = option.partition("=")
    key = key.strip()
    if not sep:
        raise SweepError(f"--set {option}: expected KEY=VALUE[,VALUE...], e.g. model.reg=0,0.01,0.1")
    if not KEY.fullmatch(key):
        raise SweepError(f"--set {option}: expected a dotted key into the scenario's tables, e.g. model.reg or "
                         f"settings.step_size, got {key!r}")
    if key in NOT_SWEPT:
        raise SweepError(f"--set {option}: {key}: not a value to search over; expected a key such as model.reg, "
                         f"settings.step_size, strategy, steps or seed")
    texts = split_values(rest)
    for n, t in enumerate(texts, 1):
        if not t:
            raise SweepError(f"--set {option}: {key}: value {n} is empty; expected a comma-separated list of values")
    return Axis(key, tuple(texts), tuple(parse_value(t) for t in texts))


def put(doc: dict, key: str, value: Any, what: str) -> dict:
    """A copy of the TOML document `doc` with the dotted `key` set to `value` (missing tables are made)."""
    out = dict(doc)
    table, parts = out, key.split(".")
    for i, part in enumerate(parts[:-1]):
        inner = table.get(part, {})
        if not isinstance(inner, dict):
            shown = ".".join(parts[:i + 1])
            raise SweepError(f"{what}: {shown} holds {short(inner)}, not a table; expected a key such as "
                             "model.reg")
        table[part] = table = dict(inner)
    table[parts[-1]] = value
    return out


def toml_value(v: Any) -> str:
    """Any value tomllib reads, written back as TOML (inline tables and arrays on one line)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    return "[" + ", ".join(toml_value(x) for x in v) + "]"


def toml_text(doc: dict) -> str:
    """A TOML document as text that tomllib reads back to the same document: one top-level key per line."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


# ---- combinations and folds ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Combination:
    index: int  # in grid order: the last --set varies fastest
    settings: dict  # key -> value, in --set order
    scenario: Scenario


def combinations(text: str, source: str, name: str, axes: list[Axis], seed: int | None = None,
                 extra: dict | None = None) -> list[Combination]:
    """Every combination of the axes' values, each read by parse_scenario from the scenario text with its values
    (and `extra`, e.g. {"engine": "numpy"}) put in; a refused one is blamed on the --set it is due to (see
    `blame`). SweepError on the first refusal, in grid order."""
    doc = tomllib.loads(text)
    for k, v in (extra or {}).items():  # an option such as --engine numpy: checked alone first
        doc = put(doc, k, v, f"--{k} {v}")
        try:
            parse_scenario(toml_text(doc), source, name, seed)
        except ScenarioError as e:
            raise SweepError(f"--{k} {v}: {e}") from None
    seen = set()
    for a in axes:
        if a.key in seen:
            raise SweepError(f"--set {a.key}: given twice; expected each key once, its values comma-separated")
        seen.add(a.key)

    def parsed(picks: list[tuple[Axis, int]]) -> Scenario:  # ScenarioError as the reader words it
        d = doc
        for a, i in picks:
            d = put(d, a.key, a.values[i], a.name(i))
        return parse_scenario(toml_text(d), source, name, seed)

    def blame(picks: list[tuple[Axis, int]], e: ScenarioError) -> SweepError:
        """The --set value a refusal is due to: one the reader refuses alone in the same words; else the one whose
        key the error names, with the rest of its combination; else the whole combination."""
        for a, i in picks:
            try:
                parsed([(a, i)])
            except ScenarioError as alone:
                if str(alone) == str(e):
                    return SweepError(f"{a.name(i)}: {e}")
        for a, i in picks:
            if e.key == a.key or e.key.startswith(a.key + ".") or (e.key and a.key.startswith(e.key + ".")):
                rest = ", ".join(f"{b.key}={b.texts[j]}" for b, j in picks if b is not a)
                return SweepError(f"{a.name(i)} (with {rest}): {e}")
        return SweepError(f"combination {', '.join(f'{a.key}={a.texts[i]}' for a, i in picks)}: {e}")

    total = math.prod(len(a.texts) for a in axes)
    if total > MAX_COMBINATIONS:
        raise SweepError(f"--set: {total:,} combinations; expected at most {MAX_COMBINATIONS:,}")
    out = []
    for n in range(total):  # every combination read, in grid order, before any is trained
        picks, rest = [], n
        for a in reversed(axes):  # the last axis varies fastest
            rest, i = divmod(rest, len(a.texts))
            picks.append((a, i))
        picks.reverse()
        try:
            scenario = parsed(picks)
        except ScenarioError as e:
            raise blame(picks, e) from None
        out.append(Combination(n, {a.key: a.values[i] for a, i in picks}, scenario))
    return out


def fold_indices(n: int, k: int, seed: int) -> list[list[int]]:
    """K held-out index lists covering 0..n-1 once each: a seeded permutation cut into near-equal parts."""
    order = np.random.default_rng([seed, FOLD_SALT]).permutation(n).tolist()
    sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]
    starts = np.cumsum([0, *sizes]).tolist()
    return [sorted(order[starts[j]:starts[j + 1]]) for j in range(k)]


def _data_fields(spec) -> tuple[str, str, str, str]:
    return ("xs", "targets", "val_xs", "val_targets") if hasattr(spec, "xs") else \
        ("points", "labels", "val_points", "val_labels")


def fold_scenarios(scenario: Scenario, k: int, what: str = "") -> list[Scenario]:
    """The K scenarios of K-fold cross-validation over `scenario`'s training points (SweepError when a fold
    cannot be made: too few points, or a classifier fold whose training part misses a class)."""
    spec = scenario.spec
    if spec.kind not in ("classifier", "regression"):
        raise SweepError(f"--folds {k}: a {spec.kind} has no data to fold; --folds applies to classifier and "
                         "regression scenarios")
    xs, ys, val_xs, val_ys = _data_fields(spec)
    points, labels = getattr(spec, xs), getattr(spec, ys)
    prefix = f"{what}: " if what else ""
    if len(points) < k:
        raise SweepError(f"{prefix}--folds {k}: {scenario.source}: {len(points)} training points; expected at least "
                         f"one per fold (at most {len(points)} folds)")
    out = []
    for j, held in enumerate(fold_indices(len(points), k, spec.data_seed), 1):
        out_set = set(held)
        keep = [i for i in range(len(points)) if i not in out_set]
        train_labels = tuple(labels[i] for i in keep)
        missing = set(labels) - set(train_labels) if spec.kind == "classifier" else set()
        if missing:
            c = min(missing)
            shown = getattr(spec, "classes", None)
            name = repr(shown[c]) if shown else f"{c:+d}"
            raise SweepError(f"{prefix}--folds {k}: fold {j} leaves no training point of class {name}; expected "
                             "every class in every fold's training points (fewer folds or more points)")
        fold = replace(spec, **{xs: tuple(points[i] for i in keep), ys: train_labels,
                                val_xs: tuple(points[i] for i in held), val_ys: tuple(labels[i] for i in held)})
        out.append(replace(scenario, spec=fold))
    return out


# ---- training: one job is one combination, or one fold of one ------------------------------------------------

@dataclass(frozen=True)
class Job:
    combination: int
    fold: int | None  # 1..K, or None without folds
    scenario: Scenario
    strategy: str | None
    steps: int | None  # None: the scenario's


def train(job: Job) -> dict:
    """Step one job's session and measure its last finite state: output, measures, held-out measures, and why it
    stopped early (None when all its steps were taken)."""
    session = Session(job.scenario, job.strategy)
    steps = job.scenario.steps if job.steps is None else job.steps
    last, why = session.current, None
    for snap in session.run(steps):
        if snap.diverged:
            why = snap.diverged
            break
        last = snap
    return {"combination": job.combination, "fold": job.fold, "steps": last.step, "output": last.output,
            **last.measures, **{k: last.extra[k] for k in HELD_OUT if k in last.extra}, "stopped": why}


def run_jobs(jobs: list[Job], processes: int, done: Callable[[dict], None] = lambda r: None) -> list[dict]:
    """Train every job, in `processes` worker processes (1: in this process); `done` hears each result as it
    comes. Results in the jobs' order. Ctrl+C: the pool is terminated and joined (no worker left), then
    Interrupted says how many combinations were finished."""
    results: list[dict] = []

    def take(result: dict) -> None:
        results.append(result)
        done(result)
    try:
        if processes == 1:
            for job in jobs:
                take(train(job))
        else:
            run_in_workers(train, jobs, processes, take)
    except KeyboardInterrupt:
        raise Interrupted(finished(results, jobs), len({j.combination for j in jobs})) from None
    order = {(j.combination, j.fold): n for n, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r["combination"], r["fold"]])


def finished(results: list[dict], jobs: list[Job]) -> int:
    """Combinations whose every job has a result."""
    need: dict[int, int] = {}
    for j in jobs:
        need[j.combination] = need.get(j.combination, 0) + 1
    for r in results:
        need[r["combination"]] -= 1
    return sum(1 for n in need.values() if n == 0)


# ---- the results: one line per combination, ranked ------------------------------------------------------------

def combine(combination: Combination, results: list[dict]) -> dict:
    """One combination's line: its settings and measures; over folds, the means of each fold's measures, the spread
    (population standard deviation) of the held-out ones under "sd", and each fold's own results under "folds"."""
    line = {"combination": combination.index + 1, "settings": dict(combination.settings)}
    if len(results) == 1 and results[0]["fold"] is None:
        only = {k: v for k, v in results[0].items() if k not in ("combination", "fold")}
        return {**line, **only, "sd": None, "folds": None}
    names = [k for k in results[0] if k not in ("combination", "fold", "steps", "stopped")]
    means = {k: float(np.mean([r[k] for r in results])) for k in names if all(r[k] is not None for r in results)}
    stopped = next((f"fold {r['fold']}: {r['stopped']}" for r in results if r["stopped"]), None)
    return {**line, "steps": min(r["steps"] for r in results), **{k: means.get(k) for k in names},
            "stopped": stopped, "sd": {k: float(np.std([r[k] for r in results])) for k in HELD_OUT if k in means},
            "folds": [{k: v for k, v in r.items() if k != "combination"} for r in results]}


def ranking(lines: list[dict]) -> tuple[list[tuple[str, bool]], bool]:
    """What the lines are sorted by, as (key, higher is better) pairs, and whether those are held-out measures:
    a classifier by accuracy, ties by the cost; a regression by rmse, ties by the cost; a circuit by its output.
    Held-out measures when every line has them (folds, or `[data] validation`), else the training ones."""
    first = lines[0]
    if "accuracy" in first:
        held, train = [("val_accuracy", True), ("val_cost", False)], [("accuracy", True), ("output", False)]
    elif "rmse" in first:
        held, train = [("val_rmse", False), ("val_cost", False)], [("rmse", False), ("output", False)]
    else:
        return [("output", True)], False
    held_out = all(line.get(held[0][0]) is not None for line in lines)
    return (held if held_out else train), held_out


def ranked(lines: list[dict]) -> list[dict]:
    """The lines best first (a stable sort: ties stay in grid order; a run stopped early goes last), each with its
    "rank" (1 = best) first."""
    by, _ = ranking(lines)

    def key(line):
        return (line["stopped"] is not None, *((-(line[k] or 0.0) if up else (line[k] or 0.0)) for k, up in by))
    return [{"rank": n, **line} for n, line in enumerate(sorted(lines, key=key), 1)]
