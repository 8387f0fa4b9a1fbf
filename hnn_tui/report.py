"""Plain-text and JSON renderings of snapshots and gradient checks for the headless CLI."""
from __future__ import annotations

import json
import sys
import time

from .engine import Snapshot
from .engine.gradcheck import rel_error
from .numbers import num

MAX_VALUE_COLUMNS = 6  # wider models show the output and measures only; --json has every parameter
WIDTH = 10  # of a number column


def cell(x: float | None) -> str:
    return num(x, significant=6, none="-").rjust(WIDTH)


def json_line(obj) -> str:
    return json.dumps(obj, allow_nan=False, separators=(", ", ": "))


class Table:
    """Rows of snapshots under one header; wide parameter lists are left to --json."""

    def __init__(self, first: Snapshot, output_name: str, out=sys.stdout):
        self.out = out
        self.names = list(first.values)
        self.measures = list(first.measures)
        self.show_values = len(self.names) <= MAX_VALUE_COLUMNS
        head = ["step", output_name, *self.measures]
        if self.show_values:
            head += self.names + [f"d{n}" for n in self.names]
        self.header = " ".join(h.rjust(WIDTH) for h in head) + "  forward  backward"

    def print_header(self, note: str = "") -> None:
        if note:
            print(note, file=self.out)
        print(self.header, file=self.out)

    def row(self, s: Snapshot) -> None:
        cells = [str(s.step).rjust(WIDTH), cell(s.output)] + [cell(s.measures[m]) for m in self.measures]
        if self.show_values:
            cells += [cell(s.values[n]) for n in self.names]
            cells += [cell(s.grads.get(n) if s.grads else None) for n in self.names]
        print(" ".join(cells) + f"  {s.forward_passes:>7}  {s.backward_passes:>8}", file=self.out)


class Progress:
    """A one-line progress bar on a terminal's stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30):
        self.total, self.stream, self.width, self.last = total, stream, width, 0.0

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        filled = int(self.width * done / max(1, self.total))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {100 * done // max(1, self.total):3d}%  step {done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        self.update(self.total, force=True)
        self.stream.write("\n")
        self.stream.flush()


def grad_text(expr: str, at: dict[str, float], result: dict) -> str:
    """The readable form of `hnn-tui grad`: value, both gradients per input and their difference."""
    point = ", ".join(f"{k}={v:g}" for k, v in at.items())
    lines = [f"f = {expr}", f"at {point}", f"output = {result['output']:.10g}", "",
             f"{'input':<10} {'analytic':>16} {'numerical':>16} {'rel. diff':>10}"]
    for name, a in result["analytic"].items():
        n = result["numerical"][name]
        lines.append(f"{name:<10} {a:>16.10g} {n:>16.10g} {rel_error(a, n):>10.2e}")
    lines += ["", f"max relative difference: {result['max_rel_error']:.2e} "
                  f"(numerical: centered, h = {result['h']:g})"]
    return "\n".join(lines)
