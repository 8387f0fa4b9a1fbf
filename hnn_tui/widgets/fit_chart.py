"""A regression's picture: the data points and the fitted curve on one plotext chart, the step's point marked with its
residual (the gap from its target down or up to the curve) as a short vertical segment.

Meaning is carried by shape, not colour alone (NO_COLOR, 16 colours): training points ●, held-out points ○, the
curve a braille line ⠤, the step's point ◆, residuals ┊. The axes are fixed by the data (the targets, not the
curve), so a run's frame changes only the cells the curve and the marks move through; like HistoryChart, `show`
sends only those cells to the terminal.
"""
from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.types import NoActiveAppError
from textual_plotext import PlotextPlot

from .charts import value_axis
from .repaint import changed_spans

TRAIN, HELD, CURVE, STEP, RESIDUAL = "●", "○", "⠤", "◆", "┊"  # the legend's shapes (the curve is plotext braille)
FRAME_ROWS = 5  # title, the frame's top and bottom, the x labels, the axis name: the rest is the canvas
NAMED_ROWS = 14  # a chart shorter than this leaves out the axis name "x": its row goes to the canvas
PAD = 0.08  # room around the data, as a fraction of its span on each side
MAX_GRID = 400  # the curve's samples: two per canvas column (braille's resolution), at most this many
MAX_POINTS = 1000  # more points than this are drawn one per occupied cell (the same picture, a faster build)
MAX_RESIDUALS = 10  # a full batch's residual segments: the largest this many (all of them: a thicket)
LABEL_ROOM = 9  # columns per x label: a label of up to 6 characters and a gap


def data_range(values: np.ndarray) -> tuple[float, float]:
    """The span of `values` padded on each side (a single value gets ±1 around it)."""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        return lo - 1.0, hi + 1.0
    pad = (hi - lo) * PAD
    return lo - pad, hi + pad


def legend(width: int, held: bool, step: str) -> str:
    """The title: each mark by its shape, in words that fit `width` ('' for `step`: no step's point yet)."""
    for words, gap in ((("training", "held-out", "fit", step, "residual"), "  "),
                       (("train", "held", "fit", step and "step", "resid"), " "), (("", "", "", "", ""), "  ")):
        parts = [f"{TRAIN} {words[0]}", f"{HELD} {words[1]}" if held else "", f"{CURVE} {words[2]}",
                 f"{STEP} {words[3]}" if step else "", f"{RESIDUAL} {words[4]}" if step else ""]
        text = gap.join(p.strip() for p in parts if p)
        if len(text) <= width:
            return text
    return text


