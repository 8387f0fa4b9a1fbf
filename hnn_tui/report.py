"""Plain-text and JSON renderings of snapshots and gradient checks for the headless CLI."""
from __future__ import annotations

import json
import sys
import textwrap
import time

from .engine import Circuit, Snapshot
from .engine.gradcheck import rel_error
from .engine.trace import Trace
from .numbers import num

MAX_VALUE_COLUMNS = 6  # wider models show the output and measures only; --json has every parameter
HELD_OUT = {"val_accuracy": "val acc", "val_rmse": "val rmse", "val_cost": "val cost"}  # held out: key -> column
WIDTH = 10  # of a number column
NOTE_WIDTH = 100  # wrap width of grad's note at a kink


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
        self.held_out = [k for k in HELD_OUT if first.extra.get(k) is not None]  # only with a held-out set
        self.show_values = len(self.names) <= MAX_VALUE_COLUMNS
        head = ["step", output_name, *self.measures, *(HELD_OUT[k] for k in self.held_out)]
        if self.show_values:
            head += self.names + [f"d{n}" for n in self.names]
        self.header = " ".join(h.rjust(WIDTH) for h in head) + "  forward  backward"

    def print_header(self, note: str = "") -> None:
        if note:
            print(note, file=self.out)
        print(self.header, file=self.out)

    def row(self, s: Snapshot) -> None:
        cells = [str(s.step).rjust(WIDTH), cell(s.output)] + [cell(s.measures[m]) for m in self.measures]
        cells += [cell(s.extra.get(k)) for k in self.held_out]
        if self.show_values:
            cells += [cell(s.values[n]) for n in self.names]
            cells += [cell(s.grads.get(n) if s.grads else None) for n in self.names]
        print(" ".join(cells) + f"  {s.forward_passes:>7}  {s.backward_passes:>8}", file=self.out)


def data_sizes(spec) -> dict:
    """A classifier or regression run's summary keys for its data: {"train_points": N, "val_points": M} (M = 0
    without a held-out set); a circuit has none."""
    if spec.kind == "regression":
        return {"train_points": len(spec.xs), "val_points": len(spec.val_xs)}
    if spec.kind != "classifier":
        return {}
    return {"train_points": len(spec.points), "val_points": len(spec.val_points)}


def data_note(spec) -> str:
    """The table header's words for a classifier with a held-out set: ' | 80 training points, 20 held out'."""
    sizes = data_sizes(spec)
    if not sizes.get("val_points"):
        return ""
    return f" | {sizes['train_points']:,} training points, {sizes['val_points']:,} held out"


def steps_text(n: int) -> str:
    """A count of steps as the CLI's messages write it: '1 step', '7,350 steps' (JSON keeps plain integers)."""
    return f"{n:,} step" + ("" if n == 1 else "s")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 1,000th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


class Progress:
    """A one-line progress bar on a terminal's stderr, redrawn at most ten times a second; close() leaves it
    at the last step reported, so a run stopped early shows where it stopped. It counts steps, or `unit`s (a
    sweep's runs)."""

    def __init__(self, total: int, stream=None, width: int = 30, unit: str = "step"):
        self.total, self.stream, self.width, self.unit = total, stream or sys.stderr, width, unit
        self.done, self.last = 0, 0.0

    def update(self, done: int, force: bool = False) -> None:
        self.done = done  # remembered even when not drawn: close() draws it
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        filled = int(self.width * done / max(1, self.total))  # the bar's share: done / total of its width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {100 * done // max(1, self.total):3d}%  {self.unit} {done:,}/{self.total:,}")
        self.stream.flush()

    def close(self) -> None:
        self.update(self.done, force=True)
        self.stream.write("\n")
        self.stream.flush()


SWEEP_COLUMNS = {"output": None, "accuracy": "acc", "rmse": "rmse", "val_accuracy": "val acc", "val_rmse": "val rmse",
                 "val_cost": "val cost"}  # a sweep line's key -> column (output: the lesson's output name)


def setting_text(v) -> str:
    """A --set value as the sweep table shows it: a string bare, a number short, true/false, a list as TOML."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v, significant=6)
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"))


def count(n: int, one: str, many: str = "") -> str:
    """'1 combination', '8 combinations', '2 processes'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def sweep_text(lines: list[dict], keys: list[str], by: list[tuple[str, bool]], output_name: str, out, head: str,
               held: str) -> None:
    """`hnn-tui sweep`'s table under its two header lines: what ran, then what is held out and the order."""
    words = ", then ".join(f"{SWEEP_COLUMNS[k] or output_name} ({'higher' if up else 'lower'} first)" for k, up in by)
    print(head, file=out)
    print(f"{held} | sorted by {words}", file=out)
    sweep_table(lines, keys, output_name, out)


def sweep_table(lines: list[dict], keys: list[str], output_name: str, out=sys.stdout) -> None:
    """The ranked combinations of `hnn-tui sweep`: rank, the --set values, the measures (over folds: their means,
    each held-out one followed by its spread, ± sd), the steps taken and why a run stopped early."""
    folds = lines[0]["folds"] is not None
    measures = [k for k in SWEEP_COLUMNS if k in lines[0] and (k == "output" or any(ln[k] is not None
                                                                                     for ln in lines))]
    widths = [max(len(k), *(len(setting_text(ln["settings"][k])) for ln in lines)) for k in keys]
    head = ["rank".rjust(4), *(k.rjust(w) for k, w in zip(keys, widths))]
    for k in measures:
        head.append((SWEEP_COLUMNS[k] or output_name).rjust(WIDTH))
        if folds and k in (lines[0]["sd"] or {}):
            head.append("± sd".rjust(WIDTH))
    print(" ".join(head) + "   steps", file=out)
    for ln in lines:
        cells = [str(ln["rank"]).rjust(4), *(setting_text(ln["settings"][k]).rjust(w) for k, w in zip(keys, widths))]
        for k in measures:
            cells.append(cell(ln[k]))
            if folds and k in (lines[0]["sd"] or {}):
                cells.append(cell((ln["sd"] or {}).get(k)))
        stopped = f"  {ln['stopped']}" if ln["stopped"] else ""
        print(" ".join(cells) + f"  {ln['steps']:>6,}{stopped}", file=out)


