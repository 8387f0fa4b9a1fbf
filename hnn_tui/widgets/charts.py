"""Line charts of a run's history (output, cost, accuracy) drawn with plotext, with axes worked out here: whole
steps on x, few enough labels not to run into each other, y going up, labels in a compact form (-5.5, 0.88, 1e12)."""
from __future__ import annotations

import math

from rich.text import Text
from textual.types import NoActiveAppError
from textual_plotext import PlotextPlot

from ..numbers import num
from .repaint import changed_spans

PLOT_POINTS = 200  # a line chart's build time grows with its points: plot a sample, not the history
CLIP = 1e12  # plotext's axis arithmetic overflows on values near the float limit
FRAME_ROWS = 5  # title, the frame's top and bottom, the step labels, the axis name: the rest is the canvas
MARK, MARKS_SHOWN = "•", 50  # a nudged output on a circuit's chart: its own shape, not only its colour
MAX_Y_INTERVALS = 6  # at most 7 value labels, however tall the chart
LINE, SECOND = "⠤", "·"  # the history's braille line and a second series' dotted one: told apart by shape


def tick_label(value: float, spacing: float) -> str:
    """The shortest label that tells `value` apart from a neighbour `spacing` away: -5.5, 0.8808, 400, 1e12."""
    if value == 0:
        return "0"
    for digits in range(1, 16):
        text = f"{value:.{digits}g}"
        if abs(float(text) - value) <= abs(spacing) * 1e-3:
            break
    mantissa, _, exponent = text.partition("e")
    if exponent:
        text = f"{mantissa}e{int(exponent)}"  # 1e+12 -> 1e12, 2.5e-05 -> 2.5e-5
        whole = float(text)
        if whole.is_integer() and abs(whole) < 1e6 and len(str(int(whole))) <= len(text):
            text = str(int(whole))  # 1e5 stays, 1.2e3 -> 1200
    return text


def nice_spacings(smallest: float = 0.0, multiples: tuple[float, ...] = (1, 2, 5)):
    """`multiples` of powers of ten from about `smallest` upwards (from 1 when smallest is 0: whole steps)."""
    exponent = math.floor(math.log10(smallest)) - 1 if smallest > 0 else 0
    while True:
        for m in multiples:
            yield m * 10.0**exponent
        exponent += 1


