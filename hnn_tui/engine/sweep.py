"""Hyperparameter search, the engine of `hnn-tui sweep`: every combination of some scenario values (the grid:
engine.sweep_grid, each combination validated by the scenario reader before anything runs), trained (K-fold
cross-validated when asked) in worker processes, and ranked by its held-out measures.

Folds (`fold_indices`): the training points' indices 0..N-1 shuffled by a permutation drawn from `[data] seed` (as
the held-out split is, with another salt), then cut into K consecutive parts, the first N mod K of them one point
longer; each part, ascending, is one fold's held-out set and the other points, in the data's order, its training
set. Every fold starts from the same parameters (the scenario's seed); the scenario's own held-out points, if any,
take no part under folds.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .scenario import Scenario
from .session import Session
from .sweep_grid import Combination, SweepError
from .workers import run_in_workers

MIN_FOLDS, MAX_FOLDS = 2, 20
FOLD_SALT = 0xF01D  # the folds' stream is neither the dataset's nor the held-out split's
HELD_OUT = ("val_accuracy", "val_rmse", "val_cost")  # the held-out measures a snapshot's extra may hold


class Interrupted(Exception):
    """Ctrl+C during a sweep: the workers are stopped; `finished` of `total` combinations were done."""

    def __init__(self, finished: int, total: int):
        super().__init__(f"{finished} of {total} combinations finished")
        self.finished, self.total = finished, total


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
