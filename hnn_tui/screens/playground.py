"""One scenario, live: a Runner steps the session in a worker thread; the screen redraws from snapshots."""
from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import var
from textual.widgets import Footer
from textual.worker import Worker, get_current_worker

from ..engine import Diverged, Scenario, Session, Snapshot
from ..engine.knobs import TRIES, cycle, step
from ..engine.objectives import Interrupted
from ..engine.runner import SPEEDS, Runner, is_costly, ladder
from ..engine.schedules import next_schedule
from ..engine.updates import MOMENTA, UPDATES
from ..keys import PLAYGROUND, bindings
from ..panels import PANELS, Panel
from ..widgets.chart_stack import ChartStack
from ..widgets.status_line import StatusLine
from ..widgets.title_bar import TitleBar
from .base import SizedScreen
from .lesson_controls import LessonControls
from .rewind_controls import RewindControls

REDRAW_INTERVAL = 0.085  # a run repaints (charts included) about 12 times a second: >= 10, and SSH-friendly
TABLE_INTERVAL = 0.25  # number tables change 4 times a second during a run: readable, and a third of the bytes


@dataclass
class Stepped(Message):
    """Posted from the worker: the newest snapshot and snapshot.sample() of every step since the last report."""

    generation: int
    snapshot: Snapshot
    samples: list


