"""The race's chart: each lane's output against the forward passes it has spent (not its steps), from 0 to the
budget, and the finishing line across. Lanes are told apart by their markers (named in the title), not by colour
alone: NO_COLOR and 16 colours read the same.

A lane's output only changes when a step ends, so its line is drawn as stairs: flat while the passes of a step
are spent, then up (or down) at the pass the step ended at. Random search's first stair is `tries` passes wide.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.types import NoActiveAppError
from textual_plotext import PlotextPlot

from .charts import CLIP, FRAME_ROWS, step_axis, tick_label, value_axis

LANE_POINTS = 300  # a lane's samples plotted at most (a line chart's build time grows with its points)
FINISH_MARK, FINISH_COLOUR = "═", "default"  # the line in the text's own colour: no lane's


@dataclass(frozen=True)
class LaneLine:
    """One lane as drawn: its name, marker and colour, and its (forward passes, output) samples so far."""

    name: str
    marker: str
    colour: str | tuple[int, int, int]  # a plotext colour: a name or RGB
    passes: tuple[int, ...]
    outputs: tuple[float, ...]


def thinned(passes, outputs, most: int = LANE_POINTS) -> tuple[list[int], list[float]]:
    """At most `most` of the samples, evenly spread, the first and the last always among them."""
    n = len(passes)
    if n <= most:
        return list(passes), list(outputs)
    keep = sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})
    return [passes[i] for i in keep], [outputs[i] for i in keep]


def stairs(passes, outputs) -> tuple[list[int], list[float]]:
    """The samples as stairs: each output held until the pass at which the next one was reached."""
    xs, ys = [], []
    for i, (x, y) in enumerate(zip(passes, outputs)):
        if i:
            xs.append(x)
            ys.append(ys[-1])
        xs.append(x)
        ys.append(y)
    return xs, ys


class RaceChart(PlotextPlot):
    """The lanes' stairs and the finishing line; drawn again only when `show` is called (the screen throttles it)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: tuple[LaneLine, ...] = ()
        self.budget = 1
        self.target: float | None = None
        self.finish_word = ""  # e.g. "output >= 0.945"
        self.output_name = "output"
        self._picture: tuple | None = None  # ((width, height), rows as Text)

    def show(self, lines: tuple[LaneLine, ...], budget: int, target: float | None, finish_word: str,
             output_name: str) -> None:
        self.lines, self.budget, self.target = lines, budget, target
        self.finish_word, self.output_name = finish_word, output_name
        self._picture = None
        self.refresh()

    def legend(self) -> str:
        """'x random  + numerical  • analytic  * analytic+momentum  ═ output >= 0.945': the markers named."""
        parts = [f"{line.marker} {line.name}" for line in self.lines]
        if self.target is not None:
            parts.append(f"{FINISH_MARK} {self.finish_word}")
        return "  ".join(parts)

    def _build(self) -> Text:
        try:
            self._draw()
            return super().render()
        except (ArithmeticError, ValueError) as e:  # a chart that cannot be drawn must not take the app down
            return Text(f"race: cannot draw this chart ({e})", style="yellow")

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.legend())
        plt.xlabel("forward passes spent")
        drawn = []
        for line in self.lines:
            xs, ys = thinned(line.passes, [min(CLIP, max(-CLIP, v)) for v in line.outputs])
            drawn.append((line, *stairs(xs, ys)))
        every = [y for _, _, ys in drawn for y in ys] + ([self.target] if self.target is not None else [])
        if not every:
            return
        lo, hi, yticks, ylabels = value_axis(min(every), max(every), self.size.height - FRAME_ROWS, False)
        columns = self.size.width - max(map(len, ylabels), default=0) - 2  # the value labels, the frame's sides
        x0, x1, xticks, xlabels = step_axis(0, self.budget, columns)
        plt.ylim(lo, hi)
        plt.yticks(yticks, ylabels)
        plt.xlim(x0, x1)
        plt.xticks(xticks, [tick_label(t, 1) if t >= 10**6 else f"{t:,}" for t in xticks])
        if self.target is not None:  # under the lanes: where a lane runs along it, the lane shows
            plt.plot([0, self.budget], [self.target] * 2, marker=FINISH_MARK, color=self._colour(FINISH_COLOUR))
        for line, xs, ys in drawn:
            if len(xs) == 1:  # the start alone still shows where the lane begins
                xs, ys = xs * 2, ys * 2
            plt.plot(xs, ys, marker=line.marker, color=self._colour(line.colour))

    def _colour(self, name):
        """`name`, or the terminal's own colour under NO_COLOR (the markers tell the lanes apart)."""
        try:
            off = bool(self.app.no_color)
        except NoActiveAppError:
            off = False
        return "default" if off else name

    def render(self):
        size = (self.size.width, self.size.height)
        if self._picture is None or self._picture[0] != size:
            self._picture = size, self._build()
        return self._picture[1]
