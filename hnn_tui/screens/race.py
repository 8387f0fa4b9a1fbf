"""The race (`A` on a lesson): random search, the numerical gradient, the analytic gradient and the analytic one
under the other update rule (engine.race.rival), each from the lesson's start and seed with its knobs as they are
now, charted against the forward passes they spend, with a finishing line and the passes each needed to cross it.

The race runs in a worker thread (engine.race.interleaved: the lanes stepped together) and posts RaceProgress
messages of immutable samples; the widgets are touched on the UI thread only. Each lane is its own session, so
its numbers are those of `hnn-tui race SCENARIO --budget F --target T` (the first three lanes) however the lanes
are interleaved or paced. The lesson's own session is never touched: escape goes back to it as it was.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Static

from ..engine import Scenario, Session
from ..engine.objectives import Interrupted
from ..engine.race import Lane, Standing, app_lanes, default_budget, finishing_line, interleaved, rival
from ..keys import RACE, bindings
from ..numbers import num
from ..widgets.race_chart import LaneLine, RaceChart
from ..widgets.title_bar import TitleBar
from .base import SizedScreen

RACE_SECONDS = 4.0  # a race that computes faster is paced to take this long, to be watched (tests set 0)
REPORT_INTERVAL = 0.1  # the worker reports (and the chart redraws) about 10 times a second
MARKERS = ("x", "+", "•", "*")  # random, numerical, analytic, the rival: told apart without colour
# red, yellow, cyan, green as RGB: the chart and the table show the same colour (plotext's and Rich's names differ),
# and 16 colours keep them apart; the finishing line is in the text colour
COLOURS = ((225, 70, 70), (215, 195, 40), (40, 195, 215), (90, 200, 90))


@dataclass(frozen=True)
class LanePoint:
    """One lane's snapshot as the chart needs it: the lane's place in the field, the passes spent, the output."""

    lane: int
    forward_passes: int
    output: float


@dataclass
class RaceLined(Message):
    """Posted from the worker before the lanes start: the budget and finishing line this race runs to."""

    generation: int
    budget: int
    target: float
    notch: float  # what `-` / `+` move the line by
    lower: bool  # the line is crossed downwards (a cost, a circuit pulled down)


@dataclass
class RaceProgress(Message):
    """Posted from the worker: the samples since the last report and every lane's standing now."""

    generation: int
    points: tuple[LanePoint, ...]
    standings: tuple[Standing, ...]
    accuracies: tuple[float | None, ...]  # each lane's accuracy after its last step (None: the lesson has none)
    done: bool


class Race:
    """One race's stop flag and the sessions it steps (stop() abandons a step under way at its next forward pass)."""

    def __init__(self, generation: int, scenario: Scenario, budget: int | None, target: float | None):
        self.generation, self.scenario, self.budget, self.target = generation, scenario, budget, target
        self.halt = threading.Event()
        self.sessions: list[Session] = []

    def lane(self, lane: Lane) -> Lane:
        self.sessions.append(lane.session)
        if self.halt.is_set():
            lane.session.interrupt()
        return lane

    def stop(self) -> None:
        self.halt.set()
        for session in list(self.sessions):
            session.interrupt()


