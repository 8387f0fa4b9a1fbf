"""One scenario, live: the strategy steps in a worker thread; the screen redraws from snapshots."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from ..engine import Scenario, Session, Snapshot
from ..engine.history import History
from ..widgets.boundary_view import BoundaryView
from ..widgets.charts import HistoryChart
from ..widgets.circuit_view import CircuitView, num
from ..widgets.number_tables import GradCheckTable, ParamTable
from .base import SizedScreen

SPEEDS = (1, 2, 5, 10, 30, 100, 1000, 0)  # steps per second; 0 = as fast as the engine goes
POST_INTERVAL = 0.05  # the worker reports at most 20 times a second
REDRAW_INTERVAL = 0.085  # a run repaints (charts included) about 12 times a second: >= 10, and SSH-friendly
HEAVY_STEP = 100_000  # a step costlier than this (forward passes x parameters) runs in the worker
TABLE_INTERVAL = 0.25  # number tables change 4 times a second during a run: readable, and a third of the bytes
UI_SHARE = 0.03  # at full speed the worker pauses this long after each report (every POST_INTERVAL)
LADDER = [m * 10.0**e for e in range(-6, 3) for m in (1, 2, 5)]  # 1-2-5 values for the knobs


def ladder(value: float, up: bool) -> float:
    """The next 1-2-5 value above or below `value`."""
    if up:
        return next((v for v in LADDER if v > value * 1.0001), LADDER[-1])
    return next((v for v in reversed(LADDER) if v < value * 0.9999), LADDER[0])


def sample(snap: Snapshot) -> tuple:
    """(step, output, accuracy): what the history charts keep of a snapshot."""
    return snap.step, snap.output, snap.accuracy


@dataclass
class Stepped(Message):
    """Posted by the worker: the newest snapshot and (step, output, accuracy) for every step since the last."""

    generation: int
    snapshot: Snapshot
    samples: list


class PlaygroundScreen(SizedScreen):
    BINDINGS = [
        Binding("1", "strategy('random')", "random"),
        Binding("2", "strategy('numerical')", "numerical"),
        Binding("3", "strategy('analytic')", "analytic"),
        Binding("s", "step", "step"),
        Binding("space", "toggle_run", "run"),
        Binding("r", "reset", "reset"),
        Binding("minus", "knob('step_size', False)", "step-", show=False),
        Binding("plus,equals_sign", "knob('step_size', True)", "step+", show=False),
        Binding("h", "knob('h', False)", "h-", show=False),
        Binding("H", "knob('h', True)", "h+", show=False),
        Binding("t", "knob('tweak', False)", "tweak-", show=False),
        Binding("T", "knob('tweak', True)", "tweak+", show=False),
        Binding("comma", "speed(False)", "slower", show=False),
        Binding("full_stop", "speed(True)", "faster", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("b,escape", "back", "back"),
        Binding("q", "app.quit", "quit"),
    ]

    running = var(False)
    speed = var(4)

    def __init__(self, scenario: Scenario, strategy: str | None = None, seed: int | None = None):
        super().__init__()
        self.session = Session(scenario, strategy, seed)
        self.lock = threading.Lock()  # the worker and the keys never step the session at once
        self.generation = 0  # bumped by reset: reports from an older run are dropped
        self.outputs, self.accuracies = History(), History()
        self.snapshot = self.session.current
        self._dirty = True  # a snapshot or a setting not yet on screen
        self._table_shown = 0.0  # when a run last refreshed the number table
        self.steps_per_second = 0.0
        self._rate_mark = (time.monotonic(), 0)

    # ---- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        sc = self.session.scenario
        yield Header()
        yield self.too_small_message()
        with Vertical(classes="body"):
            yield Static(id="status")
            if self.session.is_classifier:
                with Horizontal(id="upper"):
                    yield BoundaryView(self.session.model, sc.points, sc.labels, id="boundary")
                    with Vertical(id="charts"):
                        yield HistoryChart("cost", "red", id="loss-chart")
                        yield HistoryChart("training accuracy", "green", (0, 1), id="acc-chart")
                yield ParamTable(self.session.objective.names, id="params")
            else:
                with Horizontal(id="upper"):
                    yield CircuitView(self.session.circuit.structure(), id="circuit")
                    with Vertical(id="side"):
                        yield GradCheckTable(sc.expression, list(self.session.circuit.inputs), id="inputs")
                        yield HistoryChart("output", "cyan", id="output-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.title = self.session.scenario.title
        self.sub_title = self.session.scenario.name
        if self.session.is_classifier:
            self.query_one("#boundary").border_title = "boundary: ● +1 ▲ -1 · blue: score > 0"
        else:
            self.query_one("#circuit").border_title = "circuit: values, ∇ from the last backward pass"
        self._apply(self.snapshot, [sample(self.snapshot)])
        self.set_interval(REDRAW_INTERVAL, self._redraw)
        self._redraw()

    # ---- keys ---------------------------------------------------------------------------------
    def action_strategy(self, name: str) -> None:
        self.session.set_strategy(name)
        self._dirty = True
        self._update_status(self.snapshot)  # a key shows at once, not on the next redraw tick

    def action_step(self) -> None:
        self.running = False
        if self.snapshot.diverged:
            self.notify(self.snapshot.diverged + "; press r to reset", severity="warning")
            return
        if self._heavy_step():
            self._step_once(self.generation, self.session, self.lock)  # e.g. a wide mlp's numerical gradient
            return
        with self.lock:
            snap = self.session.step()
        self._apply(snap, [sample(snap)])

    def _heavy_step(self) -> bool:
        """Would one step keep the UI thread busy for long? Roughly: forward passes times parameters."""
        return self.session.forward_passes_per_step() * len(self.session.objective.names) > HEAVY_STEP

    def advance(self, steps: int) -> None:
        """Take `steps` steps at once on the UI thread (for tests and scripted screenshots)."""
        self.running = False
        samples, snap = [], None
        with self.lock:
            for snap in self.session.run(steps):
                samples.append(sample(snap))
        if snap is not None:
            self._apply(snap, samples)

    def action_toggle_run(self) -> None:
        if self.snapshot.diverged:
            self.notify(self.snapshot.diverged + "; press r to reset", severity="warning")
            return
        self.running = not self.running
        if self.running:
            self._rate_mark = (time.monotonic(), self.snapshot.step)
            self._run(self.generation, self.session, self.lock)

    def action_reset(self) -> None:
        self.running = False
        self.generation += 1  # a step still running on the old session is dropped, not waited for
        self.session, self.lock = self.session.restarted(), threading.Lock()
        snap = self.session.current
        self.outputs.clear()
        self.accuracies.clear()
        self.snapshot = None
        self._apply(snap, [sample(snap)])

    def action_knob(self, name: str, up: bool) -> None:
        s = self.session.settings
        if name == "step_size" and s.step_size_end is not None:
            # turning the knob takes over from a schedule, starting from the step size in use now
            s.step_size, s.step_size_end = self.session.scheduled().step_size, None
        setattr(s, name, ladder(getattr(s, name), up))
        self._dirty = True
        self._update_status(self.snapshot)

    def action_speed(self, up: bool) -> None:
        self.speed = min(len(SPEEDS) - 1, self.speed + 1) if up else max(0, self.speed - 1)
        self._dirty = True
        self._update_status(self.snapshot)

    def action_back(self) -> None:
        self.running = False
        self.app.pop_screen()

    # ---- the run ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="run")
    def _run(self, generation: int, session: Session, lock: threading.Lock) -> None:
        """Step until paused, reset, cancelled or diverged, reporting at most every POST_INTERVAL."""
        worker = get_current_worker()
        samples, last_post = [], time.monotonic()
        due = last_post  # when the next step is due at a set speed
        while self.running and not worker.is_cancelled and generation == self.generation:
            with lock:
                if generation != self.generation:
                    break
                snap = session.step()
            samples.append(sample(snap))
            rate = SPEEDS[self.speed]
            now = time.monotonic()
            if snap.diverged or now - last_post >= POST_INTERVAL or 0 < rate * POST_INTERVAL <= 1:
                self.post_message(Stepped(generation, snap, samples))  # slow speeds report every step
                samples, last_post = [], now
                if not rate:
                    time.sleep(UI_SHARE)  # leave the GIL to the UI thread so keys and redraws keep up
            if snap.diverged:
                break
            if rate:  # keep to the speed on average; after a stall, catch up at most 0.1 s worth
                due = max(due + 1.0 / rate, now - 0.1)
                time.sleep(max(0.0, due - time.monotonic()))
        if samples:
            self.post_message(Stepped(generation, snap, samples))

    @work(thread=True, exclusive=True, group="run")
    def _step_once(self, generation: int, session: Session, lock: threading.Lock) -> None:
        """One step off the UI thread, for steps too costly to take between two key presses."""
        with lock:
            if generation != self.generation:
                return
            snap = session.step()
        self.post_message(Stepped(generation, snap, [sample(snap)]))

    def on_stepped(self, message: Stepped) -> None:
        if message.generation == self.generation:
            self._apply(message.snapshot, message.samples)

    def _apply(self, snap: Snapshot, samples) -> None:
        """Take a snapshot in (UI thread only); the widgets catch up on the next redraw tick."""
        for step, output, accuracy in samples:
            if not math.isfinite(output):
                continue  # a diverged step is announced, never plotted
            self.outputs.add(step, output)
            if accuracy is not None:
                self.accuracies.add(step, accuracy)
        self.snapshot = snap
        self._dirty = True
        if snap.diverged:
            self.running = False
            self.notify(f"{snap.diverged}. Press r to reset.", title="run stopped", severity="error", timeout=10)
        if not self.running:
            self._redraw()  # a single step shows at once; a run repaints on the timer, not per report

    # ---- drawing ------------------------------------------------------------------------------
    def watch_running(self, running: bool) -> None:
        if not running:  # a pause shows the exact state, tables included
            self._dirty = True
            self._redraw()

    def _redraw(self) -> None:
        if not self._dirty or not self.is_mounted:
            return
        self._dirty = False
        snap = self.snapshot
        self._update_status(snap)
        now = time.monotonic()
        table_due = not self.running or snap.diverged or now - self._table_shown >= TABLE_INTERVAL
        if table_due:
            self._table_shown = now
        if self.session.is_classifier:
            self.query_one(BoundaryView).show(snap.values)
            self.query_one("#loss-chart", HistoryChart).show(self.outputs)
            self.query_one("#acc-chart", HistoryChart).show(self.accuracies)
            if table_due:
                self.query_one(ParamTable).show(snap.values, snap.grads)
        else:
            self.query_one(CircuitView).show(snap.wires)
            self.query_one("#output-chart", HistoryChart).show(self.outputs)
            if table_due:
                st = self.session.settings
                self.query_one(GradCheckTable).show(snap.values, st.h, st.centered)

    def _update_status(self, snap: Snapshot) -> None:
        if not self.is_mounted:  # a key can arrive before the screen has composed (keys typed ahead)
            return
        st = self.session.settings
        if self.running:
            t0, s0 = self._rate_mark
            dt = time.monotonic() - t0
            if dt > 0.5:
                self.steps_per_second = (snap.step - s0) / dt
                self._rate_mark = (time.monotonic(), snap.step)
        speed = SPEEDS[self.speed]
        what = "cost" if self.session.is_classifier else "output"
        line1 = Text.assemble(
            ("strategy ", "dim"), (self.session.strategy, "bold"),
            ("   step ", "dim"), (f"{snap.step:,}", "bold"),
            (f"   {what} ", "dim"), (num(snap.output, 6), "bold green"),
            *((("   accuracy ", "dim"), (f"{snap.accuracy:.3f}", "bold")) if snap.accuracy is not None else ()))
        state = ("running" if self.running else "paused")
        if self.running and self.steps_per_second:
            state += f" at {self.steps_per_second:,.0f} steps/s"
        line2 = Text.assemble(
            ("forward passes ", "dim"), (f"{snap.forward_passes:,}", "bold yellow"),
            ("   backward passes ", "dim"), (f"{snap.backward_passes:,}", "bold yellow"),
            "   ", (state, "bold cyan" if self.running else "dim"))
        if snap.diverged:
            line2 = Text(f"{snap.diverged}: press r to reset", "bold red")
        line3 = Text.assemble(
            ("step size ", "dim"), f"{self.session.scheduled().step_size:.3g}",
            (f" (→ {st.step_size_end:g} after step {self.session.scenario.steps})" if st.step_size_end is not None
             else "", "dim"),
            ("   h ", "dim"), f"{st.h:g}",
            ("   tweak ", "dim"), f"{st.tweak:g}", ("   tries ", "dim"), f"{st.tries}",
            ("   speed ", "dim"), ("max" if speed == 0 else f"{speed}/s"))
        self.query_one("#status", Static).update(Text("\n").join([line1, line2, line3]), layout=False)
