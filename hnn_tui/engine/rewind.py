"""A run's timeline: keyframes of the session's whole state, so any past step can be shown again and trained on.

A keyframe holds everything a step changes: the lesson (its engine objects), the random stream, the step count,
the velocity, the pokes counted, the scenario (a live knob changes it), the strategy and the base settings the
steps after it use, and the step's Snapshot (immutable: kept by reference). The state at step k is the nearest
keyframe at or before k, plus the plain steps from there to k: stepping is deterministic (the same lesson, random
stream and settings give the same numbers, bit for bit), so the replayed state *is* the state the run had.

Which keyframes are kept:
- step 0, and every `stride`-th step (stride 1 at first; such a regular keyframe keeps no snapshot). Once
  `capacity` regular keyframes are kept (or their bytes reach `budget`: a big lesson), each new one pushes out
  the oldest one off the stride, and when none is left off it the stride doubles (like engine.history.History,
  but one out for one in): the count and the memory stay put on a run of any length, every gap stays within the
  stride, and the replay to a step is at most `stride` steps (to a regular keyframe's own step, whose snapshot
  is not kept, from the keyframe before it).
- a forced keyframe where replay alone cannot get back: before a step whose strategy or base settings differ
  from the step before's (or after a new update rule zeroed the velocity), and after every poke (an input set by
  hand) or live knob (engine.knobs.LIVE). It takes the place of any keyframe at that step, and thinning never
  drops it: there is one per key press the run went on from, not per step. Past FORCED of them (a thousand key
  presses) the run's oldest part is forgotten: its start moves on to the oldest forced keyframe kept.

How a state is kept (engine.rewind_pickle): the lesson and the velocity pickled and compressed (zlib's fastest
level), not copy.deepcopy'd: a deep copy shares every closure as it is (e.g. the objective's reader of a model's
hidden units would go on reading the live model), and pickled bytes are compact (a float costs 9 bytes, not a
boxed object in a list). What never changes is shared, not copied: the lesson's stage (the panel's pure
functions and their locks), the spec and its data tuples, the threading.Event `objective.stop` the session
interrupts with, locks; the lesson's big numpy arrays that equal one of step 0's (its data, e.g. a classifier's
points as a matrix) are kept once in a pool and copied out on restore. A closure is rebuilt around copies of its
cells, so it reads the restored objects, never the live ones. The random stream's state is kept as its 624
words in bytes (2.5 KB), the previous keyframe's very object while no step drew from it (a circuit's gradient
strategies draw nothing). Restoring unpickles a fresh copy: a keyframe is never touched.

Going back and then stepping drops what came after (no branches): the timeline is one line, what the learner
did from the step they went back to.
"""
from __future__ import annotations

import bisect
import random
import time
import zlib
from array import array
from dataclasses import dataclass, replace
from typing import Any

from .rewind_pickle import dump, load, shared_ids

CAPACITY = 512  # regular keyframes kept at most (forced ones come on top: one per key press a run went on from)
RECENT = 64  # the newest steps' snapshots kept (immutable): going back to one needs no measurement again
BUDGET = 16 * 2**20  # bytes of keyframes at most: a big lesson thins sooner (but keeps at least FEW)
FEW = 32  # regular keyframes a big lesson keeps at least, over its budget
ADAPT = 0.25  # an adaptive timeline's keyframe may cost at most this share of the steps it covers ...
REPLAY = 0.02  # ... and its stride grows for that only while a stride of steps replays in less than this (s)
FORCED = 1024  # forced keyframes at most: past that the oldest part of the run is forgotten (its start moves on)

@dataclass(frozen=True)
class Keyframe:
    """The session's state after step `step` (and any pokes and knobs at it), and what the steps after it use."""

    step: int
    blob: bytes  # (lesson, motion), pickled and compressed (zlib, its fastest level)
    refs: tuple  # the objects the blob names by number (shared, or pooled arrays)
    rng: tuple  # the random stream's state, its 624 words as bytes: the previous keyframe's very object when equal
    strategy: str
    settings: Any  # the base settings (before the schedule) of the steps after this one
    scenario: Any
    pokes: int
    snapshot: Any  # the Snapshot shown at this step; None for a regular keyframe (replayed from the one before)
    forced: bool = False


