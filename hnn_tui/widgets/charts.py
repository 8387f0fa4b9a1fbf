"""Line charts of a run's history (output, cost, accuracy) drawn with plotext."""
from __future__ import annotations

from rich.text import Text
from textual_plotext import PlotextPlot

PLOT_POINTS = 200  # a line chart's build time grows with its points: plot a sample, not the history
CLIP = 1e12  # plotext's axis arithmetic overflows on values near the float limit


class HistoryChart(PlotextPlot):
    """One series against steps; redrawn only when `show` is called (the screen throttles it)."""

    def __init__(self, title: str, color: str = "cyan", ylim: tuple[float, float] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.title, self.color, self.ylim = title, color, ylim

    def show(self, history) -> None:
        steps, values = history.sample(PLOT_POINTS)
        clipped = [min(CLIP, max(-CLIP, v)) for v in values]
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title + (f" (clipped at ±{CLIP:.0e})" if clipped != values else ""))
        plt.xlabel("step")
        if self.ylim:
            plt.ylim(*self.ylim)
        if len(steps) == 1:  # a single point still shows where the run starts
            steps, clipped = steps * 2, clipped * 2
        if steps:
            plt.plot(steps, clipped, marker="braille", color=self.color)
        self.refresh()

    def render(self):
        try:
            return super().render()
        except (ArithmeticError, ValueError) as e:  # a chart that cannot be drawn must not take the app down
            return Text(f"{self.title}: cannot draw this chart ({e})", style="yellow")
