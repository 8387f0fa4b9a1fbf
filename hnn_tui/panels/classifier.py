"""A classifier lesson: the decision boundary over the data (margins, the step's points, the net's neurons), cost
and accuracy over steps, the step from the inside (each point's pull and why, the pull split into the data's part
and the spring's), a gradient check on demand, and every knob with its key.

The panel holds what the learner is looking at (neuron lines on or off, the check or the step's inside); a knob
that changes the lesson goes to the screen as a message, and comes back as a snapshot or as a new session.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from ..engine.datasets import GENERATORS
from ..engine.lessons import ClassifierStage
from ..keys import CLASSIFIER, bindings
from ..widgets.boundary_view import BoundaryView, legend, legend_sub
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.force_view import check_rows, inside_lines, pull_rows
from ..widgets.number_tables import ParamTable
from . import craft
from .base import Panel
from .checking import GradientCheck

SHORT = 40  # rows: below this the step's inside keeps to one line, the table to one block without the values
LOSS_WORDS = {"hinge": "hinge", "squared_hinge": "squared hinge"}
BATCH_WORDS = {"sgd": "1 point", "full": "all points"}
GLYPHS = {"+1": "●", "-1": "▲"}  # the boundary's marks of the two classes


def class_right(accuracy) -> str:
    """'right: ● +1 0.95 · ▲ -1 0.00': the fraction of each class's training points scored right, in words and the
    boundary's marks (never by colour alone), so a class always wrong shows beside a fine overall accuracy."""
    parts = [f"{GLYPHS[c]} {c} {'·' if accuracy.get(c) is None else f'{accuracy[c]:.2f}'}" for c in ("+1", "-1")]
    return "right: " + " · ".join(parts)