def value_axis(lo: float, hi: float, rows: int, fixed: bool) -> tuple[float, float, list[float], list[str]]:
    """The y range and its labels for a canvas `rows` high. Unless `fixed`, the range widens to whole multiples of
    the label spacing (so the top and bottom rows carry labels) and a flat line gets room around it."""
    if not fixed:
        pad = max(1.0, abs(hi), abs(lo)) * 1e-9
        if hi - lo <= pad:  # one value (step 0) or a flat line: value ± max(1, 10%)
            half = max(1.0, abs(hi) * 0.1)
            lo, hi = lo - half, hi + half
    intervals = max(1, min(MAX_Y_INTERVALS, (rows - 1) // 2))  # a label every other row at most
    for spacing in nice_spacings((hi - lo) / intervals, (1, 2, 2.5, 5)):
        first, last = math.floor(lo / spacing + 1e-9), math.ceil(hi / spacing - 1e-9)
        if fixed:
            first, last = math.ceil(lo / spacing - 1e-9), math.floor(hi / spacing + 1e-9)
        if last - first <= intervals:
            break
    if not fixed:
        lo, hi = first * spacing, last * spacing
    ticks = [k * spacing for k in range(first, last + 1)]
    if rows < 2:  # one row stands for the whole range: no label can say which value it is
        ticks = []
    return lo, hi, ticks, [tick_label(t, spacing) for t in ticks]


def step_axis(first: int, last: int, columns: int) -> tuple[int, int, list[int], list[str]]:
    """The x range and whole-step labels for a canvas `columns` wide: the first step and multiples of a 1-2-5
    spacing, far enough apart that neighbouring labels keep a gap."""
    if last <= first:  # a single sample (step 0): the range [0, 1]
        last = first + 1
    room = max(len(str(first)), len(str(last))) + 4  # from one label's centre to the next: a gap of 3 or more
    ticks = [first]
    for spacing in map(int, nice_spacings()):
        if spacing > last - first:
            break
        if spacing * (columns - 1) / (last - first) >= room:
            start = -(-first // spacing) * spacing  # the first multiple of spacing at or after `first`
            ticks = [t for t in range(start, last + 1, spacing)
                     if t == first or (t - first) * (columns - 1) / (last - first) >= room]
            if ticks[0] != first:
                ticks.insert(0, first)
            break
    return first, last, ticks, [str(t) for t in ticks]


def clipped(history) -> tuple[list[int], list[float], bool]:
    """A sample of `history` for plotting, its values within ±CLIP; and whether any was clipped."""
    steps, values = history.sample(PLOT_POINTS)
    inside = [min(CLIP, max(-CLIP, v)) for v in values]
    return steps, inside, inside != values


def legend(names: tuple[str, str], latest: tuple[str, str], width: int) -> str:
    """Two series named after their lines' shapes, with their latest values: '⠤ training 0.95  · held-out 0.8';
    without the values when that does not fit in `width`."""
    first, second = (" ".join(filter(None, pair)) for pair in zip(names, latest))  # a value may be "" (none yet)
    full = f"{LINE} {first}  {SECOND} {second}"
    return full if len(full) <= width else f"{LINE} {names[0]}  {SECOND} {names[1]}"


class HistoryChart(PlotextPlot):
    """One series against steps (and a second, dotted, when given: a held-out set's); redrawn only when `show` is
    called (the screen throttles it), and then only in the cells whose picture changed: a run's frame sends the
    curve's new end, not the whole chart again."""

    def __init__(self, title: str, color: str = "cyan", ylim: tuple[float, float] | None = None,
                 second_color: str = "magenta", **kwargs):
        super().__init__(**kwargs)
        self.title, self.color, self.ylim, self.second_color = title, color, ylim, second_color
        self._steps: list[int] = []
        self._values: list[float] = []
        self._clipped = False
        self._marks: list[tuple[int, float]] = []
        self._second: tuple[str, str, list[int], list[float]] | None = None  # names, steps, values
        self._picture: tuple | None = None  # ((width, height), rows as Text) of what render() hands out

    def show(self, history, marks=(), second=None) -> None:
        """Draw `history` as a line, and `marks` ((step, value) pairs: a circuit's nudged outputs) as MARK points
        on top, the newest MARKS_SHOWN of them: told from the line by their shape, not only their colour.
        `second`: (name of the first series, name of the second, its History), drawn as a dotted line under the
        first, the title naming both by their shapes."""
        self._steps, self._values, self._clipped = clipped(history)
        self._marks = [(s, min(CLIP, max(-CLIP, v))) for s, v in list(marks)[-MARKS_SHOWN:]]
        self._second = None
        if second is not None:
            first_name, second_name, other = second
            steps, values, cut = clipped(other)
            self._second = (first_name, second_name, steps, values)
            self._clipped = self._clipped or cut
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
            return Text(f"{self.title}: cannot draw this chart ({e})", style="yellow")

    def _draw(self) -> None:
        """Lay the figure out for the widget's size now (the axes depend on it), then let plotext build it."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        nudged = f"  ({MARK} nudged)" if self._marks else ""
        title = self.title + (f" (clipped at ±{tick_label(CLIP, CLIP)})" if self._clipped else "") + nudged
        steps, values = self._steps, self._values
        second_steps, second_values = self._second[2:] if self._second else ([], [])
        if self._second:
            latest = (num(values[-1], 3) if values else "", num(second_values[-1], 3) if second_values else "")
            title += "  " + legend(self._second[:2], latest, self.size.width - len(title) - 2)
        plt.title(title)
        plt.xlabel("step")
        if not steps:
            if self.ylim:
                plt.ylim(*self.ylim)
            return
        latest = dict(self._marks)  # the line goes through the last nudge at a step: where the next step starts
        values = [latest.get(s, v) for s, v in zip(steps, values)]
        every = values + [v for _, v in self._marks] + second_values
        lo, hi = self.ylim or (min(every), max(every))
        lo, hi, yticks, ylabels = value_axis(lo, hi, self.size.height - FRAME_ROWS, self.ylim is not None)
        columns = self.size.width - max(map(len, ylabels), default=0) - 2  # the value labels, the frame's sides
        x0, x1, xticks, xlabels = step_axis(min([steps[0]] + [s for s, _ in self._marks] + second_steps[:1]),
                                            max([steps[-1]] + [s for s, _ in self._marks] + second_steps[-1:]),
                                            columns)
        plt.ylim(lo, hi)
        plt.yticks(yticks, ylabels)
        plt.xlim(x0, x1)
        plt.xticks(xticks, xlabels)
        if len(second_steps) == 1:
            second_steps, second_values = second_steps * 2, second_values * 2
        colour = self._colour
        if second_steps:  # under the first series: where they meet, the training line shows
            plt.plot(second_steps, second_values, marker=SECOND, color=colour(self.second_color))
        if len(steps) == 1:  # a single point still shows where the run starts
            steps, values = steps * 2, values * 2
        plt.plot(steps, values, marker="braille", color=colour(self.color))
        if self._marks:
            plt.scatter([s for s, _ in self._marks], [v for _, v in self._marks], marker=MARK, color=colour("yellow"))

    def _colour(self, name: str) -> str:
        """`name`, or the terminal's own colour under NO_COLOR: Textual's filter would turn red or magenta into a
        dark grey that is barely seen; the series are told apart by their markers."""
        try:
            off = bool(self.app.no_color)
        except NoActiveAppError:  # not in an app (a chart drawn alone)
            off = False
        return "default" if off else name

    def render(self):
        size = (self.size.width, self.size.height)
        if self._picture is None or self._picture[0] != size:
            self._picture = size, self._build().split("\n")
        return Text("\n").join(self._picture[1])
