"""A session steps one scenario with one strategy and hands out an immutable snapshot per step.

Thread safety: a worker may step while the keys change the strategy or the settings. Steps hold the step lock;
the strategy and the settings are frozen values swapped whole under a second, short lock, and each step reads
both once at its start, so it uses one consistent pair and its snapshot names the strategy it used. Changing the
strategy or a setting never waits for a step to finish; a second step waits for the one under way.

A session made with rewind=True (the app's) keeps its run's timeline (engine.rewind): `goto(k)` brings the whole
state back to any step k of it, and a step (or a poke, or a live knob) taken there drops what came after: one line
of history, no branches. Headless sessions (`hnn-tui run`, sweep, race) keep none: its keyframes would cost them
time (up to 2x on a short run) for nothing.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace
from types import MappingProxyType

from . import knobs
from .lessons import Lesson, lesson_for
from .lessons.base import first_non_finite
from .rewind import NoTimeline, Timeline
from .scenario import Scenario, check_settings
from .schedules import step_size_at
from .session_variants import Variants
from .snapshot import Diverged, Snapshot
from .strategies import STRATEGIES, Settings
from .updates import Motion


@dataclass(frozen=True)
class Progress:
    """The step under way: since when, and its forward passes done of all it will take."""

    step: int
    started: float  # time.monotonic() when it began
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


@dataclass(frozen=True)
class Controls:
    """What the next step will use, read in one go: the strategy, the settings and the step size after the schedule."""

    strategy: str
    settings: Settings
    step_size_now: float


def _check_strategy(name: str) -> str:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
    return name


class Session(Variants):
    """Scenario -> lesson (engine objects) -> step() -> Snapshot. One training loop for CLI, UI and tests."""

    def __init__(self, scenario: Scenario, strategy: str | None = None, origin: Scenario | None = None,
                 rewind: bool = False):
        self.scenario = scenario
        self.origin = origin or scenario  # the scenario as loaded: r goes back to it after an edit or a knob
        self._strategy = _check_strategy(strategy or scenario.strategy)
        self._settings = scenario.settings
        self._controls = threading.Lock()  # guards the (strategy, settings) pair; held for an instant
        self._stepping = threading.Lock()  # one step (or reset) at a time
        self._stop = threading.Event()  # set by interrupt(): the objective refuses its next forward pass
        self.pokes = 0  # inputs set by hand since the start: not steps, not counted in the passes
        self.data: knobs.Data | None = None  # a classifier's data as the knobs last drew it (None: the file's)
        self.edits: tuple = ()  # a classifier's (points, labels, val_points, val_labels) before each edit, oldest first
        self._under_way: tuple | None = None  # (step, started, strategy, settings, forward passes before it)
        self.rewind = rewind
        self.timeline = Timeline(adaptive=True) if rewind else NoTimeline()  # every step, for goto (engine.rewind)
        self.reset()

    # ---- what the next step will use ----------------------------------------------------------
    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def strategy(self) -> str:
        return self._strategy

    @property
    def settings(self) -> Settings:
        return self._settings

    def set_strategy(self, name: str) -> None:
        _check_strategy(name)
        with self._controls:
            self._strategy = name

    def set_settings(self, **changes) -> Settings:
        """Swap in new settings (e.g. h=1e-5); the step under way keeps the ones it started with. ValueError for
        values no scenario file could hold (an unknown update rule or schedule, momentum 1, ...). A new update
        rule starts the velocity again from zero; a new momentum coefficient keeps it."""
        with self._controls:
            fresh = replace(self._settings, **changes)
            check_settings(fresh)
            if fresh.update != self._settings.update:
                self.motion.zero()  # and the Motion zeroes it again at the first step under the new rule
                self.timeline.moved = True  # a change of state no step made: the next step keeps it (a keyframe)
            self._settings = fresh
            return fresh

    def set_step_size(self, step_size: float) -> Settings:
        """A step size set by hand takes over from any schedule for good: the schedule becomes constant."""
        return self.set_settings(step_size=step_size, step_size_end=None, schedule="constant")

    def controls(self) -> Controls:
        with self._controls:
            return Controls(self._strategy, self._settings, self._scheduled(self._settings).step_size)

    def scheduled(self) -> Settings:
        """The settings for the next step, its step size as the schedule gives it (engine.schedules)."""
        with self._controls:
            return self._scheduled(self._settings)

    def _scheduled(self, s: Settings) -> Settings:
        if s.schedule == "constant":
            return s
        return replace(s, step_size=step_size_at(s, self.step_count, self.scenario.steps))

    def forward_passes_per_step(self) -> int:
        """What the next step will spend in forward passes: per point, tries, P + 1 (2P centered), or 1."""
        with self._controls:
            st, strategy = self._settings, self._strategy
        return self.lesson.batch_size() * STRATEGIES[strategy].forward_passes(len(self.lesson.objective.names), st)

    # ---- stepping -----------------------------------------------------------------------------
    @property
    def lesson_type(self) -> type[Lesson]:
        """The lesson kind: its `kind`, `output_name` and `measures` say what the snapshots hold."""
        return type(self.lesson)

    @property
    def stage(self):
        """What the lesson's panel draws that never changes (see the lesson kinds)."""
        return self.lesson.stage

    def reset(self) -> Snapshot:
        """Back to the scenario's start: same parameters, same random stream, counters and velocity at zero."""
        with self._stepping:
            self.rng = random.Random(self.seed)
            self.step_count = 0
            self.motion = Motion()  # the update rule's velocity (engine.updates): zero at every start
            self.lesson: Lesson = lesson_for(self.scenario.spec)(self.scenario.spec, self.rng)
            self.lesson.objective.stop = self._stop
            self.current = self._snapshot(None, self._strategy, wire_grads=False)
            self.timeline.start(self, *self._pair())
            return self.current

    def set_input(self, name: str, value: float) -> Snapshot:
        """Poke an input (a circuit's): forward (and the display's backward) run again at once; not a step, nothing
        counted in the passes. ValueError for an unknown input, a value that is not finite, or one that makes a wire
        not finite (the input keeps its value)."""
        with self._stepping:
            if self.current.diverged:
                raise Diverged(self.current.diverged)
            before = self.current.values[name]
            self.lesson.set_input(name, value)
            snap = self._snapshot(None, self._strategy, wire_grads=False)
            if snap.diverged:  # refused, not taken: the circuit stays where it was, and can still be poked
                self.lesson.set_input(name, before)
                raise ValueError(f"{name} = {value:g} is refused: {snap.diverged.split(': ', 1)[1]} there")
            self.pokes += 1
            self.current = snap
            self.timeline.changed(self, *self._pair())
            return snap

    def retuned(self, knob: str, up: bool = True) -> Snapshot:
        """A classifier's live knob (engine.knobs.LIVE: the spring, the loss, the batch) turned one notch: the same
        parameters, the next step uses it; the cost is measured again at once (not a step, nothing counted)."""
        with self._stepping:
            if self.current.diverged:
                raise Diverged(self.current.diverged)
            spec = knobs.live(self.scenario.spec, knob, up)
            self.lesson.retune(spec)
            self.scenario = replace(self.scenario, spec=spec)
            self.current = self._snapshot(None, self._strategy, wire_grads=False)
            self.timeline.changed(self, *self._pair())
            return self.current

    def interrupt(self) -> None:
        """Abandon the step under way at its next forward pass, and every later one (Interrupted): for quitting,
        going back and resetting while a costly step runs in another thread. The session is not used again."""
        self._stop.set()

    def progress(self) -> Progress | None:
        """The step under way (in another thread), or None between steps."""
        under_way = self._under_way
        if under_way is None:
            return None
        step, started, strategy, settings, before = under_way
        per_point = STRATEGIES[strategy].forward_passes(len(self.lesson.objective.names), settings)
        return Progress(step, started, self.lesson.objective.forward_passes - before,
                        per_point * self.lesson.batch_size())

    def step(self) -> Snapshot:
        """Take one step with the strategy and settings selected now; returns the new snapshot. Taken at a past
        step (after goto), it drops the steps that came after it."""
        with self._stepping:
            if self.current.diverged:
                raise Diverged(self.current.diverged)
            strategy, settings = self._pair()
            self.timeline.before_step(self, strategy, settings)
            self._take(strategy, settings)
            self.timeline.after_step(self, strategy, settings)
            return self.current

    def _pair(self) -> tuple[str, Settings]:
        with self._controls:
            return self._strategy, self._settings

    def _take(self, strategy: str, base: Settings) -> None:
        """One step with `strategy` and the base settings `base` (the schedule applied here): the one code path
        of a step, taken and replayed alike."""
        settings = self._scheduled(base)
        self.lesson.before_step(self.rng, settings)
        self._under_way = (self.step_count + 1, time.monotonic(), strategy, settings,
                           self.lesson.objective.forward_passes)
        try:
            result = STRATEGIES[strategy].step(self.lesson.objective, settings, self.rng, self.motion)
        finally:
            self._under_way = None
        self.step_count += 1
        self.current = self._snapshot(result.grads, strategy, wire_grads=result.backward_passes > 0)

    # ---- rewind (engine.rewind) ---------------------------------------------------------------
    @property
    def newest(self) -> int:
        """The step count of the newest step of this run (the session may be showing an earlier one)."""
        return self.timeline.newest

    def goto(self, k: int) -> Snapshot:
        """Bring the session back (or forward) to step k of its run: the lesson, the random stream, the velocity,
        the counters, the scenario (live knobs), the strategy and settings the run had there; returns (and makes
        current) step k's snapshot, equal to the one the run had. From the nearest keyframe at or before k, the
        steps in between are taken again (at most the timeline's stride of them). ValueError for a step not
        in the run. Stepping from here drops the steps after k."""
        with self._stepping:
            tl = self.timeline
            kf, kept = tl.locate(k)
            if k == self.step_count == tl.newest:
                tl.replayed = 0
                return self.current  # at the newest step already: its state is the live one
            if self.step_count == tl.newest:
                tl.pending = self._pair()  # the controls selected at the newest step, for coming back to it
            lesson, rng, motion = tl.restore(kf)
            lesson.objective.stop = self._stop
            if kf.scenario.spec is not self.scenario.spec:  # a live knob between (never on a circuit): the shared
                lesson.retune(lesson.spec)  # stage's gradient check follows the restored knobs
            self.lesson, self.rng, self.motion = lesson, rng, motion
            self.step_count, self.scenario, self.pokes = kf.step, kf.scenario, kf.pokes
            with self._controls:
                self._strategy, self._settings = kf.strategy, kf.settings
            for _ in range(k - kf.step):
                self._take(kf.strategy, kf.settings)
            tl.replayed = k - kf.step
            if k == tl.newest and tl.pending is not None:
                with self._controls:
                    self._strategy, self._settings = tl.pending
            if kept is not None:
                self.current = kept  # the very object the run made (equal to a replayed one)
            return self.current

    def run(self, steps: int):
        """Yield the snapshot after each of `steps` steps; stops early after a divergent one."""
        for _ in range(steps):
            snap = self.step()
            yield snap
            if snap.diverged:
                return

    def _snapshot(self, grads, strategy: str, wire_grads: bool) -> Snapshot:
        m = self.lesson.measure(wire_grads)
        obj = self.lesson.objective
        bad = first_non_finite(self.lesson, m.output, m.values, grads, m.detail)
        return Snapshot(self.step_count, strategy, m.output, MappingProxyType(m.values),
                        None if grads is None else MappingProxyType(dict(grads)),
                        obj.forward_passes, obj.backward_passes, MappingProxyType(m.measures), m.detail,
                        f"diverged at step {self.step_count:,}: {bad}" if bad else None,
                        MappingProxyType(dict(m.extra)))
