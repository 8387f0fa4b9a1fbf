"""The circuit as a tree of gates and wires: values on top in one style, gradients in another."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..engine.gates import SYMBOLS
from ..numbers import num

VALUE_STYLE = "bold green"
GRAD_STYLE = "bold magenta"
GATE_STYLE = "cyan"


def render_tree(structure, wires, max_lines: int = 200) -> Text:
    """Draw from the output down: each wire 'label = value  ∇ grad', each gate's inputs beneath it."""
    made_by = {out: (name, ins) for name, ins, out in structure}
    text = Text()
    lines = 0

    def wire(i: int, prefix: str, branch: str, child_prefix: str):
        nonlocal lines
        if lines >= max_lines:
            return
        label, value, grad = wires[i]
        text.append(prefix + branch, style="dim")
        text.append(f"{label} = ")
        text.append(num(value), style=VALUE_STYLE)
        if grad is not None:
            text.append(" ∇ ", style=GRAD_STYLE)
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


class CircuitView(Static):
    """Redraws the tree from a snapshot's wires; the structure (the stage's) is fixed for a scenario."""

    def __init__(self, structure, **kwargs):
        super().__init__(**kwargs)
        self.structure = structure

    def show(self, wires) -> None:
        legend = Text.assemble(("value", VALUE_STYLE), "   ", ("∇ gradient", GRAD_STYLE), "   ",
                               ("← gate", GATE_STYLE), "\n\n")
        self.update(legend + render_tree(self.structure, wires))
