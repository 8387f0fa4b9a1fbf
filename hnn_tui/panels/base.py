"""What every lesson panel does: keep the histories its charts draw, and show a snapshot."""
from __future__ import annotations

import math

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from ..engine.history import History
from ..engine.snapshot import Snapshot
from ..engine.strategies import Settings
from ..widgets.path_map import PathMap
from . import craft


def wrapped(items: list[str], width: int, gap: str = "  ") -> list[str]:
    """`items` in lines of at most `width` characters, broken between items, never inside one."""
    lines = [""]
    for item in items:
        joined = f"{lines[-1]}{gap}{item}" if lines[-1] else item
        if len(joined) <= width or not lines[-1]:
            lines[-1] = joined
        else:
            lines.append(item)
    return lines


def fitted_items(items: list[str], width: int, gap: str = "  ", ranks=None, max_lines: int | None = None) -> list[str]:
    """`items` wrapped to `width`; when that takes more than `max_lines` lines, the most useful ones that fit (lowest
    `ranks` first; default: the order given) keep their order and a '…' ends the last line."""
    lines = wrapped(items, width, gap)
    if max_lines is None or len(lines) <= max_lines:
        return lines
    ranks = range(len(items)) if ranks is None else ranks
    keep: set[int] = set()
    for i in sorted(range(len(items)), key=lambda k: ranks[k]):  # a smaller item may fill a gap a larger one left
        if len(wrapped([items[j] for j in sorted(keep | {i})] + ["…"], width, gap)) <= max_lines:
            keep.add(i)
    return wrapped([items[j] for j in sorted(keep)] + ["…"], width, gap)


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

    def cut(self, step: int) -> None:
        """Training went on from the past step `step` (engine.rewind dropped what came after): the charts, the path
        maps and a circuit's nudge marks forget everything after it. (While the learner only scrubs, they keep the
        whole run: the status line names the step shown.)"""
        for h in (self.outputs, *self.measures.values(), *self.seconds.values()):
            h.truncate(step)
        for path_map in self.query(PathMap):
            path_map.cut(step)
        nudges = getattr(self, "nudges", None)
        if nudges:
            kept = [(s, v) for s, v in nudges if s <= step]
            nudges.clear()
            nudges.extend(kept)

    def charted(self, key: str, value: float) -> float:
        """A second series' value as its chart draws it (e.g. on the first series' scale)."""
        return value

    def clear(self) -> None:
        self.outputs.clear()
        for h in (*self.measures.values(), *self.seconds.values()):
            h.clear()

    def show_items(self, box_id: str, items: list[str], gap: str = "  ", ranks=None, max_lines=None) -> None:
        """A line of key hints in the Static `box_id`, wrapped between items (never inside one) to its width; past
        `max_lines` lines the items of the highest `ranks` give way (see `fitted_items`)."""
        box = self.query_one(box_id, Static)
        width = box.content_size.width or self.app.size.width - 2
        box.update(Text("\n".join(fitted_items(items, width, gap, ranks, max_lines)), style="dim"))

    def show_knobs(self, box_id: str, named: list[tuple[str, str]], spec, short: bool) -> None:
        """The knobs line from (knob, item) pairs, in the order shown. On a `short` terminal it keeps to the lines
        the lesson's own knobs take alone, so the pictures keep their rows: the craft knobs (panels.craft) fill the
        room left, and what does not fit gives way, the least useful first (craft.ranked)."""
        box = self.query_one(box_id, Static)
        width = box.content_size.width or self.app.size.width - 2
        items, ranks = craft.ranked(named, getattr(self.screen, "turned", ()), craft.changed(spec))
        own = [item for name, item in named if name not in craft.KNOBS]
        self.show_items(box_id, items, ranks=ranks, max_lines=len(wrapped(own, width)) if short else None)

    def refused(self, knob: str) -> bool:
        """True, with a notice saying why, when the knob `knob` does not apply to this lesson's model (panels.craft:
        dropout without hidden layers, class weights or the engine on a regression); False when it does."""
        why = craft.refusal(self.screen.session.scenario.spec, knob)
        if why:
            self.app.notify(why, severity="warning", timeout=4)
        return why is not None

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
