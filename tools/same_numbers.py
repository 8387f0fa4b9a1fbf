"""Do two versions of hnn-tui print the same `hnn-tui run --json` numbers? For refactors that must not change them.

    python tools/same_numbers.py --write before.json    # on the old commit
    python tools/same_numbers.py --check before.json    # on the new one: exit 0 when every line is identical

Runs every bundled scenario (as `hnn-tui list` names them) with every strategy, seeds 0-2, for the scenario's
own number of steps and for 40 steps, through the command's own entry point. Every JSON line is compared
exactly (floats included); only the summary's `seconds`, a wall-clock time, is left out.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnn_tui.cli import main as hnn_tui  # noqa: E402

STRATEGIES = ("random", "numerical", "analytic")
SEEDS = (0, 1, 2)


def command(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = hnn_tui(argv, out)
    return code, out.getvalue()


def record() -> dict[str, list]:
    code, listing = command(["list"])
    if code:
        raise SystemExit(f"hnn-tui list failed with {code}")
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    runs = {}
    for name in names:
        for strategy in STRATEGIES:
            for seed in SEEDS:
                for steps in (None, 40):
                    argv = ["run", name, "--strategy", strategy, "--seed", str(seed), "--json"]
                    argv += [] if steps is None else ["--steps", str(steps)]
                    code, text = command(argv)
                    lines = [json.loads(line) for line in text.splitlines()]
                    if lines and "summary" in lines[-1]:
                        lines[-1]["summary"].pop("seconds", None)
                    runs[" ".join(argv)] = {"exit": code, "lines": lines}
    return runs


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="FILE", help="record every run's JSON lines to FILE")
    g.add_argument("--check", metavar="FILE", help="compare every run's JSON lines with FILE")
    args = p.parse_args()
    runs = record()
    lines = sum(len(r["lines"]) for r in runs.values())
    if args.write:
        Path(args.write).write_text(json.dumps(runs, sort_keys=True))
        print(f"recorded {len(runs)} runs, {lines} JSON lines, to {args.write}")
        return 0
    before = json.loads(Path(args.check).read_text())
    differ = [k for k in sorted(set(before) | set(runs)) if before.get(k) != runs.get(k)]
    for k in differ[:10]:
        old, new = before.get(k), runs.get(k)
        if old is None or new is None:
            print(f"{k}: only in {'the new' if old is None else 'the recorded'} version")
            continue
        first = next((i for i, (a, b) in enumerate(zip(old["lines"], new["lines"])) if a != b),
                     min(len(old["lines"]), len(new["lines"])))
        print(f"{k}: exit {old['exit']} -> {new['exit']}; first different line {first}")
    print(f"{len(runs)} runs, {lines} JSON lines: {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
