"""The circuit as a tree of gates and wires: each wire's value and its gradient at that value."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from ..engine.gates import SYMBOLS
from ..numbers import num
from .repaint import LinesWidget

VALUE_STYLE = "bold green"
GRAD_STYLE = "bold magenta"
GATE_STYLE = "cyan"
WIDEST_NUMBER = "-1.234e+05"  # what the layout leaves room for, so the panel keeps its width as numbers change


def render_tree(structure, wires, grads=None, approx: bool = False, max_lines: int = 200) -> Text:
    """Draw from the output down: each wire 'label = value ∇ grad', each gate's inputs beneath it.

    `wires`: (label, value, ...) per wire; `grads`: one gradient (or None) per wire, or None for none at all;
    `approx`: the gradients are numerical estimates, marked ∇≈.
    """
    made_by = {out: (name, ins) for name, ins, out in structure}
    mark = " ∇≈ " if approx else " ∇ "
    text = Text()
    lines = 0

    def wire(i: int, prefix: str, branch: str, child_prefix: str):
        nonlocal lines
        if lines >= max_lines:
            return
        label, value = wires[i][0], wires[i][1]
        grad = grads[i] if grads is not None else None
        text.append(prefix + branch, style="dim")
        text.append(f"{label} = ")
        text.append(num(value), style=VALUE_STYLE)
        if grad is not None:
            text.append(mark, style=GRAD_STYLE)
            text.append(num(grad), style=GRAD_STYLE)
        if i in made_by:
            name, ins = made_by[i]
            text.append(f"  ← {SYMBOLS.get(name, name)}", style=GATE_STYLE)
        text.append("\n")
        lines += 1
        if i in made_by:
            ins = made_by[i][1]
            for k, j in enumerate(ins):
                last = k == len(ins) - 1
                wire(j, prefix + child_prefix, "└─ " if last else "├─ ", "   " if last else "│  ")

    if structure:
        wire(structure[-1][2], "", "", "")
    text.rstrip()
    return text


def tree_width(structure, labels) -> int:
    """The widest line the tree can have, with room for the widest number on every wire."""
    wires = [(label, 0.0) for label in labels]
    probe = render_tree(structure, wires, [0.0] * len(labels), approx=True)
    return max((cell_len(line) for line in probe.plain.splitlines()), default=0) + 2 * len(WIDEST_NUMBER)


def legend(approx: bool, h: float | None = None) -> Text:
    """What the marks mean, and where the gradients come from."""
    how = f"∇≈ numerical estimate (h {h:g}) on the inputs" if approx else "∇ gradient by backprop"
    return Text.assemble(("= value", VALUE_STYLE), "  ", (how, GRAD_STYLE), "  ", ("← gate", GATE_STYLE), "\n\n")


class CircuitView(LinesWidget):
    """Redraws the tree from a snapshot's values and the gradients at them; the structure is fixed. A new picture
    repaints only the cells that changed (a run changes a few numbers a line)."""

    def __init__(self, structure, **kwargs):
        super().__init__(**kwargs)
        self.structure = structure

    def show(self, wires, grads, approx: bool = False, h: float | None = None) -> None:
        self.show_lines((legend(approx, h) + render_tree(self.structure, wires, grads, approx)).split("\n"))
