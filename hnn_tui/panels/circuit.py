"""A circuit lesson: the tree of gates with values and gradients, a gradient check, the output's history.

One gradient story: every ∇ on screen is at the values on screen. After a numerical step (or with the numerical
gradient chosen at the start) the inputs show its estimate there, marked ∇≈; otherwise every wire shows backprop's
gradient there. The gradient-check table beside it is computed at the same point, so the two agree.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ..engine.lessons import CircuitStage
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.circuit_view import CircuitView, tree_width
from ..widgets.number_tables import GradCheckTable
from .base import Panel


class CircuitPanel(Panel):
    stage: CircuitStage

    def compose(self) -> ComposeResult:
        with Horizontal(id="upper"):
            yield CircuitView(self.stage.structure, id="circuit")
            with Vertical(id="side"):
                yield GradCheckTable(list(self.stage.inputs), id="inputs")
                yield ChartStack([(HistoryChart(self.output_name, "cyan", id="output-chart"), False)], id="charts")

    def on_mount(self) -> None:
        view = self.query_one("#circuit", CircuitView)
        view.border_title = "circuit"
        view.styles.width = tree_width(self.stage.structure, self.stage.labels) + 4  # padding, border: no jump later

    def on_resize(self) -> None:
        self.query_one(GradCheckTable).refit()

    def show(self, snap, settings, tables, slow=False) -> None:
        values = snap.values
        approx = snap.strategy == "numerical"
        check = self.stage.check_gradient(values, settings.h, settings.centered) if approx or tables else None
        if approx:  # the numerical estimate on the inputs it probes; inner wires have none
            estimate = check["numerical"] if check else {}
            grads = tuple(estimate.get(label) for label, *_ in snap.detail.wires)
        else:
            grads = self.stage.wire_grads(values)
        self.query_one(CircuitView).show(snap.detail.wires, grads, approx, settings.h)
        self.query_one(ChartStack).show([self.outputs])
        if tables:  # the check runs on the engine's own copy of the circuit: not the strategy's cost
            self.query_one(GradCheckTable).show(values, check)
