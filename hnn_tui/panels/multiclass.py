"""A multiclass classifier lesson (chapter 3): the plane coloured by the winning class, cost and accuracy over steps,
the confusion matrix and each class's accuracy, the step from the inside (the point's class scores, probabilities
for softmax, and the pull on each score), the parameters with the pull split into the data's part and the spring's,
and a gradient check on demand.

The panel holds what the learner is looking at (neuron lines on or off, the check or the step's inside); a knob goes
to the screen as the binary classifier's Knob message, and comes back as a snapshot.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..engine.lessons.multiclass import MulticlassStage
from ..keys import MULTICLASS, bindings
from ..widgets.chart_stack import ChartStack
from ..widgets.charts import HistoryChart
from ..widgets.class_map import ClassMap
from ..widgets.class_paint import POINT_GLYPHS, legend, legend_sub
from ..widgets.confusion_table import ConfusionTable
from ..widgets.force_view import check_rows, pull_rows
from ..widgets.number_tables import ParamTable
from . import craft
from .base import Panel
from .checking import NOT_OFFERED, GradientCheck
from .classifier import BATCH_WORDS, SHORT, ClassifierPanel

LOSS_WORDS = {"softmax": "softmax", "multiclass_hinge": "multiclass hinge"}
WHY = {  # the force specification of each loss, in words (multiclass_losses has the math)
    "softmax": "softmax pulls each score by [k = y] - p_k: never quite zero",
    "multiclass_hinge": "hinge: each wrong class within 1 of the true score: down 1, the true one up 1 per such class",
}
NAME_CHARS = 8  # a class name in the inspector's header is cut to this
TALL = 50  # rows: from here the parameter table may take two blocks


def fitted(parts: list[str], width: int, gap: str = " ") -> str:
    """`parts` joined while they fit `width`, then ' …': a line cut between its items, never inside a number."""
    line = ""
    for i, part in enumerate(parts):
        joined = f"{line}{gap}{part}" if line else part
        rest = i < len(parts) - 1
        if len(joined) + (2 if rest else 0) > width and line:
            return f"{line} …"
        line = joined
    return line


def point_columns(p, classes, places: int) -> tuple[list[str], list[list[str]]]:
    """The row labels and one column per class of the step's point: header, score, probability (softmax), pull."""
    label = ["class", "score"] + (["prob"] if p.probs is not None else []) + ["pull"]
    cols = []
    for k, name in enumerate(classes):
        col = [f"{POINT_GLYPHS[k]} {name[:NAME_CHARS]}", f"{p.scores[k]:.{places}f}"]
        if p.probs is not None:
            col.append(f"{p.probs[k]:.{places}f}")
        col.append(f"{p.pull[k]:+.{places}f}")
        cols.append(col)
    return label, cols


def point_table(p, classes, width: int) -> list[str]:
    """The step's point as a small table (a column per class), in blocks of columns that fit `width`: with 3
    decimals when that takes one block, else with 2."""
    for places in (3, 2):
        label, cols = point_columns(p, classes, places)
        left = max(map(len, label)) + 2
        widths = [max(map(len, c)) + 2 for c in cols]
        if left + sum(widths) <= width:
            break
    lines, at = [], 0
    while at < len(cols):
        used, block = left, []
        while at < len(cols) and (not block or used + widths[at] <= width):
            block.append(at)
            used += widths[at]
            at += 1
        for r in range(len(label)):
            lines.append(label[r].ljust(left) + "".join(cols[j][r].rjust(widths[j]) for j in block).rstrip())
    return lines


def winner(scores) -> int:
    return max(range(len(scores)), key=lambda k: scores[k])


def point_words(p, classes) -> str:
    """'point 7 (0.52, -1.30), class ▲ green, scored ● red' (or 'scored right')."""
    y, w = p.label, winner(p.scores)
    scored = "scored right" if w == y else f"scored {POINT_GLYPHS[w]} {classes[w]}"
    return f"point {p.index} ({p.point[0]:.2f}, {p.point[1]:.2f}), class {POINT_GLYPHS[y]} {classes[y]}, {scored}"


