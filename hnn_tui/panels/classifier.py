"""A classifier lesson: the decision boundary over the data, cost and accuracy over steps, the parameters."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from ..engine.lessons import ClassifierStage
from ..widgets.boundary_view import BoundaryView, legend
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.number_tables import ParamTable
from .base import Panel

SHORT = 30  # rows: below this the parameter table keeps to one block


class ClassifierPanel(Panel):
    stage: ClassifierStage

    def compose(self) -> ComposeResult:
        st = self.stage
        with Horizontal(id="upper"):
            yield BoundaryView(st.score, st.points, st.labels, id="boundary")
            yield ChartStack([(HistoryChart(self.output_name, "red", id="loss-chart"), True),
                              (HistoryChart("training accuracy", "green", (0, 1), id="acc-chart"), False)],
                             id="charts")
        yield ParamTable(list(st.params), id="params")

    def on_mount(self) -> None:
        self.query_one("#boundary").border_title = legend(self.app.no_color)

    def on_resize(self) -> None:
        """A short terminal keeps one block of parameters, so the pictures keep their rows."""
        self.query_one(ParamTable).set_max_blocks(1 if self.app.size.height < SHORT else 2)

    def show(self, snap, settings, tables, slow=False) -> None:
        boundary = self.query_one(BoundaryView)
        boundary.show(snap.values, max(4, boundary.size.height // 6) if slow else None)
        self.query_one(ChartStack).show([self.outputs, self.measures["accuracy"]])
        if tables:
            self.query_one(ParamTable).show(snap.values, snap.grads)
