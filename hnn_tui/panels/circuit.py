"""A circuit lesson: the tree of gates with values and gradients, a gradient check, the output's history; and the
circuit made pokeable: a cursor over the wires, nudges and typed values for the inputs, the pull on the output, a
walk through a pass gate by gate, and a new expression typed in.

One gradient story: every ∇ on screen is at the values on screen, pulled by the pull on screen. After a numerical
step (or with the numerical gradient chosen at the start) the inputs show its estimate there, marked ∇≈; otherwise
every wire shows backprop's gradient there. The gradient-check table beside it is computed at the same point, so
the two agree.

The panel holds only what the learner is pointing at (the cursor, the nudge's size, the walk's position); anything
that changes the lesson goes to the screen as a message, and comes back as a snapshot like a step does.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from ..engine.landscape import landscape_for
from ..engine.lessons import CircuitStage
from ..engine.runner import ladder
from ..keys import CIRCUIT, bindings
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.circuit_view import CircuitView, TreeView, is_constant, tree_width
from ..widgets.number_tables import GradCheckTable
from ..widgets.path_map import PathMap
from ..widgets.walk import explain, last_position, tree_view
from .base import Panel

MAP_WIDTH, MAP_HEIGHT = 100, 30  # the path map shows on a terminal at least this big: below, the chart keeps the room
NUDGE_SIZE = 0.1  # what [ and ] add to an input at first; { and } walk the 1-2-5 ladder
PULLS = (1.0, 2.0, -1.0, 0.0)  # p goes through these in order, P backwards: the guide's +1 first


def nudged(value: float, by: float) -> float:
    """value + by, without the float dust that repeated nudges collect (-2 + 20 x 0.1 is 0, not 1.1e-16): rounded
    nine decimal places below the nudge's own."""
    digits = 9 - int(f"{abs(by):e}".split("e")[1])
    return round(value + by, max(0, digits)) + 0.0


def next_pull(pull: float, way: int) -> float:
    """The next pull in PULLS (way +1) or the one before (way -1); from a pull not in PULLS, +1."""
    if pull not in PULLS:
        return PULLS[0]
    return PULLS[(PULLS.index(pull) + way) % len(PULLS)]


