"""A multiclass classifier's confusion matrix and per-class accuracy, as a small table of text beside the charts.

Rows are the true classes, columns the predicted ones (by each class's point glyph, as the map draws them), the
training points counted in each cell; the row ends in the fraction of that class's points predicted right. Where
the room is short (few rows on screen, or too narrow for the matrix) it keeps to the per-class accuracy alone.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .class_paint import POINT_GLYPHS

GAP = 1  # spaces between columns
NAME_CHARS = 10  # a class name longer than this is cut (the map's border title has it whole)


def fraction(x: float | None) -> str:
    return "·" if x is None else f"{x:.2f}"


def matrix_lines(classes, confusion, accuracy) -> list[str]:
    """The confusion matrix as lines: a header of predicted classes, then a row per true class, with its accuracy."""
    names = [f"{POINT_GLYPHS[k]} {name[:NAME_CHARS]}" for k, name in enumerate(classes)]
    head = ["true ↓ pred →"] + [POINT_GLYPHS[k] for k in range(len(classes))] + ["right"]
    rows = [[names[i]] + [f"{n:,}" for n in confusion[i]] + [fraction(accuracy.get(classes[i]))]
            for i in range(len(classes))]
    widths = [max(len(r[j]) for r in [head] + rows) for j in range(len(head))]

    def line(cells):
        return (" " * GAP).join([cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])])
    return [line(head)] + [line(r) for r in rows]


def accuracy_lines(classes, accuracy, width: int) -> list[str]:
    """'right: ● red 0.95 · ▲ green 0.90 · ■ blue 1.00': per-class accuracy, wrapped between classes to `width`."""
    lines = ["right:"]
    for k, name in enumerate(classes):
        item = f"{POINT_GLYPHS[k]} {name[:NAME_CHARS]} {fraction(accuracy.get(name))}"
        joined = f"{lines[-1]}{' ' if lines[-1] == 'right:' else ' · '}{item}"
        if len(joined) <= width or lines[-1] == "right:":
            lines[-1] = joined
        else:
            lines.append(item)
    return lines


class ConfusionTable(Static):
    """Rows true class, columns predicted, the count of training points in each; per-class accuracy at the row end."""

    def __init__(self, classes, **kwargs):
        super().__init__(**kwargs)
        self.class_names = tuple(classes)
        self.compact = False  # per-class accuracy only (a short terminal)
        self._shown = None
        self._shape = None

    def show(self, confusion, accuracy) -> None:
        """`confusion`: K x K counts, row = true class, column = predicted; `accuracy`: {class name: fraction}."""
        self._shown = ([list(r) for r in confusion], dict(accuracy))
        self._draw()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def lines(self) -> list[str]:
        """What the table shows now: the matrix, or per-class accuracy alone when compact or when the matrix is
        wider than the room beside it (the parent's width: this one's own follows its lines)."""
        if self._shown is None:
            return []
        confusion, accuracy = self._shown
        full = matrix_lines(self.class_names, confusion, accuracy)
        room = self.parent.content_size.width - 2 if self.parent is not None and self.parent.content_size.width \
            else 10**6  # less the padding
        if self.compact or max(len(ln) for ln in full) > room:
            return accuracy_lines(self.class_names, accuracy, min(room, self.content_size.width or room))
        return full

    def _draw(self) -> None:
        lines = self.lines()
        if not lines:
            return
        shape = (len(lines), max(map(len, lines)), self.compact)  # a new layout only when its size may change
        self.update(Text("\n".join(lines), no_wrap=True), layout=shape != self._shape)
        self._shape = shape
