"""A regression lesson: the data and the fitted curve on one chart (the step's point and its residual marked), cost
and RMSE over steps (the held-out set's as dotted curves), the step from the inside (each point's residual and the
pull on its prediction, the pull split into the data's part and the spring's), and a gradient check on demand.

The guide's "tiny changes needed to cost function": a classifier's loss pulls a score past a margin, a regression
loss pulls the prediction towards its target; with the residual r = target - prediction the pull is 2r (squared),
the sign of r (absolute) or r capped at ±delta (huber).
"""
from __future__ import annotations

import time
from pathlib import PurePath

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..engine.landscape import landscape_for
from ..engine.lessons import RegressionStage
from ..keys import REGRESSION, bindings
from ..numbers import num
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.fit_chart import FitChart
from ..widgets.force_view import check_rows, pull_rows
from ..widgets.number_tables import ParamTable
from ..widgets.path_map import PathMap
from . import craft
from .base import Panel
from .checking import GradientCheck
from .classifier import ClassifierPanel

CHART_INTERVAL = 0.16  # a run redraws the cost and rmse charts every other frame (~6 a second), the fit every frame:
# a noisy SGD history makes plotext's lines costly, and the saved time keeps the keys quick while a run goes on
MAP_WIDTH = 150  # columns: on a narrower terminal a line's path map gives way to the fit (its legend needs ~60)
SHORT = 40  # rows: below this the step's inside keeps to one line, the table to one block without the values
MAX_POINT_LINES = 4  # a batch of more points is summed up in one line
LARGEST = 3  # a full batch's line names its largest residuals
LOSS_WORDS = {"squared": "squared (L2)", "absolute": "absolute (L1)", "huber": "huber"}
BATCH_WORDS = {"sgd": "1 point a step", "full": "all points"}


def why(residual: float, pull: float, loss: str, delta: float) -> str:
    """The pull on one prediction and why: 'pull up +0.72 = 2 × residual' (squared), '+1: the residual's sign'
    (absolute), the residual itself or capped at ±delta (huber)."""
    if pull == 0:
        return "on its target: no pull"
    way = "up" if pull > 0 else "down"
    if loss == "squared":
        return f"pull {way} {pull:+.3g} = 2 × residual"
    if loss == "absolute":
        return f"pull {way} {pull:+g}: the residual's sign only, whatever its size"
    if abs(residual) <= delta:
        return f"pull {way} {pull:+.3g} = the residual (|r| ≤ δ {delta:g})"
    return f"pull {way} {pull:+.3g}: capped at δ {delta:g} (|r| > δ)"


def point_line(p, loss: str, delta: float) -> str:
    """One point of the step's batch: where it is, what the model predicted before the step, the pull and why."""
    return (f"point {p.index} at x {num(p.x, 3)}: target {num(p.target, 3)}, prediction {num(p.prediction, 3)}, "
            f"residual {p.residual:+.3g}: {why(p.residual, p.pull, loss, delta)}")


def batch_lines(inside, loss: str, delta: float, limit: int = MAX_POINT_LINES) -> list[str]:
    """One line per point of the step's batch, or one line summing them up when there are more than `limit`: how
    many pull the curve up and down, and the largest residuals."""
    pts = inside.batch
    if len(pts) <= limit:
        return [point_line(p, loss, delta) for p in pts]
    up = sum(1 for p in pts if p.pull > 0)
    down = sum(1 for p in pts if p.pull < 0)
    largest = sorted(pts, key=lambda p: -abs(p.residual))[:LARGEST]
    named = ", ".join(f"point {p.index} {p.residual:+.3g}" for p in largest)
    return [f"all {len(pts):,} points: {up:,} pull the curve up, {down:,} down, {len(pts) - up - down:,} not at all; "
            f"the largest residuals: {named}; the data's pull is the mean of theirs"]


def inside_lines(snap, loss: str, delta: float, short: bool) -> list[str]:
    """The words above the parameter rows: what the step did, from the inside (`short`: in one line)."""
    inside = getattr(snap.detail, "inside", None)
    if snap.step == 0:
        return ["the start: the first step shows the point(s) it used, each one's residual (target - prediction) "
                "and the pull on its prediction"]
    if inside is None:
        how = "random search: no gradient, it kept the best try" if snap.strategy == "random" else \
            "the numerical gradient: one estimate of the whole pull"
        return [f"step {snap.step:,} by {how}; only backprop (3) splits the pull into the data's part and the "
                "spring's"]
    if short:
        return [f"step {snap.step:,}: {batch_lines(inside, loss, delta, 1)[0]}"]
    return [f"step {snap.step:,} from the inside (predictions before the step; the chart's curve is after it):",
            *batch_lines(inside, loss, delta)]


