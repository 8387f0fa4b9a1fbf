"""The number tables beside the pictures: a classifier's parameters, a circuit's gradient check.

Both are plain text laid out to the width they get: no scrollbar, no cut-off column. The parameters wrap into
blocks of columns; what does not fit the height is counted ("and 12 more"), and `hnn-tui run --json` has them all.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..numbers import num

GAP = 2  # spaces between columns


def _columns(header: list[str], rows: list[list[str]]) -> list[int]:
    return [max(len(c) for c in col) for col in zip(header, *rows)]


def _line(cells: list[str], widths: list[int], gap: int = GAP) -> str:
    return (" " * gap).join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def param_blocks(names, values, grads, width: int, max_blocks: int, rows=None) -> tuple[list[str], int]:
    """Lines of the parameter table in blocks that fit `width`, at most `max_blocks`; and how many were left out.

    The rows are the values and the pull the last step used, or `rows`: (label, name -> number or None) pairs,
    e.g. the pull split into its parts (from the data, from the spring) above their sum."""
    rows = rows or [("value", values), ("pull used", grads)]
    label = ["parameter"] + [r[0] for r in rows]
    cols = [[n] + [num(r[1][n]) if r[1] else "·" for r in rows] for n in names]
    lines, at, left_w = [], 0, max(map(len, label)) + GAP
    for _ in range(max_blocks):
        if at >= len(cols):
            break
        used, block = left_w, []
        while at < len(cols):
            w = max(len(c) for c in cols[at]) + GAP
            if block and used + w > width:
                break
            block.append(cols[at])
            used += w
            at += 1
        widths = [max(map(len, label))] + [max(len(c) for c in col) for col in block]
        lines += [_line([label[r]] + [col[r] for col in block], widths) for r in range(len(label))]
    return lines, len(cols) - at


class ParamTable(Static):
    """Each parameter's value and the pull the last step used."""

    def __init__(self, names: list[str], **kwargs):
        super().__init__(**kwargs)
        self.names = list(names)
        self.max_blocks = 2
        self._shown = None

    def show(self, values, grads, rows=None) -> None:
        """The values and the pull used; or `rows` (see param_blocks) in their place."""
        self._shown = (dict(values), None if grads is None else dict(grads), rows)
        self._draw()

    def set_max_blocks(self, blocks: int) -> None:
        self.max_blocks = blocks
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._shown is None or not self.size.width:
            return
        values, grads, rows = self._shown
        lines, left = param_blocks(self.names, values, grads, self.content_size.width, self.max_blocks, rows)
        text = Text("\n".join(lines), no_wrap=True, overflow="ellipsis")
        if left:
            text.append(f"\n… and {left} more parameters (hnn-tui run --json lists them all)", style="dim")
        self._update(text)

    _lines_shown = -1

    def _update(self, text: Text) -> None:
        """A new layout only when the table's height changes: a run's numbers change 4 times a second."""
        lines = text.plain.count("\n")
        self.update(text, layout=lines != self._lines_shown)
        self._lines_shown = lines


def grad_check_lines(values, check: dict | None, width: int) -> list[str]:
    """input, value, backprop ∇, numeric ∇ and their difference, fitted to `width`: when space is short the
    value column goes first (the tree beside shows the values), then the gaps narrow, then |diff| goes."""
    header = ["input", "value", "backprop ∇", "numeric ∇", "|diff|"]
    rows = []
    for name, value in values.items():
        a = check["analytic"][name] if check else None
        n = check["numerical"][name] if check else None
        rows.append([name, num(value), num(a), num(n), f"{abs(a - n):.1e}" if check else "·"])
    keep = [[0, 1, 2, 3, 4], [0, 2, 3, 4], [0, 2, 3, 4], [0, 2, 3]]
    for cols, gap in zip(keep, (GAP, GAP, 1, 1)):
        head, body = [header[c] for c in cols], [[r[c] for c in cols] for r in rows]
        widths = _columns(head, body)
        if sum(widths) + gap * (len(widths) - 1) <= width:
            break
    return [_line(head, widths, gap)] + [_line(r, widths, gap) for r in body]


def _padded(line: Text, width: int) -> Text:
    line = line.copy()
    line.pad_right(max(0, width - line.cell_len))
    return line


class GradCheckTable(Static):
    """Per input: value, backprop and numerical gradients at the current point, and their difference."""

    def __init__(self, inputs: list[str], **kwargs):
        super().__init__(**kwargs)
        self.inputs = inputs
        self._shown = None

    def on_mount(self) -> None:
        self.border_title = "gradient check here (not counted)"

    def show(self, values, check: dict | None, centered: bool = True) -> None:
        """`check`: the engine's gradient check at `values` (None where it cannot be made), made with a centered
        or a forward difference (the note at a kink says which)."""
        self._shown = (dict(values), check)
        self.centered = centered
        self._draw()

    centered = True

    def on_resize(self) -> None:
        self._draw()

    def refit(self) -> None:
        """Lay the lines out again for the room the column now has (its own width follows its lines)."""
        self._draw()

    def _draw(self) -> None:
        if self._shown is None:
            return
        values, check = self._shown
        room = self.parent.content_size.width - 4 if self.parent else 80  # it is as wide as its lines: fit the column
        text = Text("\n".join(grad_check_lines(values, check, room)))
        kinks = (check or {}).get("kinks")
        if kinks:
            how = "the centered difference averages both sides" if self.centered else \
                "the forward difference takes the slope on the side it probes (x + h)"
            text.append(f"\nat a kink ({'; '.join(kinks)}): backprop gives one valid subgradient, {how}",
                        style="yellow")
        # It is as wide and as tall as its lines. So that a run does not lay the screen out again (and send all of
        # it) each time a number gains a digit, its lines are padded to the widest they have been for this room.
        width = max(len(ln) for ln in text.plain.splitlines())
        if self._shape is not None and self._shape[2] == room:
            width = max(width, self._shape[1])
        text = Text("\n").join(_padded(ln, width) for ln in text.split("\n"))
        shape = (text.plain.count("\n"), width, room)
        self.update(text, layout=shape != self._shape)
        self._shape = shape

    _shape = None