def batch_summary(batch) -> str:
    """A full batch in one line: how many points scored right, and how many pull at all."""
    n = len(batch)
    right = sum(1 for p in batch if winner(p.scores) == p.label)
    pulling = sum(1 for p in batch if any(x != 0 for x in p.pull))
    pulls = f"all {n:,} pull" if pulling == n else f"{pulling:,} pull, {n - pulling:,} past every margin"
    return f"all {n:,} points: {right:,} scored right, {n - right:,} wrong; {pulls}; the data's pull is their mean"


def inside_lines(snap, classes, loss: str, short: bool, width: int) -> list[str]:
    """The words above the parameter rows: the step's point, its class scores (probabilities for softmax) and the
    pull on each; a full batch in one line. `short`: a terminal with few rows (one line)."""
    inside = getattr(snap.detail, "inside", None)
    if snap.step == 0:
        return ["the start: the first step shows its point, the score of each class and the pull on each"]
    if inside is None:
        how = "random search: no gradient, it kept the best try" if snap.strategy == "random" else \
            "the numerical gradient: one estimate of the whole pull"
        lines = [f"step {snap.step:,} by {how}", "only backprop (3) shows the pull on each class score"]
        return [fitted(line.split(" "), width) for line in lines[: 1 if short else 2]]
    batch = inside.batch
    if len(batch) != 1:
        return [fitted([f"step {snap.step:,}:"] + batch_summary(batch).split(" "), width)]
    p = batch[0]
    if short:
        pulls = [f"{POINT_GLYPHS[k]} {x:+.2f}" for k, x in enumerate(p.pull)]
        return [fitted([f"step {snap.step:,}: point {p.index}, class {POINT_GLYPHS[p.label]}, pull:"] + pulls, width)]
    head = fitted([f"step {snap.step:,} from the inside:"] + point_words(p, classes).split(" "), width)
    return [head] + point_table(p, classes, width) + [fitted(WHY.get(loss, "").split(" "), width)]


