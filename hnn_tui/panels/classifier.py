"""A classifier lesson: the decision boundary over the data, cost and accuracy over steps, the parameters."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ..engine.lessons import ClassifierStage
from ..widgets.boundary_view import BoundaryView
from ..widgets.charts import HistoryChart
from ..widgets.number_tables import ParamTable
from .base import Panel


class ClassifierPanel(Panel):
    stage: ClassifierStage

    def compose(self) -> ComposeResult:
        st = self.stage
        with Horizontal(id="upper"):
            yield BoundaryView(st.score, st.points, st.labels, id="boundary")
            with Vertical(id="charts"):
                yield HistoryChart(self.output_name, "red", id="loss-chart")
                yield HistoryChart("training accuracy", "green", (0, 1), id="acc-chart")
        yield ParamTable(list(st.params), id="params")

    def on_mount(self) -> None:
        self.query_one("#boundary").border_title = "boundary: ● +1 ▲ -1 · blue: score > 0"

    def show(self, snap, settings, tables) -> None:
        self.query_one(BoundaryView).show(snap.values)
        self.query_one("#loss-chart", HistoryChart).show(self.outputs)
        self.query_one("#acc-chart", HistoryChart).show(self.measures["accuracy"])
        if tables:
            self.query_one(ParamTable).show(snap.values, snap.grads)