class ClassifierPanel(GradientCheck, Panel):
    BINDINGS = bindings(CLASSIFIER)
    second_series = ("val_cost", "val_accuracy")  # the held-out set's, drawn under the training curves
    can_focus = True  # focused on mount, so its keys work without a click
    stage: ClassifierStage

    @dataclass
    class Knob(Message):
        """Turn the knob `name` one notch (engine.knobs): up or down, or to the next option."""

        name: str
        up: bool = True

    @dataclass
    class Edit(Message):
        """The training data edited by hand (a point added or deleted): `what` says how, in words."""

        points: tuple
        labels: tuple
        what: str

    class UndoEdit(Message):
        """Back to the training data before the last edit."""

    class Save(Message):
        """Save the scenario as it is now, and its points as CSV."""

    class ReadCsv(Message):
        """Read points from a CSV file in place of these."""

    def __init__(self, stage, output_name: str, measures, **kwargs):
        super().__init__(stage, output_name, measures, **kwargs)
        self.neurons = False  # the hidden neurons' lines on the boundary
        self._shown = None  # the last (snapshot, settings, knobs line) shown
        self.cursor: tuple[float, float] | None = None  # the cursor's data coordinates (None: not shown yet)
        self.box = None  # the boundary's view (x0, x1, y0, y1), kept across edits of the points; None: the data's
        self._right = None  # the per-class accuracy line shown

    def charted(self, key: str, value: float) -> float:
        """The held-out cost is a mean point loss; the training cost sums over its N points: drawn × N, the two
        curves share a scale (the held-out set's cost were it the size of the training set; no spring)."""
        return value * len(self.stage.labels) if key == "val_cost" else value

    def view_state(self) -> tuple:
        """What the learner is looking at, for the panel that takes over after an edit of the points."""
        return self.query_one(BoundaryView).box, self.cursor, self.neurons

    def take_view(self, state: tuple) -> None:
        """The view of the panel before an edit (`view_state`): the same box, cursor and neuron lines."""
        self.box, self.cursor, self.neurons = state

    def compose(self) -> ComposeResult:
        st = self.stage
        with Horizontal(id="upper"):
            yield BoundaryView(st.score, st.points, st.labels, st.val_points, st.val_labels, self.box,
                               id="boundary")
            accuracy = "accuracy" if st.val_points else "training accuracy"  # with a held-out set: two curves
            with Vertical(id="chart-column"):  # the charts, each class's accuracy under them
                yield ChartStack([(HistoryChart(self.output_name, "red", id="loss-chart"), True),
                                  (HistoryChart(accuracy, "green", (0, 1), id="acc-chart"), False)],
                                 id="charts")
                yield Static(id="class-right")
        with Horizontal(id="classifier-lower"):  # on a short terminal each class's accuracy goes beside the inside
            yield Static(id="inside")
            yield Static(id="class-right-short")
        yield ParamTable(list(st.params), id="params")
        yield Static(id="classifier-keys")

    def on_mount(self) -> None:
        found = self.query("#boundary")
        if not found:  # swapped out again before its widgets were up (keys typed fast): nothing to set
            return
        boundary = found.first()
        boundary.border_title = legend(self.app.no_color, bool(self.stage.val_points))
        boundary.border_subtitle = legend_sub(self.app.no_color, self.neurons)
        self.focus()

    def on_resize(self) -> None:
        """Below SHORT rows the parameter table keeps to one block, and each class's accuracy goes beside the step's
        inside (one line then) instead of under the charts, so the pictures keep their rows."""
        short = self.app.size.height < SHORT
        self.set_class(short, "-short")
        self.query_one(ParamTable).set_max_blocks(1 if short else 2)

    # ---- keys ---------------------------------------------------------------------------------
    def action_knob(self, name: str, up: bool = True) -> None:
        if self.refused(name):
            return
        if name == "shape":
            if not self.stage.hidden_names:
                self.app.notify("the SVM has no hidden neurons: n and N change the net and the mlp",
                                severity="warning", timeout=4)
                return
            name = "layers" if "[" in self.stage.hidden_names[0] else "hidden"
        self.post_message(self.Knob(name, up))

    def action_neurons(self) -> None:
        if not self.stage.hidden_names:
            self.app.notify("the SVM has no hidden neurons to draw", severity="warning", timeout=4)
            return
        self.neurons = not self.neurons
        self.query_one("#boundary").border_subtitle = legend_sub(self.app.no_color, self.neurons)
        self._redraw()

    # ---- your own data: a cursor on the boundary, points added, deleted, undone; the scenario saved ----------
    def action_move_cursor(self, dx: int, dy: int) -> None:
        """Move the cursor (dx columns, dy rows); the first press shows it in the middle of the picture."""
        boundary = self.query_one(BoundaryView)
        if self.cursor is None:
            rows, cols = boundary.cells
            cell = (rows // 2, cols // 2)
        else:
            r, c = boundary.cell_of(*self.cursor)
            cell = (r + dy, c + dx)
        self._put_cursor(boundary, cell)

    def _put_cursor(self, boundary: BoundaryView, cell) -> None:
        rows, cols = boundary.cells
        cell = (min(rows - 1, max(0, cell[0])), min(cols - 1, max(0, cell[1])))
        self.cursor = boundary.data_of(*cell)
        boundary.set_cursor(self.cursor)

    def _cursor_now(self) -> tuple[float, float]:
        """The cursor's data coordinates, showing it in the middle first if it is not shown yet."""
        if self.cursor is None:
            self.action_move_cursor(0, 0)
        return self.cursor

    def action_add_point(self, label: int) -> None:
        x, y = self._cursor_now()
        st = self.screen.session.stage  # the newest data, even with an edit still on its way to a new panel
        self.post_message(self.Edit((*st.points, (x, y)), (*st.labels, label),
                                    f"a {label:+d} point added at ({x:.3g}, {y:.3g})"))

    def action_delete_point(self) -> None:
        """Delete the training point nearest the cursor (nearest on screen: distances in cells)."""
        x, y = self._cursor_now()
        boundary = self.query_one(BoundaryView)
        rows, cols = boundary.cells
        x0, x1, y0, y1 = boundary.box
        st = self.screen.session.stage
        far = [((px - x) / (x1 - x0) * cols) ** 2 + ((py - y) / (y1 - y0) * 2 * rows) ** 2 for px, py in st.points]
        i = min(range(len(far)), key=far.__getitem__)
        px, py = st.points[i]
        self.post_message(self.Edit(st.points[:i] + st.points[i + 1:], st.labels[:i] + st.labels[i + 1:],
                                    f"the {st.labels[i]:+d} point at ({px:.3g}, {py:.3g}) deleted"))

    def action_undo_edit(self) -> None:
        self.post_message(self.UndoEdit())

    def action_save(self) -> None:
        self.post_message(self.Save())

    def action_read_csv(self) -> None:
        self.post_message(self.ReadCsv())

    # ---- drawing ------------------------------------------------------------------------------
    def show(self, snap, settings, tables, slow=False) -> None:
        self._shown = (snap, settings)
        inside = getattr(snap.detail, "inside", None)
        boundary = self.query_one(BoundaryView)
        boundary.cursor_at = self.cursor
        lines = self.stage.neuron_lines(snap.values) if self.neurons else ()
        boundary.show(snap.values, max(4, boundary.size.height // 6) if slow else None,
                      batch=tuple(p.index for p in inside.batch) if inside else (), neuron_lines=lines,
                      show_neurons=self.neurons)
        seconds = None
        if self.stage.val_points:  # the held-out set's cost and accuracy: dotted, under the training curves
            seconds = [("training", f"held-out ×{len(self.stage.labels)}, no spring", self.seconds["val_cost"]),
                       ("training", "held-out", self.seconds["val_accuracy"])]
        self.query_one(ChartStack).show([self.outputs, self.measures["accuracy"]], None, seconds)
        right = class_right(snap.extra["class_accuracy"]) if snap.extra.get("class_accuracy") else ""
        if right != self._right:
            self._right = right
            self.query_one("#class-right", Static).update(right, layout=False)
            self.query_one("#class-right-short", Static).update(right, layout=False)  # fixed width (hnn.tcss)
        if not tables:
            return
        short = self.app.size.height < SHORT
        spec = self.screen.session.scenario.spec if hasattr(self.screen, "session") else None
        loss = spec.loss if spec else "hinge"
        table = self.query_one(ParamTable)
        if self.checking:
            words = self._check_words(snap, settings)
            table.show(snap.values, snap.grads, check_rows(self.check[1]) if self.check_done(snap) else None)
        else:
            words = inside_lines(snap, self.stage, loss, short)
            table.show(snap.values, snap.grads, pull_rows(snap, short))
        self.query_one("#inside", Static).update(Text("\n".join(words), no_wrap=True, overflow="ellipsis"))
        if spec is not None:
            self._show_knobs(spec, settings)

    def _show_knobs(self, spec, settings) -> None:
        """Every classifier knob with its key and its value now (on a short terminal, in the lines the knobs took
        before the craft ones: Panel.show_knobs)."""
        session = self.screen.session
        source = PurePath(spec.csv).name if spec.csv else spec.dataset  # a CSV file by its name
        data = session.data.describe() if session.data else f"{source} ({len(spec.points):,})"
        named = [("reg", f"[kK] spring {spec.reg:g}"), ("loss", f"[l] {LOSS_WORDS[spec.loss]}"),
                 ("batch", f"[a] {BATCH_WORDS[spec.batch]}")]
        if spec.model == "net":
            named.append(("shape", f"[nN] {spec.hidden} neurons"))
        elif spec.model == "mlp":
            named.append(("shape", f"[nN] layers {list(spec.layers)}"))
        named.append(("data", f"[dD] {data}"))
        if session.data is not None and session.data.generated or spec.dataset in GENERATORS:
            named.append(("size", "[zZ xX] size, noise"))
        named += craft.items(spec)
        named.append(("seed", f"[o] seed {session.scenario.seed}"))  # u (neuron lines), g (the check): the footer
        self.show_knobs("#classifier-keys", named, spec, self.app.size.height < SHORT)