class MulticlassPanel(GradientCheck, Panel):
    BINDINGS = bindings(MULTICLASS)
    second_series = ("val_cost", "val_accuracy")  # the held-out set's, drawn under the training curves
    can_focus = True
    stage: MulticlassStage

    def __init__(self, stage, output_name: str, measures, **kwargs):
        super().__init__(stage, output_name, measures, **kwargs)
        self.neurons = False  # the hidden neurons' lines on the map
        self._shown = None  # the last (snapshot, settings) shown

    def charted(self, key: str, value: float) -> float:
        """The held-out cost is a mean point loss, the training cost a sum: drawn × N (see ClassifierPanel)."""
        return value * len(self.stage.labels) if key == "val_cost" else value

    def compose(self) -> ComposeResult:
        st = self.stage
        with Horizontal(id="upper"):
            yield ClassMap(st.scores, st.points, st.labels, st.classes, st.val_points, st.val_labels, id="boundary")
            accuracy = "accuracy" if st.val_points else "training accuracy"
            yield ChartStack([(HistoryChart(self.output_name, "red", id="loss-chart"), True),
                              (HistoryChart(accuracy, "green", (0, 1), id="acc-chart"), False)], id="charts")
        with Horizontal(id="multiclass-lower"):  # the step's inside, and the confusion matrix under the charts
            yield Static(id="inside")
            yield ConfusionTable(st.classes, id="confusion")
        yield ParamTable(list(st.params), id="params")
        yield Static(id="multiclass-keys")

    def on_mount(self) -> None:
        found = self.query("#boundary")
        if not found:  # swapped out again before its widgets were up
            return
        self._legends()
        self.focus()

    def _legends(self) -> None:
        """The map's border title and subtitle, fitted to its width (less 6 columns: the corners, dashes, spaces)."""
        found = self.query(ClassMap)
        if not found:  # being taken down
            return
        classmap = found.first()
        room = classmap.outer_size.width - 6 if classmap.outer_size.width else None
        classmap.border_title = legend(self.stage.classes, bool(self.stage.val_points), room)
        classmap.border_subtitle = legend_sub(self.app.no_color, len(self.stage.classes), self.neurons, room)

    def on_resize(self) -> None:
        """Below TALL rows the parameter table keeps to one block (K classes make 3K parameters at least: two blocks
        would leave the map a dozen rows); below SHORT rows the confusion matrix keeps to one line of per-class
        accuracy, under the step's inside (one line too) rather than beside it."""
        short = self.app.size.height < SHORT
        self.set_class(short, "-short")
        self.call_after_refresh(self._legends)  # once the map has its new width
        self.query_one(ParamTable).set_max_blocks(1 if self.app.size.height < TALL else 2)
        self.query_one(ConfusionTable).set_compact(short)

    # ---- keys ---------------------------------------------------------------------------------
    def action_knob(self, name: str, up: bool = True) -> None:
        if not self.refused(name):
            self.post_message(ClassifierPanel.Knob(name, up))  # the screen turns it (screens.lesson_controls)

    def action_neurons(self) -> None:
        if not self.stage.hidden_names:
            self.app.notify("the linear scores have no hidden neurons to draw", severity="warning", timeout=4)
            return
        self.neurons = not self.neurons
        self._legends()
        self._redraw()

    # ---- drawing ------------------------------------------------------------------------------
    def show(self, snap, settings, tables, slow=False) -> None:
        self._shown = (snap, settings)
        inside = getattr(snap.detail, "inside", None)
        classmap = self.query_one(ClassMap)
        lines = self.stage.neuron_lines(snap.values) if self.neurons else ()
        classmap.show(snap.values, max(4, classmap.size.height // 6) if slow else None,
                      batch=tuple(p.index for p in inside.batch) if inside else (), neuron_lines=lines,
                      show_neurons=self.neurons)
        seconds = None
        if self.stage.val_points:  # the held-out set's cost and accuracy: dotted, under the training curves
            seconds = [("training", f"held-out ×{len(self.stage.labels)}, no spring", self.seconds["val_cost"]),
                       ("training", "held-out", self.seconds["val_accuracy"])]
        self.query_one(ChartStack).show([self.outputs, self.measures["accuracy"]], None, seconds)
        if not tables:
            return
        detail = snap.detail
        if detail is not None:
            self.query_one(ConfusionTable).show(detail.confusion, detail.class_accuracy)
        short = self.app.size.height < SHORT
        spec = self.screen.session.scenario.spec if hasattr(self.screen, "session") else None
        loss = spec.loss if spec else "softmax"
        box = self.query_one("#inside", Static)
        width = box.content_size.width or self.app.size.width - 2
        table = self.query_one(ParamTable)
        if self.checking:
            words = [fitted(line.split(" "), width) for line in self._check_words(snap, settings)]
            table.show(snap.values, snap.grads, check_rows(self.check[1]) if self.check_done(snap) else None)
        else:
            words = inside_lines(snap, self.stage.classes, loss, short, width)
            table.show(snap.values, snap.grads, pull_rows(snap, short))
        box.update(Text("\n".join(words), no_wrap=True, overflow="ellipsis"))
        if spec is not None:
            self._show_knobs(spec)

    def _check_words(self, snap, settings) -> list[str]:
        """The gradient check's header, its result first; starts the check when the one on hand is for another
        step."""
        result = self.check_result(snap, settings)
        if result is None or result is NOT_OFFERED:
            return GradientCheck._check_words(self, snap, settings)
        kinks = f"; at a kink: {', '.join(result['kinks'])}" if result.get("kinks") else ""
        return [f"gradient check at step {snap.step:,}: largest relative difference {result['max_rel_error']:.1e}"
                f"{kinks}",
                f"backprop against the centered difference (h {settings.h:g}) of the whole cost, all points "
                "(g: back to the step)"]

    def _show_knobs(self, spec) -> None:
        """The knobs this panel turns, with their keys and their values now (on a short terminal, in the lines the
        knobs took before the craft ones: Panel.show_knobs)."""
        named = [("reg", f"[kK] spring {spec.reg:g}"), ("batch", f"[a] {BATCH_WORDS[spec.batch]}"),
                 ("loss", f"[l] {LOSS_WORDS.get(spec.loss, spec.loss)}, {len(self.stage.classes)} classes")]
        named += craft.items(spec)
        named.append(("seed", f"[o] seed {self.screen.session.scenario.seed}"))
        if self.stage.hidden_names:
            named.append(("extra", "[u] neuron lines"))
        named.append(("extra", "[g] gradient check"))
        self.show_knobs("#multiclass-keys", named, spec, self.app.size.height < SHORT)
