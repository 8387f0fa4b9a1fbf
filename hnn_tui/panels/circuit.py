"""A circuit lesson: the tree of gates with values and gradients, a gradient check, the output's history."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ..engine.lessons import CircuitStage
from ..widgets.charts import HistoryChart
from ..widgets.circuit_view import CircuitView
from ..widgets.number_tables import GradCheckTable
from .base import Panel


class CircuitPanel(Panel):
    stage: CircuitStage

    def compose(self) -> ComposeResult:
        with Horizontal(id="upper"):
            yield CircuitView(self.stage.structure, id="circuit")
            with Vertical(id="side"):
                yield GradCheckTable(list(self.stage.inputs), id="inputs")
                yield HistoryChart(self.output_name, "cyan", id="output-chart")

    def on_mount(self) -> None:
        self.query_one("#circuit").border_title = "circuit: values, ∇ from the last backward pass"

    def show(self, snap, settings, tables) -> None:
        self.query_one(CircuitView).show(snap.detail.wires)
        self.query_one("#output-chart", HistoryChart).show(self.outputs)
        if tables:  # the check runs on the engine's own copy of the circuit: not the strategy's cost
            check = self.stage.check_gradient(snap.values, settings.h, settings.centered)
            self.query_one(GradCheckTable).show(snap.values, check)