class CircuitPanel(Panel):
    BINDINGS = bindings(CIRCUIT)
    can_focus = True  # focused on mount, so its keys work without a click
    stage: CircuitStage

    @dataclass
    class Poke(Message):
        """Set input `name` to `value`, or nudge it `by` (from its value when the screen takes the message in)."""

        name: str
        value: float | None = None
        by: float | None = None

    @dataclass
    class AskValue(Message):
        """Ask for a typed value for input `name`."""

        name: str

    @dataclass
    class Pull(Message):
        """The pull on the output, the gradient backprop starts from, is now `pull`."""

        pull: float

    class AskExpression(Message):
        """Ask for a new expression."""

    def __init__(self, stage, output_name: str, measures, **kwargs):
        super().__init__(stage, output_name, measures, **kwargs)
        self.nudge_size = NUDGE_SIZE
        self.walk: int | None = None  # the walk's position (widgets.walk) while walking through a pass
        self.nudges: list[tuple[int, float]] = []  # (step, output) after each nudge or typed value, for the chart
        self._shown = None  # the last (snapshot, settings) shown: cursor and walk keys redraw from it
        lines = CircuitView(stage.structure).lines_to_wires
        inputs = set(range(len(stage.inputs)))
        self.cursor = next((n for n, i in enumerate(lines) if i in inputs), 0)  # on the first input line

    def compose(self) -> ComposeResult:
        landscape = self._landscape()
        with Horizontal(id="upper"):
            yield CircuitView(self.stage.structure, id="circuit")
            with Vertical(id="side"):
                yield GradCheckTable(list(self.stage.inputs), id="inputs")
                chart = ChartStack([(HistoryChart(self.output_name, "cyan", id="output-chart"), False)], id="charts")
                if landscape is None:
                    yield chart
                else:
                    with Vertical(id="side-lower"):  # the map above the chart: wide, so a valley shows its length
                        yield PathMap(landscape, id="path-map")
                        yield chart
        yield Static(id="walk")
        yield Static(id="circuit-keys")

    def on_mount(self) -> None:
        found = self.query("#circuit")
        if not found:  # swapped out again before its widgets were up (keys typed fast): nothing to set
            return
        view = found.first(CircuitView)
        view.border_title = "circuit"
        view.styles.width = tree_width(self.stage.structure, self.stage.labels) + 4  # padding, border: no jump later
        self._show_keys()
        self.focus()

    def _landscape(self):
        """The output over the plane of the two trainable inputs, when there are exactly two (else None): the
        spec is the screen's session's, if that session is this panel's (an edit typed ahead makes another)."""
        session = getattr(self.screen, "session", None)
        if session is None or session.stage is not self.stage:
            return None
        return landscape_for(session.scenario.spec)

    @property
    def path_map(self) -> PathMap | None:
        found = self.query(PathMap)
        return found.first() if found else None

    def record(self, samples) -> None:
        """The histories, and every step's point on the path map."""
        super().record(samples)
        path_map = self.path_map
        if path_map is not None:
            for sample in samples:  # a Snapshot.sample() carries the values (a bare 4-tuple does not)
                if hasattr(sample, "values"):
                    path_map.add(sample[0], sample.values)

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < MAP_WIDTH or self.app.size.height < MAP_HEIGHT, "-no-map")
        self.query_one(GradCheckTable).refit()
        self._show_keys()
        self._redraw()  # the tree's window follows the height it now has

    def clear(self) -> None:
        """r and R: the histories, the nudges, the nudge's size and the walk start again."""
        super().clear()
        if self.path_map is not None:
            self.path_map.clear()
        self.nudges.clear()
        self.nudge_size = NUDGE_SIZE
        if self.walk is not None:
            self.action_walk()
        self._show_keys()

    def poked(self, snap) -> None:
        """A snapshot made by a nudge or a typed value (not a step): a point on the chart, marked as such."""
        self.nudges.append((snap.step, snap.output))
        if self.path_map is not None:  # the landscape (a held input) or the point moved: the path starts here
            self.path_map.restart(snap.step, snap.values)

    # ---- what the learner points at -----------------------------------------------------------
    @property
    def view(self) -> CircuitView:
        return self.query_one("#circuit", CircuitView)

    def selected(self) -> int:
        """The wire under the cursor (an index into the stage's labels)."""
        return self.view.lines_to_wires[self.cursor]

    def selected_input(self) -> str | None:
        i = self.selected()
        return self.stage.inputs[i] if i < len(self.stage.inputs) else None

    def _needs_input(self) -> str | None:
        name = self.selected_input()
        if name is None:
            label = self.stage.labels[self.selected()]
            what = "a constant of the expression" if is_constant(label) else "computed by a gate"
            self.app.notify(f"{label} is {what}: select an input (up/down) to change it", severity="warning",
                            timeout=4)
        return name

    def action_cursor(self, by: int) -> None:
        self.cursor = max(0, min(len(self.view.lines_to_wires) - 1, self.cursor + by))
        self._redraw()  # the tree's window follows the cursor

    def action_nudge(self, way: int) -> None:
        name = self._needs_input()
        if name is not None:
            self.post_message(self.Poke(name, by=way * self.nudge_size))

    def action_nudge_size(self, up: bool) -> None:
        self.nudge_size = ladder(self.nudge_size, up)
        self._show_keys()

    def action_type_value(self) -> None:
        name = self._needs_input()
        if name is not None:
            self.post_message(self.AskValue(name))

    def action_pull(self, way: int) -> None:
        if self._shown is not None:
            self.post_message(self.Pull(next_pull(self._shown[1].pull, way)))

    def action_edit(self) -> None:
        self.post_message(self.AskExpression())

    def action_walk(self) -> None:
        self.walk = 0 if self.walk is None else None
        self.set_class(self.walk is not None, "-walking")
        self._show_keys()
        if self._shown is not None:
            self.show(*self._shown, tables=True)

    def action_walk_step(self, by: int) -> None:
        if self.walk is None or self._shown is None:
            return
        end = last_position(self.stage.trace(self._shown[0].values, self._shown[1].pull))
        self.walk = max(0, min(end, self.walk + by))
        self._redraw()

    def changed(self) -> str:
        return f"edited: {self.stage.expression}"

    def back(self) -> bool:
        """b or escape: leave the walk first; only then leave the screen."""
        if self.walk is None:
            return False
        self.action_walk()
        return True

    def _show_keys(self) -> None:
        if self.walk is not None:
            items = ["walking through a pass:", "→ next gate", "← back", "w or escape: leave the walk"]
        else:
            items = ["↑↓ select a wire", f"[ ] nudge an input by {self.nudge_size:g}", "{ } nudge size",
                     "v type a value", "p P pull", "w walk through a pass", "e edit"]
            if self.path_map is not None and self.has_class("-no-map"):
                items.append(f"a {MAP_WIDTH}x{MAP_HEIGHT} terminal shows the path map")
        self.show_items("#circuit-keys", items, gap="   ")

    # ---- drawing ------------------------------------------------------------------------------
    def _redraw(self) -> None:
        if self._shown is not None:
            self.show(*self._shown, tables=False)

    def show(self, snap, settings, tables, slow=False) -> None:
        self._shown = (snap, settings)
        values, pull = snap.values, settings.pull
        approx = snap.strategy == "numerical"
        check = self.stage.check_gradient(values, settings.h, settings.centered, pull) if approx or tables else None
        if tables:  # the check runs on the engine's own copy of the circuit: not the strategy's cost
            self.query_one(GradCheckTable).show(values, check, settings.centered)
        if self.walk is not None:  # the pass at the values on screen, as far as the walk has gone
            walked = self.stage.trace(values, pull)
            self.walk = min(self.walk, last_position(walked))
            self.view.show(snap.detail.wires, None, h=settings.h, pull=pull,
                           view=tree_view(walked, self.walk, self.cursor))
            self.query_one("#walk", Static).update(explain(walked, self.walk))
        else:
            if approx:  # the numerical estimate on the inputs it probes; inner wires have none
                estimate = check["numerical"] if check else {}
                grads = tuple(estimate.get(label) for label, *_ in snap.detail.wires)
            else:
                grads = self.stage.wire_grads(values, pull)
            self.view.show(snap.detail.wires, grads, approx, settings.h, TreeView(grads, approx, self.cursor), pull)
        charts = self.query_one(ChartStack)
        charts.lower[0] = settings.pull < 0  # pulled down (svm_cost, momentum_valley): the best output is the lowest
        charts.show([self.outputs], [self.nudges])
        path_map = self.path_map
        if path_map is not None and path_map.display:
            path_map.show(values)