class RegressionPanel(GradientCheck, Panel):
    BINDINGS = bindings(REGRESSION)
    second_series = ("val_cost", "val_rmse")  # the held-out set's, drawn under the training curves
    can_focus = True  # focused on mount, so its keys work without a click
    stage: RegressionStage

    def __init__(self, stage, output_name: str, measures, **kwargs):
        super().__init__(stage, output_name, measures, **kwargs)
        self._shown = None  # the last (snapshot, settings) shown
        self._drawn: list = [None, None]  # the snapshots the fit and the history charts were last drawn for
        self._charts_shown = 0.0  # when a run last redrew the cost and rmse charts

    def charted(self, key: str, value: float) -> float:
        """The held-out cost is a mean point loss; the training cost sums over its N points: drawn × N, the two
        curves share a scale (the held-out set's cost were it the size of the training set; no spring)."""
        return value * len(self.stage.targets) if key == "val_cost" else value

    def clear(self) -> None:
        super().clear()
        self._drawn = [None, None]  # a reset: everything is drawn again
        for path_map in self.query(PathMap):
            path_map.clear()

    def record(self, samples) -> None:
        """The histories, and a line's every step on its path map."""
        super().record(samples)
        for path_map in self.query(PathMap):
            for sample in samples:  # a Snapshot.sample() carries the values (a bare 4-tuple does not)
                if hasattr(sample, "values"):
                    path_map.add(sample[0], sample.values)

    def compose(self) -> ComposeResult:
        st = self.stage
        with Horizontal(id="upper"):
            yield FitChart(st.predict, st.xs, st.targets, st.val_xs, st.val_targets, id="fit")
            rmse = "rmse" if st.val_xs else "training rmse"  # with a held-out set: two curves
            yield ChartStack([(HistoryChart(self.output_name, "red", id="loss-chart"), True),
                              (HistoryChart(rmse, "green", id="rmse-chart"), True)], id="charts")
            session = getattr(self.screen, "session", None)  # a line's cost over (a, b), and the path on it
            landscape = landscape_for(session.scenario.spec) if session and session.stage is st else None
            if landscape is not None:
                yield PathMap(landscape, id="path-map")
        yield Static(id="inside")
        yield ParamTable(list(st.params), id="params")
        yield Static(id="regression-keys")

    def on_mount(self) -> None:
        self.focus()

    def on_resize(self) -> None:
        """Below SHORT rows the parameter table keeps to one block and loses its frame, so the fit keeps its rows."""
        short = self.app.size.height < SHORT
        self.set_class(short, "-short")
        self.set_class(self.app.size.width < MAP_WIDTH, "-no-map")
        self.query_one(ParamTable).set_max_blocks(1 if short else 2)

    # ---- keys ---------------------------------------------------------------------------------
    def action_knob(self, name: str, up: bool = True) -> None:
        if not self.refused(name):
            self.post_message(ClassifierPanel.Knob(name, up))  # the screen turns it (screens.lesson_controls)

    # ---- drawing ------------------------------------------------------------------------------
    def show(self, snap, settings, tables, slow=False) -> None:
        self._shown = (snap, settings)
        inside = getattr(snap.detail, "inside", None)
        if snap is not self._drawn[0]:  # else only a setting changed: the fit stands
            self.query_one(FitChart).show(snap.values, tuple(p.index for p in inside.batch) if inside else ())
            self._drawn[0] = snap
        for path_map in self.query(PathMap):  # the cost's landscape follows the spring and the loss (the spec)
            if path_map.display and hasattr(self.screen, "session"):
                path_map.show(snap.values, self.screen.session.scenario.spec)
        now = time.monotonic()
        running = getattr(self.screen, "running", False)
        if snap is not self._drawn[1] and (not running or now - self._charts_shown >= CHART_INTERVAL):
            self._drawn[1], self._charts_shown = snap, now
            seconds = None
            if self.stage.val_xs:  # the held-out set's cost and rmse: dotted, under the training curves
                seconds = [("training", f"held-out ×{len(self.stage.targets)}, no spring", self.seconds["val_cost"]),
                           ("training", "held-out", self.seconds["val_rmse"])]
            self.query_one(ChartStack).show([self.outputs, self.measures["rmse"]], None, seconds)
        if not tables:
            return
        short = self.app.size.height < SHORT
        spec = self.screen.session.scenario.spec if hasattr(self.screen, "session") else None
        loss, delta = (spec.loss, spec.delta) if spec else ("squared", 1.0)
        table = self.query_one(ParamTable)
        if self.checking:
            words = self._check_words(snap, settings)
            table.show(snap.values, snap.grads, check_rows(self.check[1]) if self.check_done(snap) else None)
        else:
            words = inside_lines(snap, loss, delta, short)
            table.show(snap.values, snap.grads, pull_rows(snap, short))
        self.query_one("#inside", Static).update(Text("\n".join(words), no_wrap=True, overflow="ellipsis"))
        if spec is not None:
            self._show_knobs(spec)

    def _show_knobs(self, spec) -> None:
        """The lesson's settings as they are, with the keys that turn them (`g`: the footer)."""
        source = PurePath(spec.csv).name if spec.csv else spec.dataset
        model = {"line": "a·x + b", "net": f"net of {spec.hidden}", "mlp": f"mlp {list(spec.layers)}"}[spec.model]
        held = f" + {len(spec.val_xs):,} held out" if spec.val_xs else ""
        loss = LOSS_WORDS[spec.loss] + (f" δ {spec.delta:g}" if spec.loss == "huber" else "")
        named = [("shape", model), ("loss", f"[l] {loss}"), ("batch", f"[a] {BATCH_WORDS[spec.batch]}"),
                 ("reg", f"[kK] spring {spec.reg:g}"), *craft.items(spec), ("data", f"{source} {len(spec.xs):,}{held}"),
                 ("seed", f"[o] seed {self.screen.session.scenario.seed}")]
        self.show_knobs("#regression-keys", named, spec, self.app.size.height < SHORT)
