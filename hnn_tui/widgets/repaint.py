"""Repaint only what changed: a frame over a slow link carries the cells that differ, not the whole widget."""
from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget


def changed_spans(old: list[Text], new: list[Text]) -> list[Region]:
    """The parts of each row that differ between two pictures: one region a row, from the first differing cell
    to the last when only characters changed, the whole row when any style moved too."""
    regions = []
    for y, (a, b) in enumerate(zip(old, new)):
        if a.spans != b.spans:
            regions.append(Region(0, y, max(len(a.plain), len(b.plain)), 1))
            continue
        if a.plain == b.plain:
            continue
        pa, pb = a.plain, b.plain
        first = next((i for i, (ca, cb) in enumerate(zip(pa, pb)) if ca != cb), min(len(pa), len(pb)))
        last = max(len(pa), len(pb))
        while last > first and last <= min(len(pa), len(pb)) and pa[last - 1] == pb[last - 1]:
            last -= 1
        regions.append(Region(first, y, last - first, 1))
    regions += [Region(0, y, len(b.plain), 1) for y, b in enumerate(new[len(old):], start=len(old))]
    return regions


class LinesWidget(Widget):
    """A widget of whole lines of text that repaints only the cells that changed since the last picture (or all of
    it when a line does not fit its width, as the rows it wraps or cuts to no longer map one to one)."""

    _lines: list[Text] | None = None

    def show_lines(self, new: list[Text]) -> None:
        new = list(new)
        old, self._lines = self._lines, new
        width = self.content_size.width
        if old is None or not width or len(old) != len(new) or any(line.cell_len > width for line in old + new):
            self.refresh()
            return
        regions = changed_spans(old, new)
        if regions:
            self.refresh(*regions)

    def render(self) -> Text:
        return Text("\n").join(self._lines or [])
