"""`hnn-tui race`: random search, the numerical gradient and the analytic gradient raced on the same budget of
forward passes, from the same start and seed. The lanes are engine.race's; this is the command's arguments and
its table or JSON lines."""
from __future__ import annotations

import argparse
import math
import sys

from . import report
from .cli_args import EXIT_INTERRUPTED, finite_float, nonneg_int
from .engine import load_scenario
from .engine.race import default_budget, lanes

RACE_HELP = """\
Race the guide's three strategies (random search, the numerical gradient, the analytic gradient) from the same
start and seed, each with a fresh run, counted in forward passes, not steps. Each strategy steps until its next
step would spend more than the budget has left (that step is not taken: no strategy ever spends more than
--budget), or until it crossed --target. The table shows each one's best output, the passes and steps it spent,
and the forward passes at which it first crossed the target."""

RACE_EPILOG = """\
--budget F: forward passes per strategy; default: what the scenario's own steps cost the analytic gradient
(steps x points per step), and never less than one step of the costliest strategy.
--target T: a circuit whose pull is 0 or more crosses when its output >= T; a cost (classifiers, regressions), or
a circuit pulled down (pull < 0), crosses when it is <= T. A start already past the line crosses at 0.
--json: one line per strategy per step (step 0: the start) {"strategy", "step", "output", "forward_passes",
"backward_passes"}, then {"race": {strategy: {"output", "best", "forward_passes", "backward_passes", "steps",
"crossed_at", "stopped"}}}; "output" is the last step's, "stopped" is "budget", "target" or why it diverged.
Example: hnn-tui race svm --budget 400 --target 0.5"""


def budget(text: str) -> int:
    """A positive whole number of forward passes; 1e6 and 1,000 are read too."""
    try:
        v = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of forward passes, got {text!r}") from None
    if not (math.isfinite(v) and v >= 1 and v == int(v)):
        raise argparse.ArgumentTypeError(f"expected a whole number of forward passes, 1 or more, got {text!r}")
    return int(v)


def add_parser(sub) -> None:
    r = sub.add_parser("race", help="race random search, the numerical and the analytic gradient on the same "
                       "budget of forward passes", description=RACE_HELP, epilog=RACE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("scenario", help="a bundled scenario name (see hnn-tui list) or a path to a .toml file")
    r.add_argument("--budget", type=budget, metavar="F", help="forward passes each strategy may spend (default: "
                   "the scenario's steps of the analytic gradient)")
    r.add_argument("--target", type=finite_float, metavar="T", help="the finishing line: an output to reach (or a "
                   "cost to get under)")
    r.add_argument("--seed", type=nonneg_int, help="random seed; default: the scenario's")
    r.add_argument("--json", action="store_true", help="one JSON line per strategy per step, then the race")


W = 12  # a number column: "best output" fits
RACE_COLUMNS = ("strategy", "best {}", "last {}", "forward", "backward", "steps", "crossed at")


def cmd_race(args, out) -> int:
    scenario = load_scenario(args.scenario, args.seed)
    spend = default_budget(scenario) if args.budget is None else args.budget
    field = lanes(scenario, spend, args.target)
    lower, name = field[0].lower, field[0].session.lesson_type.output_name
    if not args.json:
        line = "lower" if lower else "higher"
        given = "" if args.budget is not None else " (default: the scenario's steps of the analytic gradient)"
        target = "" if args.target is None else f" | target {name} {'<=' if lower else '>='} {args.target:g}"
        print(f"{scenario.title} | budget {spend:,} forward passes each{given}{target} | seed {scenario.seed}",
              file=out)
        print(f"{name}: {line} is better", file=out)
    try:
        for lane in field:
            for snap in lane.snapshots():
                if args.json:
                    print(report.json_line({"strategy": lane.strategy, "step": snap.step, "output": snap.output,
                                            "forward_passes": snap.forward_passes,
                                            "backward_passes": snap.backward_passes}), file=out)
    except KeyboardInterrupt:
        print(f"hnn-tui: interrupted in the {lane.strategy} lane after step {lane.last.step:,}", file=sys.stderr)
        return EXIT_INTERRUPTED
    standings = [lane.standing() for lane in field]
    if args.json:
        print(report.json_line({"race": {s.strategy: s.to_dict() for s in standings}}), file=out)
        return 0
    head = [c.format(name) for c in RACE_COLUMNS]
    print(head[0].ljust(9) + " " + " ".join(h.rjust(W) for h in head[1:]) + "  stopped", file=out)
    for s in standings:
        at = "-" if s.crossed_at is None else f"{s.crossed_at:,}"
        cells = [report.cell(s.best).rjust(W), report.cell(s.output).rjust(W), f"{s.forward_passes:,}".rjust(W),
                 f"{s.backward_passes:,}".rjust(W), f"{s.steps:,}".rjust(W),
                 at.rjust(W)]
        print(s.strategy.ljust(9) + " " + " ".join(cells) + f"  {s.stopped}", file=out)
    return 0