def grad_text(expr: str, at: dict[str, float], result: dict) -> str:
    """The readable form of `hnn-tui grad`: value, both gradients per input and their difference."""
    point = ", ".join(f"{k}={v:g}" for k, v in at.items())
    pull = result.get("pull", 1.0)
    lines = [f"f = {expr}", f"at {point}", f"output = {result['output']:.10g}"]
    if pull != 1.0:  # the guide's pull is +1; any other says what the columns now hold
        lines.append(f"pull on the output: {pull:g} (both gradients are {pull:g} × d output / d input)")
    lines += ["", f"{'input':<10} {'analytic':>16} {'numerical':>16} {'rel. diff':>10}"]
    for name, a in result["analytic"].items():
        n = result["numerical"][name]
        lines.append(f"{name:<10} {a:>16.10g} {n:>16.10g} {rel_error(a, n):>10.2e}")
    lines += ["", f"max relative difference: {result['max_rel_error']:.2e} "
                  f"(numerical: centered, h = {result['h']:g})"]
    return "\n".join(lines + kink_note(result.get("kinks", [])))


def kink_note(kinks: list[str]) -> list[str]:
    """Why backprop and the centered difference may disagree at the kinks gradcheck found (none: no lines)."""
    if not kinks:
        return []
    kink, it = ("a kink", "it") if len(kinks) == 1 else ("kinks", "them")
    text = (f"at {kink} ({'; '.join(kinks)}) backprop gives one valid subgradient, and the centered difference, "
            f"straddling {it}, averages the slopes on both sides: they need not agree.")
    if any(k.endswith("at a tie") for k in kinks):
        text += " On a tie this engine's max sends the whole gradient to its first input (the guide's snippet " \
                "sends it to both)."
    return textwrap.wrap(text, NOTE_WIDTH)


TRACE_INDENT = 2
MAX_LEFT = 36  # forward lines align their second column up to this width; a longer wire label just pushes it


def _n(x: float) -> str:
    return num(x + 0.0, significant=6)  # -0.0 + 0.0 = 0.0: a zero pull times a negative local prints as 0


def _term(x: float) -> str:
    """A term of a sum: negative ones in parentheses, 1 + (-2), so each matches its `+=` line above."""
    return f"({_n(x)})" if x < 0 else _n(x)


def trace_text(t: Trace, circuit: Circuit) -> str:
    """`hnn-tui grad --trace`: the forward pass gate by gate, the backward pass gate by gate (upstream gradient,
    then local × upstream added into each input), and the sum for every wire that feeds more than one gate.
    `circuit` is the one traced: it tells constants from wires and gives ** its exponent."""
    constants = {i for i, u in enumerate(circuit.units) if any(u is c for c in circuit.constants)}
    pad = " " * TRACE_INDENT

    def operand(i: int) -> str:  # a wire with its value; a constant is just its number
        return t.labels[i] if i in constants else f"{t.labels[i]} = {_n(t.values[i])}"

    def operation(step, gate) -> str:
        ins = [operand(i) for i in step.from_]
        if step.gate in ("+", "-", "*", "/") and len(ins) == 2:
            a, b = (x if i in constants else f"({x})" for i, x in zip(step.from_, ins))
            return f"{a} {step.gate} {b}"
        if step.gate == "-":
            return f"-({ins[0]})"
        if step.gate == "**":
            return f"({ins[0]}) ** {gate.exponent:g}"
        return f"{step.gate}({', '.join(ins)})"

    left = [f"{s.wire} = {_n(s.value)}" for s in t.forward]
    width = min(MAX_LEFT, max(map(len, left))) + 4
    lines = ["forward pass, gate by gate (each computes its output wire from its inputs):"]
    lines += [f"{pad}{lhs:<{width}}{operation(s, g)}" for lhs, s, g in zip(left, t.forward, circuit.gates)]

    fed = {s.at: s.from_ for s in t.forward}
    lines += ["", f"backward pass, gate by gate from the output (pull {_n(t.pull)} on it):",
              "each gate adds local derivative × upstream gradient (the gradient on its output) into each input"]
    for s in t.backward:
        lines.append(f"{pad}{s.wire}   upstream {_n(s.upstream)}")
        shown = [(i, name, d, a) for i, (name, d), (_, a) in zip(s.to, s.local, s.added) if i not in constants]
        w = max((len(name) for _, name, _, _ in shown), default=0)
        for i, name, d, a in shown:
            twice = f"   ({name} is both inputs of this gate: its two local derivatives add up)" \
                if fed[s.at].count(i) > 1 else ""
            lines.append(f"{pad * 2}{name:<{w}} += {_n(d)} × {_n(s.upstream)} = {_n(a)}{twice}")

    sums = []
    for i, label in enumerate(t.labels):  # the chain rule's branches: what each gate added, summed
        parts = t.contributions(i)
        if i not in constants and len(parts) > 1:
            terms = " + ".join(_term(a) for _, a in parts)
            sums.append(f"{pad}{label}: {terms} = {_n(t.grads[i])}   (from {', then '.join(w for w, _ in parts)})")
    if sums:
        lines += ["", "wires that feed more than one gate: their gradient is the sum of what each gate added"] + sums
    return "\n".join(lines) + "\n"