class Timeline:
    """Keyframes of one session's run, oldest first, and its newest steps' snapshots; see the module's text."""

    def __init__(self, capacity: int = CAPACITY, recent: int = RECENT, budget: int = BUDGET, adaptive: bool = False):
        """`adaptive` (the sessions' own): the stride starts wider where a keyframe costs more than ADAPT of the
        steps between two (a quick lesson whose state takes long to pickle), as long as that many steps replay in
        under REPLAY seconds; a stride doubles only, so every keyframe kept stays on it or is thinned as usual."""
        if capacity < 4:
            raise ValueError("a timeline needs room for at least 4 keyframes")
        self.capacity, self.recent_size, self.budget, self.adaptive = capacity, recent, budget, adaptive
        self._last = 0.0  # when the previous step's keeping ended (time.perf_counter): a step's time is since then
        self._bytes = 0  # the keyframes' bytes (nbytes())
        self._rng = None  # the newest keyframe's random state
        self._stale_from = 0  # no regular keyframe off the stride before this place
        self.stride = 1
        self.keyframes: list[Keyframe] = []
        self._steps: list[int] = []  # keyframe steps, for bisect
        self.recent: dict[int, Any] = {}  # step -> Snapshot, newest last
        self.newest = 0  # the newest step of the run
        self._pool: dict = {}
        self.replayed = 0  # steps replayed by the last restore (for tests and the benchmark)
        self.pending = None  # (strategy, settings) selected at the newest step when the session left it
        self.drops = 0  # how many times a future was dropped (the app cuts its charts when this changes)
        self.moved = False  # the state changed between two steps (the velocity zeroed by a new update rule)

    # ---- keeping ------------------------------------------------------------------------------------------
    def capture(self, session, strategy: str, settings, forced: bool) -> Keyframe:
        """The session's state now as the keyframe at its step (replacing one there); `strategy` and `settings`:
        what the steps after it use."""
        first = not self.keyframes
        forced = forced or first
        blob, refs = dump((session.lesson, session.motion), self._pool, first,
                          shared_ids(session.lesson, session.scenario, session.lesson.objective.stop, forced))
        version, words, gauss = session.rng.getstate()
        rng = (version, array("I", words).tobytes(), gauss)  # 2.5 KB; the circuits' strategies but random draw none
        if rng == self._rng:
            rng = self._rng
        self._rng = rng
        k = session.step_count
        kf = Keyframe(k, zlib.compress(blob, 1), refs, rng, strategy, settings, session.scenario,
                      session.pokes, session.current if forced else None, forced)
        self._bytes += _size(kf)
        if self._steps and self._steps[-1] == k:
            self._bytes -= _size(self.keyframes[-1])
            self.keyframes[-1] = kf if not self.keyframes[-1].forced or forced else replace(kf, forced=True)
        else:
            self.keyframes.append(kf)
            self._steps.append(k)
        self.newest = max(self.newest, k)
        self._thin()
        return kf

    def start(self, session, strategy: str, settings) -> None:
        """A new run at `session`'s state now (step 0, or wherever a new session starts)."""
        self.keyframes, self._steps, self.stride, self._pool, self.pending, self._bytes = [], [], 1, {}, None, 0
        self._rng, self._stale_from = None, 0
        self.recent.clear()
        self.newest = session.step_count
        self.capture(session, strategy, settings, forced=True)
        self.remember(session.current)
        self._last = time.perf_counter()

    def controls(self) -> tuple[str, Any]:
        """The strategy and base settings the steps after the newest keyframe use."""
        kf = self.keyframes[-1]
        return kf.strategy, kf.settings

    def before_step(self, session, strategy: str, settings) -> None:
        """Called before each step: drops the future when the session went back; a forced keyframe when the step
        runs with other controls than the step before."""
        if session.step_count < self.newest:
            self.drop_after(session.step_count)
        kf = self.keyframes[-1]
        if self.moved or kf.strategy != strategy or not (kf.settings is settings or kf.settings == settings):
            self.moved = False
            self.capture(session, strategy, settings, forced=True)

    def after_step(self, session, strategy: str, settings) -> None:
        """Called after each step: the snapshot into the recent ones, a keyframe every `stride` steps."""
        k = session.step_count
        self.newest = k
        self.remember(session.current)
        now = time.perf_counter()
        step_time, self._last = now - self._last, now  # the step, and whatever the caller did between two
        if k % self.stride == 0:
            self.capture(session, strategy, settings, forced=False)
            self._last = time.perf_counter()
            cost = self._last - now
            if self.adaptive and cost > ADAPT * step_time * self.stride and 2 * self.stride * step_time < REPLAY:
                self.stride *= 2

    def changed(self, session, strategy: str, settings) -> None:
        """A poke or a live knob changed the state at the session's step: the future goes, a forced keyframe."""
        if session.step_count < self.newest:
            self.drop_after(session.step_count)
        self.capture(session, strategy, settings, forced=True)
        self.remember(session.current)

    def remember(self, snap) -> None:
        recent = self.recent
        recent.pop(snap.step, None)  # a poke's snapshot takes the place of the step's
        recent[snap.step] = snap
        if len(recent) > self.recent_size:
            del recent[next(iter(recent))]

    def drop_after(self, step: int) -> None:
        """Forget every step after `step` (training goes on from there: the old future is dropped)."""
        i = bisect.bisect_right(self._steps, step)
        del self.keyframes[i:], self._steps[i:]
        self._bytes, self._stale_from = self.nbytes(), 0
        self.drops += 1
        self.pending = None
        for k in [k for k in self.recent if k > step]:
            del self.recent[k]
        self.newest = step

    def _thin(self) -> None:
        """Too many regular keyframes, or too many bytes (a big lesson; but never fewer than FEW regular ones): the
        oldest regular keyframe off the stride goes, one for each new one, so once full the count (and the memory)
        stays put; when none is left off the stride, the stride doubles. Every gap stays within the stride."""
        if len(self.keyframes) <= self.capacity and self._bytes <= self.budget:
            return  # the common case, checked without a count
        forced = [i for i, kf in enumerate(self.keyframes) if kf.forced]
        if len(forced) > FORCED:  # a run poked or retuned more than FORCED times: its oldest part goes
            self.forget_before(forced[len(forced) - FORCED])
        regular = len(self.keyframes) - sum(kf.forced for kf in self.keyframes)
        while regular > self.capacity or (self._bytes > self.budget and regular > FEW):
            i = self._stale()
            if i is None:
                self.stride *= 2
                self._stale_from = 0
                continue
            self._bytes -= _size(self.keyframes[i])
            del self.keyframes[i], self._steps[i]
            regular -= 1

    def forget_before(self, i: int) -> None:
        """Forget the keyframes before place `i` (a forced one): the run's oldest kept step is its step now."""
        del self.keyframes[:i], self._steps[:i]
        self._bytes, self._stale_from = self.nbytes(), 0
        for k in [k for k in self.recent if k < self._steps[0]]:
            del self.recent[k]

    @property
    def first(self) -> int:
        """The run's oldest step still kept (0 unless more than FORCED pokes and knobs pushed the start on)."""
        return self._steps[0]

    def _stale(self) -> int | None:
        """The place of the oldest regular keyframe whose step is off the stride (None: none is)."""
        kfs, stride = self.keyframes, self.stride
        for i in range(self._stale_from, len(kfs)):
            if not kfs[i].forced and kfs[i].step % stride:
                self._stale_from = i
                return i
        self._stale_from = len(kfs)
        return None

    # ---- going back ---------------------------------------------------------------------------------------
    def locate(self, step: int) -> tuple[Keyframe, Any]:
        """Where going to `step` starts: (the keyframe to restore, step's snapshot when kept, else None). A regular
        keyframe holds no snapshot nor the last pull's record (a classifier's may be big): at its very step, the
        keyframe before it is restored and replayed from, at most `stride` steps."""
        if not self._steps[0] <= step <= self.newest:
            raise ValueError(f"step {step:,} is not in this run (steps {self._steps[0]:,} to {self.newest:,})")
        i = bisect.bisect_right(self._steps, step) - 1
        kf = self.keyframes[i]
        if kf.forced and kf.step == step:
            return kf, kf.snapshot
        if kf.step == step:
            kf = self.keyframes[i - 1]  # step 0's keyframe is forced: there is always one before a regular one
        return kf, self.recent.get(step)

    @staticmethod
    def restore(kf: Keyframe) -> tuple:
        """A fresh (lesson, rng, motion) as they were at `kf` (the keyframe itself stays untouched)."""
        lesson, motion = load(zlib.decompress(kf.blob), kf.refs)
        version, words, gauss = kf.rng
        rng = random.Random()
        rng.setstate((version, tuple(array("I", words)), gauss))
        return lesson, rng, motion

    def __len__(self) -> int:
        return len(self.keyframes)

    def nbytes(self) -> int:
        """The keyframes' bytes (the shared objects and the pool not counted; a random state shared counted each
        time)."""
        return sum(_size(kf) for kf in self.keyframes)


class NoTimeline:
    """What a session keeps without rewind (headless runs): nothing but the newest step; goto refuses."""

    stride, replayed, pending, drops, moved, newest, first = 1, 0, None, 0, False, 0, 0

    def start(self, session, strategy: str, settings) -> None:
        self.newest = session.step_count

    def before_step(self, session, strategy: str, settings) -> None:
        pass

    def after_step(self, session, strategy: str, settings) -> None:
        self.newest = session.step_count

    def changed(self, session, strategy: str, settings) -> None:
        pass

    def locate(self, step: int):
        raise ValueError("this session keeps no history: rewind is for sessions made with rewind=True (the app's)")

    def __len__(self) -> int:
        return 0


def _size(kf: Keyframe) -> int:
    return len(kf.blob) + len(kf.rng[1])