def cells(xs: np.ndarray, ys: np.ndarray, box, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Points thinned to one per canvas cell of `size` (columns, rows) in `box`: what a scatter shows, unchanged."""
    x0, x1, y0, y1 = box
    cols, rows = size
    c = np.rint((xs - x0) / (x1 - x0) * (cols - 1))
    r = np.rint((ys - y0) / (y1 - y0) * (rows - 1))
    _, first = np.unique(np.stack([c, r]), axis=1, return_index=True)
    return xs[first], ys[first]


class FitChart(PlotextPlot):
    """The training and held-out points, the model's curve over x, and the step's batch with its residuals."""

    def __init__(self, predict, xs, targets, val_xs=(), val_targets=(), train_color: str = "cyan",
                 held_color: str = "magenta", curve_color: str = "green", step_color: str = "yellow", **kwargs):
        """`predict(values, X)` -> the model's predictions at the numpy array X (pure)."""
        super().__init__(**kwargs)
        self.theme = "clear"  # no colour codes for the background in every cell (the CSS gives it): a quarter faster
        self.predict = predict
        self.xs, self.targets = np.asarray(xs, float), np.asarray(targets, float)
        self.val_xs, self.val_targets = np.asarray(val_xs, float), np.asarray(val_targets, float)
        self.palette = {"train": train_color, "held": held_color, "curve": curve_color, "step": step_color}
        every_x = np.concatenate([self.xs, self.val_xs])
        every_t = np.concatenate([self.targets, self.val_targets])
        self.x_range, self.y_range = data_range(every_x), data_range(every_t)
        self._values = None  # the parameters the curve is drawn for (None: no curve yet)
        self._batch: tuple[int, ...] = ()
        self._picture: tuple | None = None  # ((width, height), rows as Text) of what render() hands out
        self._thinned: dict = {}  # (marker, box, canvas) -> the points thinned to one a cell, as lists

    def show(self, values, batch=()) -> None:
        """Draw the curve for `values` (parameter name -> value); mark the training points whose indices are in
        `batch` (the step's batch): one point gets ◆ and its residual segment, a larger batch its largest
        residuals as segments and ◆ on the largest."""
        self._values, self._batch = dict(values), tuple(batch)
        size = (self.size.width, self.size.height)
        if self._picture is None or self._picture[0] != size or not self.is_mounted:
            self._picture = None
            self.refresh()
            return
        new = self._build().split("\n")
        regions = changed_spans(self._picture[1], new)
        self._picture = size, new
        if regions:
            self.refresh(*regions)

    def _build(self) -> Text:
        try:
            self._draw()
            return super().render()
        except (ArithmeticError, ValueError) as e:  # a chart that cannot be drawn must not take the app down
            return Text(f"the fit: cannot draw this chart ({e})", style="yellow")

    def axes(self) -> tuple[tuple[float, float, list, list], tuple[float, float, list, list], tuple[int, int]]:
        """The x and y axes (range, ticks, labels) for the widget's size now, and the canvas (columns, rows)."""
        rows = max(1, self.size.height - FRAME_ROWS + (self.size.height < NAMED_ROWS))
        y = value_axis(*self.y_range, rows, True)  # the data's own range: ticks inside it
        columns = max(2, self.size.width - max(map(len, y[3]), default=0) - 2)  # less the labels, the frame
        intervals = max(1, min(6, columns // LABEL_ROOM))
        x = value_axis(*self.x_range, 2 * intervals + 1, True)  # value_axis: one interval per two "rows"
        return x, y, (columns, rows)

    def color(self, what: str) -> str:
        """The colour of `what` (train, held, curve, step); under NO_COLOR the terminal's own foreground for all:
        Textual would turn each colour into a grey, some too dark to see (magenta), and the shapes tell them apart."""
        try:
            off = bool(self.app.no_color)
        except NoActiveAppError:  # not in an app (yet)
            off = False
        return "default" if off else self.palette[what]

    def _draw(self) -> None:
        """Lay the figure out for the widget's size now, then hand plotext the series: the curve under the marks."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        (x0, x1, xticks, xlabels), (y0, y1, yticks, ylabels), canvas = self.axes()
        held = len(self.val_xs) > 0
        plt.title(legend(self.size.width - 2, held, "step's point" if len(self._batch) == 1 else
                         "largest" if self._batch else ""))
        if self.size.height >= NAMED_ROWS:
            plt.xlabel("x")
        plt.xlim(x0, x1)
        plt.ylim(y0, y1)
        plt.xticks(xticks, xlabels)
        plt.yticks(yticks, ylabels)
        box = (x0, x1, y0, y1)
        if self._values is not None:
            grid = np.linspace(x0, x1, min(MAX_GRID, 2 * canvas[0]))
            with np.errstate(all="ignore"):  # a diverging run: no warning on stderr, where Textual draws
                curve = np.asarray(self.predict(self._values, grid), float)
            ok = np.isfinite(curve)
            if ok.any():
                span = y1 - y0  # plotext clips to the canvas; far values only risk its arithmetic
                shown = np.clip(curve[ok], y0 - 100 * span, y1 + 100 * span)
                plt.plot(grid[ok].tolist(), shown.tolist(), marker="braille", color=self.color("curve"))
        step = self._draw_residuals(box, canvas) if self._values is not None and self._batch else None
        if held:
            self._scatter(self.val_xs, self.val_targets, box, canvas, HELD, self.color("held"))
        self._scatter(self.xs, self.targets, box, canvas, TRAIN, self.color("train"))
        if step is not None:  # on top of everything
            self.plt.scatter([step[0]], [step[1]], marker=STEP, color=self.color("step"))

    def _scatter(self, xs, ys, box, canvas, marker: str, color: str) -> None:
        """Points as plotext markers; many of them thinned to one a cell, once for each layout (the data and the
        axes stay while a run goes on: only the curve and the marks move)."""
        if len(xs) > MAX_POINTS:
            key = (marker, box, canvas)
            if key not in self._thinned:
                self._thinned[key] = [v.tolist() for v in cells(xs, ys, box, canvas)]
            self.plt.scatter(*self._thinned[key], marker=marker, color=color)
            return
        self.plt.scatter(xs.tolist(), ys.tolist(), marker=marker, color=color)

    def _draw_residuals(self, box, canvas) -> tuple[float, float]:
        """The batch's residuals as vertical segments from each target to the curve (the largest MAX_RESIDUALS of
        a larger batch), under the points; returns where ◆ goes: the point of the largest residual (the only one,
        for a step of one point)."""
        index = np.asarray(self._batch, int)
        bx, bt = self.xs[index], self.targets[index]
        with np.errstate(all="ignore"):
            pred = np.asarray(self.predict(self._values, bx), float)
        size = -np.abs(np.nan_to_num(bt - pred, nan=np.inf))  # a non-finite residual counts as the largest
        order = np.argpartition(size, MAX_RESIDUALS)[:MAX_RESIDUALS] if len(size) > MAX_RESIDUALS else \
            np.arange(len(size))
        order = order[np.argsort(size[order], kind="stable")]  # the largest first
        y0, y1 = box[2], box[3]
        seg_x, seg_y = [], []
        for k in order:
            if not np.isfinite(pred[k]):
                continue
            lo, hi = sorted((bt[k], float(np.clip(pred[k], y0, y1))))
            n = max(2, int(np.ceil((hi - lo) / (y1 - y0) * (canvas[1] - 1) * 2)) + 1)  # two samples a row: no gaps
            seg_x += [float(bx[k])] * n
            seg_y += np.linspace(lo, hi, n).tolist()
        if seg_x:
            self.plt.scatter(seg_x, seg_y, marker=RESIDUAL, color=self.color("step"))
        top = order[0]
        return float(bx[top]), float(bt[top])

    def render(self):
        size = (self.size.width, self.size.height)
        if self._picture is None or self._picture[0] != size:
            self._picture = size, self._build().split("\n")
        return Text("\n").join(self._picture[1])