class PlaygroundScreen(RewindControls, LessonControls, SizedScreen):
    BINDINGS = bindings(PLAYGROUND)

    running = var(False)
    speed = var(4)  # an index into SPEEDS

    def __init__(self, scenario: Scenario, strategy: str | None = None):
        super().__init__()
        self.session = Session(scenario, strategy, rewind=True)
        self.generation = 0  # bumped by reset: reports from an older run are dropped
        self.snapshot = self.session.current  # the newest snapshot taken in
        self.runner: Runner | None = None  # the pace of the run under way (its speed follows the keys)
        self._run_worker: Worker | None = None  # the thread of the run under way
        self._step_after_run = False  # `s` pressed during a run: one step once the run has stopped
        self._dirty = True  # a snapshot or a setting not yet on screen
        self._table_shown = 0.0  # when a run last refreshed the number tables
        self.steps_per_second = 0.0
        self._rate_mark = (time.monotonic(), 0)
        self._carry_view = None  # the view the next new panel keeps (an edit of a classifier's points), or None
        self._swapping = False  # a new panel is being mounted (_swap_panel)

    @property
    def panel(self) -> Panel | None:
        """The lesson's panel; None before the screen has composed or once it is being taken down (keys typed
        ahead, or queued behind `b`, still arrive)."""
        for panel in self.query("#panel").results(Panel):  # one being mounted or taken down is not there
            if panel.is_mounted and not getattr(panel, "going", False):
                return panel
        return None

    # ---- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        kind = self.session.lesson_type
        sc = self.session.scenario
        yield TitleBar(f"{sc.title} — {sc.name}", id="title")  # filled now: the first frame carries the words
        yield self.too_small_message()
        with Vertical(classes="body"):
            status = StatusLine(id="status")
            self._show_status(status, self.snapshot)
            yield status
            yield PANELS[kind](self.session.stage, kind.output_name, kind.measures, id="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.title = self.session.scenario.title
        self.sub_title = self.session.scenario.name
        self.query_one(TitleBar).show(self.title, self.sub_title)
        self._apply(self.snapshot, [self.snapshot.sample()])
        self.set_interval(REDRAW_INTERVAL, self._tick)
        self._redraw()

    def _tick(self) -> None:
        """The run's repaint, unless the terminal is still behind on earlier frames: then the newest state waits
        for the next tick, and in-between states are never sent (keys' own updates still go out at once)."""
        if self._dirty and self.app.link.behind():
            self.app.link.held()
            return
        if self.session.progress() is not None:  # a step under way in a worker: the status line says how far
            self._update_status(self.snapshot)
        self._redraw()

    # ---- keys ---------------------------------------------------------------------------------
    def action_strategy(self, name: str) -> None:
        self.session.set_strategy(name)
        self._settings_changed()

    def action_knob(self, name: str, up: bool) -> None:
        s = self.session
        if name == "step_size":  # from the step size in use now, schedule or not; a schedule ends here
            s.set_step_size(ladder(s.controls().step_size_now, up))
        elif name == "tries":
            s.set_settings(tries=step(TRIES, s.settings.tries, up))
        elif name == "update":  # sgd -> momentum -> nesterov: the velocity starts again from zero
            s.set_settings(update=cycle(UPDATES, s.settings.update, up))
        elif name == "momentum":
            st = s.set_settings(momentum=step(MOMENTA, s.settings.momentum, up))
            if st.update == "sgd":
                self.notify(f"momentum μ {st.momentum:g}: used by the momentum and nesterov update rules (M)")
        elif name == "schedule":  # back to linear: the file's end if it had one
            loaded = s.origin.settings
            s.set_settings(**next_schedule(s.settings, loaded.step_size_end if loaded.schedule == "linear" else None))
        else:
            s.set_settings(**{name: ladder(getattr(s.settings, name), up)})
        self._settings_changed()

    def action_speed(self, up: bool) -> None:
        self.speed = min(len(SPEEDS) - 1, self.speed + 1) if up else max(0, self.speed - 1)
        self._settings_changed()

    def watch_speed(self, speed: int) -> None:
        if self.runner is not None:
            self.runner.speed = SPEEDS[speed]

    def _settings_changed(self) -> None:
        self._dirty = True
        self._update_status(self.snapshot)  # a key shows at once, not on the next redraw tick

    def action_step(self) -> None:
        self.running = False
        if self._run_active():  # the step comes after the run's last one, once its thread has stopped
            self._step_after_run = True
            return
        if self._refuse_if_diverged():
            return
        if is_costly(self.session):
            self._step_once(self.generation, self.session)  # e.g. a wide mlp's numerical gradient
            return
        try:
            snap = self.session.step()
        except Diverged:  # a costly step still under way in its thread diverged meanwhile
            snap = self.session.current
        self._apply(snap, [snap.sample()])

    def advance(self, steps: int) -> None:
        """Take `steps` steps at once on the UI thread (for tests and scripted screenshots)."""
        self.running = False
        samples, snap = [], None
        for snap in self.session.run(steps):
            samples.append(snap.sample())
        if snap is not None:
            self._apply(snap, samples)

    def action_toggle_run(self) -> None:
        if self.running:
            self.running = False
            return
        if self._refuse_if_diverged():
            return
        self.running = True
        self._rate_mark = (time.monotonic(), self.snapshot.step)
        self.runner = Runner(self.session, self._report(self.generation), SPEEDS[self.speed])
        self._run_worker = self._run(self.runner, self.generation)

    def _run_active(self) -> bool:
        return self._run_worker is not None and not self._run_worker.is_finished

    def _refuse_if_diverged(self) -> bool:
        """The session's newest state decides (a run's last report may still be on its way to the screen)."""
        bad = self.session.current.diverged
        if bad:
            self.notify(bad + "; press r to reset", severity="warning")
        return bool(bad)

    def action_reset(self, keep_controls: bool = False) -> None:
        """Back to the start: as loaded (knobs and strategy too), or with the knobs and strategy as set now."""
        self._replace_session(self.session.restarted(keep_controls))

    def _replace_session(self, fresh: Session, view=None) -> None:
        """`fresh` in place of the session: a reset, an edited circuit. The run stops; a step still under way on the
        old session is abandoned, not waited for. A new scenario (other wiring) gets a new panel, which takes the
        old one's `view` when given (panel.view_state(): an edit of a classifier's points)."""
        self.running = False
        self._carry_view = view
        self._step_after_run = False
        self.forget_rewind()
        self.generation += 1
        old, self.session = self.session, fresh
        old.interrupt()
        self.snapshot = snap = fresh.current
        if fresh.scenario is not old.scenario:
            if not self._swapping:  # else the swap under way takes this session's panel too, once its own is up
                self._swapping = True  # now, not when the worker starts: never two swaps at once
                self.run_worker(self._swap_panel(), group="panel")
            return
        if self.panel is not None:
            self.panel.clear()
        self._apply(snap, [snap.sample()])

    def action_cycle_charts(self) -> None:
        if self.panel is not None:
            self.panel.query_one(ChartStack).cycle()

    def action_back(self) -> None:
        if self.panel is not None and self.panel.back():  # e.g. leaving a circuit's walk-through
            return
        self.running = False
        self.app.back_to_picker()

    async def _swap_panel(self) -> None:
        """A new panel for the new stage (its wiring changed), where the old one was. One swap at a time: a session
        replaced meanwhile (edits typed ahead) gets its panel once this one is up, never half-built panels."""
        try:
            while True:
                session = self.session
                if not await self._mount_panel(session):
                    return
                if self.session is session or self.session.scenario is session.scenario:
                    break
        finally:
            self._swapping = False
        self.call_after_refresh(self._show_new_panel)  # once it is laid out: its tables fit the room it got

    async def _mount_panel(self, session: Session) -> bool:
        """Replace the panel with a new one for `session`; False when the screen went meanwhile (back, quit)."""
        view = self._carry_view
        try:
            for old in self.query("#panel"):
                old.going = True  # its children go first: never drawn again meanwhile
                await old.remove()
            if not self.is_attached:
                return False
            kind = session.lesson_type
            panel = PANELS[kind](session.stage, kind.output_name, kind.measures, id="panel")
            if view is not None and hasattr(panel, "take_view"):
                panel.take_view(view)
            await self.query_one(".body").mount(panel)
            if self._carry_view is view:
                self._carry_view = None
            changed = session.scenario is not session.origin
            self.query_one(TitleBar).show(self.title, self.sub_title + (f" ({panel.changed()})" if changed else ""))
        except NoMatches:
            return False
        return True

    def _show_new_panel(self) -> None:
        snap = self.snapshot
        self._apply(snap, [snap.sample()])
        self._dirty = True
        self._redraw()

    def on_unmount(self) -> None:
        """Going back or quitting: a step under way in a worker thread stops at its next forward pass."""
        self.set_reactive(PlaygroundScreen.running, False)  # no watcher: the widgets are going
        self.session.interrupt()

    # ---- the run ------------------------------------------------------------------------------
    def _report(self, generation: int):
        return lambda snap, samples: self.post_message(Stepped(generation, snap, samples))

    @work(thread=True, exclusive=True, group="run")
    def _run(self, runner: Runner, generation: int) -> None:
        """Step until paused, reset, cancelled or diverged, at the set speed (engine.runner.Runner)."""
        worker = get_current_worker()
        try:
            runner.run(lambda: self.running and not worker.is_cancelled and generation == self.generation)
        except Interrupted:  # reset, back or quit while a step was under way: nothing to report
            pass

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._run_worker and event.worker.is_finished:
            self._run_worker = None
            if self._step_after_run:
                self._step_after_run = False
                self.action_step()
            self.scrub_after_run()

    @work(thread=True, exclusive=True, group="run")
    def _step_once(self, generation: int, session: Session) -> None:
        """One step off the UI thread, for steps too costly to take between two key presses."""
        if generation != self.generation:
            return
        try:
            snap = session.step()
        except Diverged:  # another step diverged first
            snap = session.current
        except Interrupted:  # reset, back or quit meanwhile
            return
        if generation == self.generation:
            self._report(generation)(snap, [snap.sample()])

    def on_stepped(self, message: Stepped) -> None:
        if message.generation == self.generation:
            self._apply(message.snapshot, message.samples)

    def _apply(self, snap: Snapshot, samples) -> None:
        """Take a snapshot in (UI thread only); the widgets catch up on the next redraw tick. A snapshot older than
        the one on screen (a run's last report, arriving after a step taken since) adds its samples only."""
        panel = self.panel
        rewound = self.still_rewound(panel)  # else training went on from a past step: the charts drop the rest
        if panel is not None:
            panel.record(samples)
        if rewound or snap.step < self.snapshot.step:
            return
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
        if not self._dirty or self.panel is None:
            return
        self._dirty = False
        self.app.link.painted()
        snap = self.snapshot
        self._update_status(snap)
        now = time.monotonic()
        slow = self.running and self.app.link.slowed_to() is not None
        every = TABLE_INTERVAL * (4 if slow else 1)  # over a slow link the number tables change once a second
        tables = not self.running or bool(snap.diverged) or now - self._table_shown >= every
        if tables:
            self._table_shown = now
        panel = self.panel
        if panel is None:
            return
        try:  # while a run goes over a slow link, big pictures may catch up over a few frames
            panel.show(snap, self.session.settings, tables, slow)
        except NoMatches:  # its widgets already going: the screen is being taken down (keys typed ahead of it)
            pass

    def _update_status(self, snap: Snapshot) -> None:
        if self.panel is None:  # a key can arrive before the screen has composed, or after it was taken down
            return
        if self.running:
            t0, s0 = self._rate_mark
            dt = time.monotonic() - t0
            if dt > 0.5:
                self.steps_per_second = (snap.step - s0) / dt
                self._rate_mark = (time.monotonic(), snap.step)
        self._show_status(self.query_one(StatusLine), snap)

    def _show_status(self, status: StatusLine, snap: Snapshot) -> None:
        status.show(snap, self.session.lesson_type.output_name, self.session.controls(), self.session.scenario.steps,
                    self.running, SPEEDS[self.speed], self.steps_per_second, self.session.progress(),
                    self.app.link.slowed_to() if self.running else None, self.session.pokes,
                    self.newest_if_rewound())
