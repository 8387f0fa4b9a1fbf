"""`hnn-tui sweep`: every combination of --set values trained (cross-validated with --folds), in worker
processes, ranked by the held-out measures. The grid, the folds and the workers are engine.sweep's; this is the
command's arguments, its progress bar and its table or JSON lines."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import report
from .cli_args import ENGINES, EXIT_INTERRUPTED, BadInput, folds, nonneg_int, positive_int
from .engine import STRATEGIES, load_scenario, sweep, sweep_grid, workers
from .engine.lessons import lesson_for
from .engine.scenario import bundled_file

SWEEP_HELP = """\
Train every combination of the --set values (a grid), each for the same number of steps from the scenario's
seed, in parallel worker processes, and print them ranked: classifiers by held-out accuracy (ties: held-out
cost), regressions by held-out rmse (ties: held-out cost), circuits by their output (higher first). "Held out"
is the scenario's own held-out set ([data] validation) or, with --folds K, K-fold cross-validation over the
training points: each combination trained K times from the same start, its measures the means over the folds,
with their spread (± sd; the scenario's own held-out points take no part). With neither, the training measures
rank, and the table says so. Every combination is read as a scenario file first: a bad key or value stops the
sweep before anything runs, with the reader's one-line error and the --set that caused it (exit 2). A progress
bar goes to stderr on a terminal. Ctrl+C stops the workers and exits 130, saying how many combinations finished."""

SWEEP_EPILOG = """\
--set KEY=V1,V2,...: KEY is a dotted key into the scenario file's tables (model.reg, settings.step_size,
model.loss, data.validation, model.init.a) or a top-level key (strategy, steps, seed, engine). The values are
split at the commas outside quotes and brackets; each is read as a TOML value (0.01, 1e-3, true, "text", [8, 8])
and any other word is a string (model.loss=hinge,squared_hinge).
Folds: the training points shuffled by a permutation drawn from [data] seed, then cut into K near-equal parts;
each part is held out once.
--json: one line per combination (its settings, measures, "sd" and "folds" with --folds), best first as in the
table ("combination" is its place in the grid, the last --set varying fastest), then a summary line.
Example: hnn-tui sweep heldout --set model.reg=0,0.01,0.1 --set settings.step_size=0.01,0.1 --folds 3"""


def add_parser(sub) -> None:
    s = sub.add_parser("sweep", help="train every combination of --set values (with --folds K: cross-validated), "
                       "ranked by held-out measures", description=SWEEP_HELP, epilog=SWEEP_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("scenario", help="a bundled scenario name (see hnn-tui list) or a path to a .toml file")
    s.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a scenario key and the values to try, e.g. model.reg=0,0.01,0.1 (repeat for more keys: "
                        "every combination is trained)")
    s.add_argument("--folds", type=folds, metavar="K", help=f"K-fold cross-validation over the training points "
                   f"({sweep.MIN_FOLDS} to {sweep.MAX_FOLDS}; classifiers and regressions)")
    s.add_argument("--steps", type=nonneg_int, help="steps per run; default: the scenario's (or its --set steps)")
    s.add_argument("--jobs", type=positive_int, metavar="J", help="worker processes; default: the number of CPUs "
                   "(never more than the runs); 1 runs in this process")
    s.add_argument("--seed", type=nonneg_int, help="random seed of every run; default: the scenario's")
    s.add_argument("--strategy", choices=list(STRATEGIES), help="default: the scenario's own")
    s.add_argument("--engine", choices=ENGINES, help="a classifier's engine (as --set engine=NAME)")
    s.add_argument("--json", action="store_true", help="one JSON line per combination, best first, then a summary")


def scenario_text(ref: str, source: str) -> str:
    """The TOML text of a scenario that load_scenario has read (a bundled one by name, else its file)."""
    bundled = bundled_file(ref)
    return bundled.read_text("utf-8") if bundled is not None else Path(source).read_text("utf-8")


def sweep_jobs(args) -> tuple[list, list, list[sweep.Job], object]:
    """Every --set parsed, every combination (and fold) read and checked: (axes, combinations, jobs, base
    scenario). BadInput or SweepError before anything runs."""
    base = load_scenario(args.scenario, args.seed)  # the file's own faults first, as `run` gives them
    axes = [sweep_grid.parse_set(option) for option in args.set]
    for option, key in (("--seed", "seed"), ("--steps", "steps"), ("--strategy", "strategy"), ("--engine", "engine")):
        if getattr(args, option[2:]) is not None and any(a.key == key for a in axes):
            raise BadInput(f"{option} and --set {key}: expected one of the two")
    if args.folds is not None and base.kind not in ("classifier", "regression"):
        raise BadInput(f"--folds {args.folds}: a {base.kind} has no data to fold; --folds applies to classifier "
                       "and regression scenarios")
    extra = {"engine": args.engine} if args.engine else None
    combos = sweep_grid.combinations(scenario_text(args.scenario, base.source), base.source, base.name, axes, args.seed,
                                extra)
    jobs = []
    for c in combos:
        if args.folds is None:
            jobs.append(sweep.Job(c.index, None, c.scenario, args.strategy, args.steps))
            continue
        what = "combination " + ", ".join(f"{k}={report.setting_text(v)}" for k, v in c.settings.items()) \
            if axes else ""
        for j, fold in enumerate(sweep.fold_scenarios(c.scenario, args.folds, what), 1):
            jobs.append(sweep.Job(c.index, j, fold, args.strategy, args.steps))
    return axes, combos, jobs, base


def cmd_sweep(args, out) -> int:
    axes, combos, jobs, base = sweep_jobs(args)
    processes = workers.processes_for(len(jobs), args.jobs)
    progress = report.Progress(len(jobs), sys.stderr, unit="run") if sys.stderr.isatty() else None
    finished = []  # every run's result as it comes, for the bar

    def done(result) -> None:
        finished.append(result)
        if progress:
            progress.update(len(finished))

    t0 = time.perf_counter()
    try:
        if progress:
            progress.update(0)
        results = sweep.run_jobs(jobs, processes, done)
    except sweep.Interrupted as e:
        if progress:  # the bar's line ends where it stopped; the message has a line of its own
            progress.close()
            progress = None
        print(f"hnn-tui: interrupted: {e}; the workers are stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if progress:
            progress.close()
    by_combination: dict[int, list] = {}
    for r in results:
        by_combination.setdefault(r["combination"], []).append(r)
    lines = sweep.ranked([sweep.combine(c, by_combination[c.index]) for c in combos])
    by, held_out = sweep.ranking(lines)
    held = f"{args.folds}-fold cross-validation" if args.folds else ("the scenario's held-out set" if held_out
                                                                    else "none")
    if not args.json:
        steps = "the scenario's steps" if args.steps is None else report.steps_text(args.steps)
        folds = f" x {args.folds} folds" if args.folds else ""
        note = "" if held_out or base.kind == "circuit" else " (so the training measures rank)"
        report.sweep_text(lines, [a.key for a in axes], by, lesson_for(base.spec).output_name, out,
                          f"{base.title} | {report.count(len(combos), 'combination')}{folds} | {steps} | "
                          f"{report.count(processes, 'process', 'processes')}", f"held out: {held}{note}")
        return 0
    for line in lines:
        print(report.json_line(line), file=out)
    summary = {"combinations": len(combos), "runs": len(jobs), "folds": args.folds, "processes": processes,
               "held_out": held, "sorted_by": [[k, "desc" if up else "asc"] for k, up in by],
               "best": lines[0]["settings"], "stopped_early": sum(1 for ln in lines if ln["stopped"]),
               "seconds": round(time.perf_counter() - t0, 6), **report.data_sizes(base.spec)}
    print(report.json_line({"summary": summary}), file=out)
    return 0
