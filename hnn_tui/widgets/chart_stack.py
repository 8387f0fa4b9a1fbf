"""Charts sharing a column: as many as fit at a readable height; each of the others becomes a one-line summary."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ..numbers import num
from .charts import HistoryChart

MIN_ROWS = 8  # a chart shorter than this has no room for its title, axis and a readable curve
SUMMARY_CHARS = 70  # about the longest one-line summary of a hidden chart, its hint included


def summary(title: str, history, lower_is_better: bool, second=None) -> str:
    """'cost 7.5023 (lowest 7.4982 at step 3)': the newest value and the best so far; and the same of a second
    series when given ((name, name, History) as HistoryChart.show takes it): '; held-out 0.7 (highest 0.8 at 9)'."""
    if not len(history):
        return f"{title}: —"
    pick = min if lower_is_better else max
    word = "lowest" if lower_is_better else "highest"

    def best(h, at: str) -> str:
        i = pick(range(len(h.values)), key=lambda k: h.values[k])
        return f"{num(h.values[-1], 4)} ({word} {num(h.values[i], 4)} at {at}{h.steps[i]:,})"

    text = f"{title} {best(history, 'step ')}"
    if second is not None and len(second[2]):
        text += f"; {second[1]} {best(second[2], '')}"
    return text


class ChartStack(Vertical):
    """Holds charts in a column; `c` (cycle) brings the next hidden one into view."""

    DEFAULT_CSS = "ChartStack { height: 1fr; } ChartStack > HistoryChart { height: 1fr; }"

    def __init__(self, charts: list[tuple[HistoryChart, bool]], **kwargs):
        """`charts`: (chart, lower_is_better) pairs, in order of importance."""
        super().__init__(**kwargs)
        self.charts = [c for c, _ in charts]
        self.lower = [low for _, low in charts]
        self.first = 0  # the first chart in view when not all fit
        self.fit = len(self.charts)
        self._histories = None
        self._marks = None
        self._seconds = None

    def compose(self) -> ComposeResult:
        yield from self.charts
        yield Static(classes="chart-summary")

    def on_resize(self) -> None:
        self._layout()

    def cycle(self) -> None:
        self.first = (self.first + 1) % len(self.charts)
        self._layout()

    def visible(self) -> list[int]:
        return [(self.first + k) % len(self.charts) for k in range(self.fit)]

    def _layout(self) -> None:
        n, h = len(self.charts), self.size.height
        wrap = -(-SUMMARY_CHARS // max(1, self.size.width - 2))  # rows a summary takes at this width
        fit = n if h >= n * MIN_ROWS else max(0, (h - (n - 1) * wrap) // MIN_ROWS)
        self.fit = min(n, fit)
        shown = set(self.visible())
        for i, chart in enumerate(self.charts):
            chart.display = i in shown
        self.query_one(".chart-summary").display = len(shown) < n
        if self._histories is not None:
            self.show(self._histories, self._marks, self._seconds)

    def show(self, histories, marks=None, seconds=None) -> None:
        """Draw each chart in view from its history (and its marks and second series: see HistoryChart.show);
        summarize the others."""
        self._histories, self._marks, self._seconds = histories, marks, seconds
        shown = self.visible()
        for i in shown:
            self.charts[i].show(histories[i], marks[i] if marks else (), seconds[i] if seconds else None)
        hidden = [summary(self.charts[i].title, histories[i], self.lower[i], seconds[i] if seconds else None)
                  for i in range(len(self.charts)) if i not in shown]
        if hidden:
            hint = "  (c: the next chart)" if shown else "  (no room for charts: a taller terminal shows them)"
            text = Text("\n".join(hidden) + hint, style="dim")
            box = self.query_one(".chart-summary", Static)
            # a new layout only when the summary's wrapped height may change: not on every frame of a run
            shape = (len(hidden), box.size.width, len(text.plain) // max(1, box.size.width))
            box.update(text, layout=shape != self._summary_shape)
            self._summary_shape = shape

    _summary_shape = None
