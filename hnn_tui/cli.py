"""The `hnn-tui` command: the app by default; `list`, `run`, `grad`, `sweep`, `race` and `export` headless over the
same engine; `serve` the app to web browsers."""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from . import cli_export, cli_race, cli_serve, cli_sweep, report
from .cli_args import (
    ENGINES,
    EXIT_BAD_INPUT,
    EXIT_DIVERGED,
    EXIT_INTERRUPTED,
    BadInput,
    Parser,
    finite_float,
    nonneg_int,
    positive_float,
)
from .engine import (
    STRATEGIES,
    Diverged,
    ExpressionError,
    ScenarioError,
    Session,
    build_circuit,
    bundled_names,
    load_scenario,
    sweep_grid,
    vectorized,
)
from .engine.gradcheck import check_circuit
from .engine.scenario import folder_files
from .engine.trace import trace

COMMANDS = ("list", "run", "grad", "sweep", "race", "export", "serve")



def parser() -> argparse.ArgumentParser:
    p = Parser(prog="hnn-tui", description="A terminal playground for Hacker's guide to Neural Networks. "
                "Without a command it opens the app (hnn-tui [SCENARIO] [--scenarios DIR] [--seed S]).")
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    listing = sub.add_parser("list", help="list the bundled scenarios (and those in --scenarios DIR)")
    listing.add_argument("--scenarios", metavar="DIR", help="also list every *.toml in DIR (a broken one with ⚠ "
                         "and its error)")
    run = sub.add_parser("run", help="step a scenario headless and print each step")
    run.add_argument("scenario", help="a bundled scenario name (see hnn-tui list) or a path to a .toml file")
    run.add_argument("--strategy", choices=list(STRATEGIES), help="default: the scenario's own")
    run.add_argument("--steps", type=nonneg_int, help="number of steps (0 prints the start); default: the scenario's")
    run.add_argument("--seed", type=nonneg_int, help="random seed; default: the scenario's")
    run.add_argument("--data", metavar="FILE.csv", help="the points of a CSV file in place of the scenario's data: "
                     "columns x, y, label for a classifier (+1/-1; any class names with a multiclass loss), x, "
                     "target for a regression; its [data] validation and seed still apply")
    run.add_argument("--engine", choices=ENGINES, help="a classifier's engine: python (pure Python, the one the "
                     "circuit views explain) or numpy (numpy arrays over the whole batch, the same numbers); "
                     "default: the scenario's")
    run.add_argument("--json", action="store_true", help="one JSON object per line: step 0 is the start")
    cli_sweep.add_parser(sub)
    cli_export.add_parser(sub)
    cli_race.add_parser(sub)
    cli_serve.add_parser(sub)
    grad = sub.add_parser("grad", help="backprop vs numerical gradient of an expression")
    grad.add_argument("expression", help='e.g. "sigmoid(a*x + b*y + c)"')
    grad.add_argument("--at", required=True, help="the point, e.g. a=1,b=2,c=-3,x=-1,y=3")
    grad.add_argument("--h", type=positive_float, default=1e-4, help="probe size of the centered difference")
    grad.add_argument("--pull", type=finite_float, default=1.0, metavar="P",
                      help="the gradient backprop starts from on the output (default 1); every input's gradient, "
                           "analytic and numerical, is P times d output / d input")
    grad.add_argument("--trace", action="store_true", help="print the forward pass and the backward pass gate by "
                      "gate (the chain rule at work), then the check")
    grad.add_argument("--json", action="store_true", help="print one JSON object (with --trace, a \"trace\" key)")
    return p


def app_parser() -> argparse.ArgumentParser:
    p = Parser(prog="hnn-tui", description="Open the playground (commands: list, run, grad, sweep, race, export, "
               "serve).")
    p.add_argument("scenario", nargs="?", help="a bundled scenario name or a .toml path to open directly")
    p.add_argument("--scenarios", metavar="DIR", help="also list every *.toml in DIR in the picker")
    p.add_argument("--seed", type=nonneg_int, help="random seed (default: the scenario's)")
    p.add_argument("--data", metavar="FILE.csv", help="open SCENARIO (a classifier or a regression) on the points "
                   "of a CSV file in place of its own (columns x, y, label; or x, target)")
    return p


def cmd_list(args, out) -> int:
    """Bundled scenarios by name, then DIR's files by path (what `run` takes), each in lesson order. A broken file
    is listed with ⚠ and its error, and the listing still exits 0: the other files are fine to run."""
    refs = list(bundled_names())
    if args.scenarios is not None:
        if not Path(args.scenarios).is_dir():
            raise BadInput(f"--scenarios {args.scenarios}: not a folder; expected a folder of scenario .toml files")
        refs += [str(p) for p in folder_files(args.scenarios)]
    width = max(16, *map(len, refs))
    for ref in refs:
        try:
            sc = load_scenario(ref)
        except ScenarioError as e:
            where = f"{e.key}: {e.problem}" if e.key else e.problem  # the file itself is the line's first column
            print(f"{ref:<{width}} ⚠ {where if e.source == ref else e}", file=out)
            continue
        print(f"{ref:<{width}} {sc.kind:<10} {sc.strategy:<9} {sc.title}", file=out)
    return 0


def with_engine(scenario, name: str | None):
    """`--engine NAME`: the scenario run by that engine (ScenarioError for a kind that has none)."""
    return scenario if name is None else vectorized.with_engine(scenario, name)


