"""The circuit as a tree of gates and wires: each wire's value and its gradient at that value; a cursor on one
wire; and, walking through a pass, only what the pass has computed so far."""
from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text

from ..engine.gates import SYMBOLS
from ..numbers import num
from .repaint import LinesWidget

VALUE_STYLE = "bold green"
GRAD_STYLE = "bold magenta"
GATE_STYLE = "cyan"
CURSOR_STYLE = "reverse"
WIDEST_NUMBER = "-1.234e+05"  # what the layout leaves room for, so the panel keeps its width as numbers change
CURSOR = "  ◀"  # after the selected line: the cursor is not told by its colour alone
HERE = "  ◀ here"  # after the gate a walk-through is at


@dataclass(frozen=True)
class TreeView:
    """What the tree shows besides the values: gradients, the cursor, and a walk-through's progress."""

    grads: tuple | None = None  # one per wire (None entries show no ∇), or None for none
    approx: bool = False  # the gradients are numerical estimates: ∇≈
    cursor: int | None = None  # the selected line of the tree
    known: frozenset | None = None  # walking forward: the wires computed so far (the rest show `?`)
    sums: dict = field(default_factory=dict)  # walking backward: wire -> the contributions added so far
    here: int | None = None  # the wire of the gate the walk is at


def is_constant(label: str) -> bool:
    """A number in the expression (`2`; `2 #3` in a trace, the third wire labelled 2): it has a value, and a
    gradient nobody uses, so none is shown."""
    try:
        float(label.split(" #")[0])
    except ValueError:
        return False
    return True


def tree_lines(structure) -> list[tuple[int, str, bool]]:
    """The tree from the output down, as (wire, prefix, made by a gate) per line; a wire used twice is listed twice."""
    made_by = {out: ins for _, ins, out in structure}
    lines: list[tuple[int, str, bool]] = []

    def wire(i: int, prefix: str, branch: str, child_prefix: str):
        if len(lines) >= 200:
            return
        lines.append((i, prefix + branch, i in made_by))
        for k, j in enumerate(made_by.get(i, ())):
            last = k == len(made_by[i]) - 1
            wire(j, prefix + child_prefix, "└─ " if last else "├─ ", "   " if last else "│  ")

    if structure:
        wire(structure[-1][2], "", "", "")
    return lines


def render_tree(structure, wires, grads=None, approx: bool = False, view: TreeView | None = None) -> Text:
    """Draw from the output down: each wire 'label = value ∇ grad', each gate's inputs beneath it.

    `wires`: (label, value, ...) per wire; `grads`/`approx` as in TreeView (kept for callers that need no more).
    """
    view = view or TreeView(grads, approx)
    gate_of = {out: SYMBOLS.get(name, name) for name, _, out in structure}
    mark = " ∇≈ " if view.approx else " ∇ "
    text = Text()
    for n, (i, prefix, made) in enumerate(tree_lines(structure)):
        line = Text(prefix, style="dim")
        label, value = wires[i][0], wires[i][1]
        line.append(f"{label} = ")
        known = view.known is None or i in view.known
        line.append(num(value) if known else "?", style=VALUE_STYLE)
        parts = view.sums.get(i)
        grad = view.grads[i] if view.grads is not None else None
        if parts:  # walking backward: what has been added so far, term by term when more than one
            shown = " + ".join(num(p) for p in parts) + (f" = {num(sum(parts))}" if len(parts) > 1 else "")
            line.append(mark + shown, style=GRAD_STYLE)
        elif grad is not None and view.known is None and not is_constant(label):
            line.append(mark + num(grad), style=GRAD_STYLE)
        if made:
            line.append(f"  ← {gate_of[i]}", style=GATE_STYLE)
        if view.here == i:
            line.append(HERE, style="bold")
        if view.cursor == n:
            line.stylize(CURSOR_STYLE)
            line.append(CURSOR, style="bold")
        text.append_text(line)
        text.append("\n")
    text.rstrip()
    return text


def tree_width(structure, labels) -> int:
    """The widest line the tree can have, with room for the widest number on every wire."""
    wires = [(label, 0.0) for label in labels]
    probe = render_tree(structure, wires, [0.0] * len(labels), approx=True)
    widest = max((cell_len(line) for line in probe.plain.splitlines()), default=0) + 2 * len(WIDEST_NUMBER) + len(HERE)
    return max(widest, *(cell_len(line) for line in legend(True, 1.5e-12, -1).plain.splitlines()))


def signed(pull: float) -> str:
    """A pull as the guide writes it: +1, -1, 0, +2."""
    return "0" if pull == 0 else f"{pull:+g}"


def legend(approx: bool, h: float | None = None, pull: float = 1.0) -> Text:
    """What the marks mean (two lines, the second saying where the gradients come from and the pull they start
    from), so the legend fits the tree's width."""
    how = f"∇≈ numerical, h {h:g}" if approx else "∇ by backprop"
    return Text.assemble(("= value", VALUE_STYLE), "  ", ("← gate", GATE_STYLE), "  ◀ selected\n",
                         (f"{how}, pull {signed(pull)}", GRAD_STYLE), "\n")


class CircuitView(LinesWidget):
    """Redraws the tree from a snapshot's values and what to show with them; the structure is fixed. A new picture
    repaints only the cells that changed (a run changes a few numbers a line). A tree taller than the view shows a
    window of it that keeps the cursor (or the walk's gate) in sight, with how many lines lie above and below."""

    def __init__(self, structure, **kwargs):
        super().__init__(**kwargs)
        self.structure = structure
        self.lines_to_wires = [i for i, _, _ in tree_lines(structure)]
        self.top = 0  # the first tree line in view

    def show(self, wires, grads, approx: bool = False, h: float | None = None, view: TreeView | None = None,
             pull: float = 1.0) -> None:
        view = view or TreeView(grads, approx)
        tree = list(render_tree(self.structure, wires, view=view).split("\n"))
        focus = view.cursor or 0
        if view.here is not None:
            focus = self.lines_to_wires.index(view.here)
        self.show_lines(list(legend(view.approx, h, pull).split("\n"))[:2] + self.window(tree, focus))

    def window(self, tree: list[Text], focus: int) -> list[Text]:
        """The lines that fit the view's height, `focus` among them and not at the very edge (a line of ⋮ above
        or below says how many more there are)."""
        room = max(3, self.content_size.height - 2)  # the legend's two lines
        if len(tree) <= room:
            self.top = 0
            return tree
        top = min(self.top, focus - 1)  # the focus below the first line (which may say what lies above) ...
        top = max(top, focus - room + 2)  # ... and above the last
        self.top = top = max(0, min(top, len(tree) - room))
        shown = tree[top: top + room]
        if top > 0:
            shown[0] = Text(f"⋮ {top + 1} more above (↑)", style="dim")
        if top + room < len(tree):
            shown[-1] = Text(f"⋮ {len(tree) - top - room + 1} more below (↓)", style="dim")
        return shown
