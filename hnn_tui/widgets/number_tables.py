"""The number tables under the pictures: a classifier's parameters, a circuit's gradient check."""
from __future__ import annotations

from textual.widgets import DataTable

from ..numbers import num

MAX_PARAM_COLUMNS = 24  # a wide net's table would cost seconds per refresh; --json has every parameter


class ParamTable(DataTable):
    """Each parameter's value and the pull the last step used (the first MAX_PARAM_COLUMNS of them)."""

    def __init__(self, names: list[str], **kwargs):
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)
        self.names = names[:MAX_PARAM_COLUMNS]
        self.hidden = len(names) - len(self.names)

    def on_mount(self) -> None:
        self.add_columns("parameter", *self.names)
        for row in ("value", "pull used"):
            self.add_row(row, *["" for _ in self.names], key=row)
        if self.hidden:
            self.border_title = f"first {len(self.names)} of {len(self.names) + self.hidden} parameters " \
                                f"(hnn-tui run --json lists them all)"

    def show(self, values, grads) -> None:
        for col, name in zip(self.ordered_columns[1:], self.names):
            self.update_cell("value", col.key, num(values[name]), update_width=True)
            self.update_cell("pull used", col.key, num(grads[name]) if grads else "·", update_width=True)


class GradCheckTable(DataTable):
    """Per input: value, backprop and numerical gradients at the current point, and their difference."""

    def __init__(self, inputs: list[str], **kwargs):
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)
        self.inputs = inputs

    def on_mount(self) -> None:
        self.add_columns("input", "value", "backprop ∇", "numeric ∇", "|diff|")
        self.border_title = "gradient check here (not counted)"
        for name in self.inputs:
            self.add_row(name, "", "", "", "", key=name)

    def show(self, values, check: dict | None) -> None:
        """`check`: the engine's gradient check at `values` (None where it cannot be made)."""
        cols = [c.key for c in self.ordered_columns]
        for name, value in values.items():
            a = check["analytic"][name] if check else None
            n = check["numerical"][name] if check else None
            cells = (num(value), num(a), num(n), f"{abs(a - n):.1e}" if check else "·")
            for col, cell in zip(cols[1:], cells):
                self.update_cell(name, col, cell, update_width=True)