class RaceScreen(SizedScreen):
    BINDINGS = bindings(RACE)

    def __init__(self, session: Session):
        """The race of `session`'s lesson as it is now: its scenario (edits included), seed and settings."""
        super().__init__()
        self.scenario = replace(session.scenario, settings=session.settings)
        self.lower = False  # a cost (or a circuit pulled down) is raced downwards: the worker's lanes say
        self.output_name = session.lesson_type.output_name
        self.accuracy = "accuracy" in session.lesson_type.measures  # a classifier's: a column of the table
        self.names = ("random", "numerical", "analytic", rival(session.settings)[0])
        self.update = session.settings.update
        self.generation = 0
        self.race: Race | None = None
        self.budget: int | None = None  # None until the first race has worked out the default
        self.target: float | None = None
        self.notch = 0.0
        self.points: list[list[LanePoint]] = [[] for _ in self.names]
        self.standings: tuple[Standing, ...] = ()
        self.accuracies: tuple[float | None, ...] = ()
        self.done = False

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield TitleBar(f"Race — {sc.title} — {sc.name}", id="title")
        yield self.too_small_message()
        with Vertical(classes="body"):
            yield Static(id="race-head")
            yield RaceChart(id="race-chart")
            yield Static(id="race-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._start()

    def on_unmount(self) -> None:
        """Back or quit: the race's thread stops at once, a step under way at its next forward pass."""
        if self.race is not None:
            self.race.stop()

    # ---- keys ---------------------------------------------------------------------------------
    def action_line(self, notches: int) -> None:
        if self.target is None:  # the default is still being worked out
            return
        self.target = float(f"{self.target + notches * self.notch:.12g}")
        self._start()

    def action_budget(self, more: bool) -> None:
        if self.budget is None:
            return
        self.budget = self.budget * 2 if more else max(1, self.budget // 2)
        self._start()

    def action_restart(self) -> None:
        self._start()

    def action_back(self) -> None:
        self.app.pop_screen()

    # ---- the race -----------------------------------------------------------------------------
    def _start(self) -> None:
        """A new race from the start with the budget and line as set (None: their defaults, worked out first)."""
        if self.race is not None:
            self.race.stop()
        self.generation += 1
        self.points = [[] for _ in self.names]
        self.standings, self.accuracies, self.done = (), (), False
        self.race = Race(self.generation, self.scenario, self.budget, self.target)
        self._run(self.race)
        self._show()

    @work(thread=True, exclusive=True, group="race")
    def _run(self, race: Race) -> None:
        try:
            self._race(race)
        except Interrupted:  # stopped (back, quit, a new race) while a step was under way
            pass

    def _race(self, race: Race) -> None:
        """Work out the budget and the line if not given, then step the lanes together, paced to RACE_SECONDS."""
        budget = race.budget if race.budget is not None else default_budget(race.scenario)
        target, notch = race.target, self.notch
        if target is None:  # the analytic gradient's run over the budget sets the default line
            analytic = race.lane(Lane(race.scenario, "analytic", budget))
            for _ in analytic.snapshots():
                if race.halt.is_set():
                    return
            target, notch = finishing_line(analytic)
        field = [race.lane(lane) for lane in app_lanes(race.scenario, budget, target)]
        self.post_message(RaceLined(race.generation, budget, target, notch, field[0].lower))
        place = {id(lane): i for i, lane in enumerate(field)}
        pace, started, reported, points = RACE_SECONDS, time.monotonic(), 0.0, []
        for lane, snap in interleaved(field):
            if race.halt.is_set():
                return
            points.append(LanePoint(place[id(lane)], snap.forward_passes, snap.output))
            wait = started + pace * snap.forward_passes / budget - time.monotonic()
            if wait > 0 and race.halt.wait(min(wait, pace)):
                return
            if time.monotonic() - reported >= REPORT_INTERVAL:
                reported = time.monotonic()
                self.post_message(RaceProgress(race.generation, tuple(points), *self._standings(field), False))
                points = []
        self.post_message(RaceProgress(race.generation, tuple(points), *self._standings(field), True))

    @staticmethod
    def _standings(field: list[Lane]) -> tuple[tuple[Standing, ...], tuple[float | None, ...]]:
        """Every lane's standing and its accuracy after its last step (worker thread: the lanes' own numbers)."""
        return tuple(ln.standing() for ln in field), tuple(ln.last.measures.get("accuracy") for ln in field)

    def on_race_lined(self, message: RaceLined) -> None:
        if message.generation == self.generation:
            self.budget, self.target, self.notch = message.budget, message.target, message.notch
            self.lower = message.lower
            self._show()

    def on_race_progress(self, message: RaceProgress) -> None:
        if message.generation != self.generation:
            return
        for p in message.points:
            self.points[p.lane].append(p)
        self.standings, self.accuracies, self.done = message.standings, message.accuracies, message.done
        self._show()

    # ---- drawing ------------------------------------------------------------------------------
    def _show(self) -> None:
        if not self.is_attached:  # a report that arrives as the screen goes
            return
        self.query_one("#race-head", Static).update(self._head())
        lines = tuple(LaneLine(name, MARKERS[i], COLOURS[i], tuple(p.forward_passes for p in self.points[i]),
                               tuple(p.output for p in self.points[i])) for i, name in enumerate(self.names))
        self.query_one(RaceChart).show(lines, self.budget or 1, self.target, self._finish_word(), self.output_name)
        self.query_one("#race-table", Static).update(self._table())

    def _finish_word(self) -> str:
        return f"{self.output_name} {'<=' if self.lower else '>='} {self.target:.6g}" \
            if self.target is not None else ""

    def _head(self) -> Text:
        budget = "working out the budget" if self.budget is None else f"budget {self.budget:,} forward passes each"
        line = "the line: working it out (the analytic gradient's run)" if self.target is None \
            else f"the line: {self._finish_word()}"
        rule = "" if self.update == "sgd" else f" | update rule {self.update}"
        return Text(f"{budget} | {line} | seed {self.scenario.seed}{rule} | from the lesson's start, knobs as set",
                    no_wrap=True, overflow="ellipsis")

    def _table(self) -> Table:
        narrow = self.app.size.width < 100  # one space between the columns: 80 columns hold them all
        table = Table(box=None, padding=(0, 1), collapse_padding=narrow, pad_edge=False, header_style="bold")
        titles = ["lane", "steps", "forward", "backward", f"best {self.output_name}"] + \
            ["accuracy"] * self.accuracy + ["crossed at", "place"]
        for title in titles:
            table.add_column(title, justify="left" if title == "lane" else "right", no_wrap=True)
        places = self._places()
        for i, name in enumerate(self.names):
            s = self.standings[i] if i < len(self.standings) else None
            lane = Text(f"{MARKERS[i]} {name}", style="" if self.app.no_color else "rgb({},{},{})".format(*COLOURS[i]))
            if s is None:
                table.add_row(lane, *[""] * (len(titles) - 3), "not yet", "")
                continue
            if s.crossed_at is not None:
                at = f"{s.crossed_at:,}"
            elif s.stopped == "running":
                at = "not yet"
            else:
                at = "never" if s.stopped in ("budget", "target") else "never (diverged)"
            accuracy = [num(self.accuracies[i], 3) if self.accuracies[i] is not None else "-"] * self.accuracy
            best = num(s.best, significant=6)  # as `hnn-tui race` writes it
            table.add_row(lane, f"{s.steps:,}", f"{s.forward_passes:,}", f"{s.backward_passes:,}", best, *accuracy, at,
                          places.get(i, ""))
        grid = Table.grid()
        grid.add_row(table)
        grid.add_row(Text(self._verdict(), no_wrap=True, overflow="ellipsis"))
        return grid

    def _places(self) -> dict[int, str]:
        """The lanes that crossed, by the passes they needed: 1st, 2nd, ... (a tie shares a place)."""
        crossed = sorted((s.crossed_at, i) for i, s in enumerate(self.standings) if s.crossed_at is not None)
        words = ("1st", "2nd", "3rd", "4th")
        places, rank = {}, 0
        for k, (at, i) in enumerate(crossed):
            if k == 0 or at != crossed[k - 1][0]:
                rank = k
            places[i] = words[rank]
        return places

    def _verdict(self) -> str:
        keys = "  (- + the line, [ ] the budget, r again, b back)"
        if self.target is None:
            return "the analytic gradient runs first, to set the finishing line..." + keys
        if not self.done:
            return "racing..." + keys
        crossed = [(s.crossed_at, self.names[i]) for i, s in enumerate(self.standings) if s.crossed_at is not None]
        if not crossed:
            return f"no lane crossed the line within {self.budget:,} forward passes" + keys
        first = min(at for at, _ in crossed)
        won = [name for at, name in crossed if at == first]
        who = f"won: {won[0]}" if len(won) == 1 else f"a tie: {', '.join(won)}"
        return f"{who}, across the line after {first:,} forward passes" + keys