def cmd_run(args, out) -> int:
    session = Session(with_engine(load_scenario(args.scenario, args.seed, args.data), args.engine), args.strategy)
    steps = session.scenario.steps if args.steps is None else args.steps
    table = None if args.json else report.Table(session.current, session.lesson_type.output_name, out)
    every = max(1, steps // 20)
    progress = report.Progress(steps, sys.stderr) if steps >= 1000 and sys.stderr.isatty() else None
    if table:
        sc = session.scenario
        shown = f" | every {report.ordinal(every)} step shown" if every > 1 else ""
        table.print_header(f"{sc.title} | strategy {session.strategy} | {report.steps_text(steps)} "
                           f"| seed {session.seed}{report.data_note(sc.spec)}{shown}")
    emit = (lambda s: print(report.json_line(s.to_dict()), file=out)) if args.json else table.row
    emit(session.current)
    t0, last, why, interrupted = time.perf_counter(), session.current, None, False
    try:
        for snap in session.run(steps):
            if snap.diverged:
                why = snap.diverged
                break
            last = snap
            if args.json or snap.step % every == 0 or snap.step == steps:
                emit(snap)
            if progress:
                progress.update(snap.step)
    except KeyboardInterrupt:
        why = f"interrupted after step {last.step:,}"
        interrupted = True
    finally:
        if progress:
            progress.close()
    summary = {"steps": last.step, "strategy": last.strategy, "output": last.output,
               "forward_passes": last.forward_passes, "backward_passes": last.backward_passes,
               "seconds": round(time.perf_counter() - t0, 6), "stopped": why}
    summary.update(last.measures)
    sizes = report.data_sizes(session.scenario.spec)
    if sizes:  # a classifier or a regression: its held-out measures at the last step, and both sets' sizes
        summary.update({k: last.extra.get(k) for k in report.HELD_OUT if k in last.extra}, **sizes)
    if args.json:
        print(report.json_line({"summary": summary}), file=out)
    if why:  # words write steps as 7,350 (the engine's divergence message too); numbers stay plain in JSON
        print(f"hnn-tui: {why}; the last finite state is step {last.step:,}", file=sys.stderr)
        return EXIT_INTERRUPTED if interrupted else EXIT_DIVERGED
    return 0


def parse_point(text: str) -> dict[str, float]:
    point = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise BadInput(f"--at: expected name=value pairs like a=1,b=-2, got {part!r}")
        try:
            v = float(value)
        except ValueError:
            raise BadInput(f"--at: {name}: expected a number, got {value.strip()!r}") from None
        if not math.isfinite(v):
            raise BadInput(f"--at: {name}: expected a finite number, got {value.strip()!r}")
        if name in point:
            raise BadInput(f"--at: {name} is given twice")
        point[name] = v
    if not point:
        raise BadInput("--at: expected at least one name=value pair")
    return point


def cmd_grad(args, out) -> int:
    at = parse_point(args.at)
    circuit = build_circuit(args.expression, at)
    result = check_circuit(circuit, at, args.h, pull=args.pull)
    steps = trace(circuit, args.pull) if args.trace else None  # the inputs hold `at` again after the check
    result["pull"] = args.pull
    if args.json:
        if steps:
            result["trace"] = steps.to_dict()
        print(report.json_line(result), file=out)
    else:
        if steps:
            print(report.trace_text(steps, circuit), file=out)
        print(report.grad_text(args.expression, at, result), file=out)
    return 0


GRAD_OPTIONS = ("-h", "--help", "--at", "--h", "--pull", "--trace", "--json")


def _expression_last(argv: list[str]) -> list[str]:
    """`grad -x*y --at ...`: argparse takes an expression starting with '-' for an option; pass it after --.
    `--pull -1e-3` and `--pull -inf`: argparse takes such a value for an option too; join it as --pull=VALUE."""
    if not argv or argv[0] != "grad":
        return argv
    end = argv.index("--") if "--" in argv else len(argv)  # after --, everything is the expression
    joined: list[str] = []
    for i, a in enumerate(argv):
        if i < end and joined and joined[-1] == "--pull":
            joined[-1] = f"--pull={a}"
        else:
            joined.append(a)
    argv, end = joined, (joined.index("--") if "--" in joined else len(joined))
    i = 1
    while i < end:  # the first word that is neither an option nor an option's value is the expression
        a = argv[i]
        if a in ("--at", "--h"):
            i += 2
        elif a.split("=")[0] in GRAD_OPTIONS:
            i += 1
        elif a.startswith("-"):
            return [*argv[:i], *argv[i + 1:], *([] if end < len(argv) else ["--"]), a] if end == len(argv) \
                else argv
        else:
            break
    return argv


def main(argv: list[str] | None = None, out=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = out or sys.stdout
    try:
        if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
            args = app_parser().parse_args(argv)
            if args.data is not None and args.scenario is None:
                raise BadInput("--data needs a classifier or regression scenario to open on it, e.g. hnn-tui svm "
                               "--data points.csv")
            from .app import run_app  # the Textual app loads only when it is wanted

            return run_app(args.scenario, args.scenarios, args.seed, args.data)
        args = parser().parse_args(_expression_last(argv))
        commands = {"list": cmd_list, "run": cmd_run, "grad": cmd_grad, "sweep": cli_sweep.cmd_sweep,
                    "race": cli_race.cmd_race,
                    "export": cli_export.cmd_export, "serve": cli_serve.cmd_serve}
        return commands[args.command](args, out)
    except (BadInput, ScenarioError, ExpressionError, Diverged, sweep_grid.SweepError) as e:
        print(f"hnn-tui: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as e:  # engine refusals such as a non-finite point or h <= 0
        print(f"hnn-tui: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `hnn-tui run svm --json | head`
        return 0
    except KeyboardInterrupt:  # Ctrl+C outside a run's loop (which reports its own last step)
        print("hnn-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
