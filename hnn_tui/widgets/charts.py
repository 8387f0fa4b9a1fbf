"""Line charts of a run's history (output, cost, accuracy) drawn with plotext."""
from __future__ import annotations

from textual_plotext import PlotextPlot

PLOT_POINTS = 200  # a line chart's build time grows with its points: plot a sample, not the history


class HistoryChart(PlotextPlot):
    """One series against steps; redrawn only when `show` is called (the screen throttles it)."""

    def __init__(self, title: str, color: str = "cyan", ylim: tuple[float, float] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.title, self.color, self.ylim = title, color, ylim

    def show(self, history) -> None:
        steps, values = history.sample(PLOT_POINTS)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title)
        plt.xlabel("step")
        if self.ylim:
            plt.ylim(*self.ylim)
        if len(steps) == 1:  # a single point still shows where the run starts
            steps, values = steps * 2, values * 2
        if steps:
            plt.plot(steps, values, marker="braille", color=self.color)
        self.refresh()
