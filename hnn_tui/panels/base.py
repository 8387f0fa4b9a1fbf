"""What every lesson panel does: keep the histories its charts draw, and show a snapshot."""
from __future__ import annotations

import math

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from ..engine.history import History
from ..engine.snapshot import Snapshot
from ..engine.strategies import Settings


class Panel(Vertical):
    """The picture of one lesson kind, composed once from its stage and shown from snapshots only."""

    second_series: tuple[str, ...] = ()  # keys of a snapshot's extra drawn as second curves (e.g. held-out cost)

    def __init__(self, stage, output_name: str, measures: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.stage, self.output_name = stage, output_name
        self.outputs = History()  # the output (or cost) over steps
        self.measures = {name: History() for name in measures}  # e.g. accuracy over steps
        self.seconds = {key: History() for key in self.second_series}  # only the steps where the key has a number

    def record(self, samples) -> None:
        """Add (step, output, measures, extra) samples to the histories; a non-finite step is never plotted."""
        for step, output, measures, extra in samples:
            if not math.isfinite(output):
                continue
            self.outputs.add(step, output)
            for name, value in measures.items():
                self.measures[name].add(step, value)
            for key, history in self.seconds.items():
                value = extra.get(key)
                if value is not None and math.isfinite(value):
                    history.add(step, self.charted(key, value))

    def charted(self, key: str, value: float) -> float:
        """A second series' value as its chart draws it (e.g. on the first series' scale)."""
        return value

    def clear(self) -> None:
        self.outputs.clear()
        for h in (*self.measures.values(), *self.seconds.values()):
            h.clear()

    def show_items(self, box_id: str, items: list[str], gap: str = "  ") -> None:
        """A line of key hints in the Static `box_id`, wrapped between items (never inside one) to its width."""
        box = self.query_one(box_id, Static)
        width = box.content_size.width or self.app.size.width - 2
        lines = [""]
        for item in items:
            joined = f"{lines[-1]}{gap}{item}" if lines[-1] else item
            if len(joined) <= width or not lines[-1]:
                lines[-1] = joined
            else:
                lines.append(item)
        box.update(Text("\n".join(lines), style="dim"))

    def poked(self, snap: Snapshot) -> None:
        """A snapshot made by poking the lesson (a circuit's input set by hand), not by a step."""

    def changed(self) -> str:
        """What the title says when the lesson is not the scenario as loaded."""
        return "changed"

    def back(self) -> bool:
        """`b` or `escape`: True when the panel took it (to leave a mode of its own), False to leave the screen."""
        return False

    def show(self, snap: Snapshot, settings: Settings, tables: bool, slow: bool = False) -> None:
        """Draw `snap`; `tables`: refresh the number tables too (a run refreshes them less often); `slow`: the link
        is holding frames back, so big pictures may catch up over a few frames instead of in one."""
        raise NotImplementedError  # each kind draws its own picture
