"""The pace of a run: steps a session at a set speed and reports batches of snapshots. No UI here.

The app runs `Runner.run` in a worker thread and posts each report to the screen; tests drive it with a fake
clock to check that a set speed is kept.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from .knobs import LADDER
from .session import Session
from .snapshot import Snapshot

SPEEDS = (1, 2, 5, 10, 30, 100, 1000, 0)  # steps per second; 0 = as fast as the engine goes
REPORT_INTERVAL = 0.05  # a run reports at most 20 times a second
UI_SHARE = 0.03  # at full speed the run pauses this long after each report: the GIL goes to the UI thread
CATCH_UP = 0.1  # after a stall, a run at a set speed catches up at most this many seconds' worth of steps
COSTLY_STEP = 100_000  # forward passes x parameters above which a single step is too slow for the UI thread
def ladder(value: float, up: bool) -> float:
    """The next 1-2-5 value above or below `value`."""
    if up:
        return next((v for v in LADDER if v > value * 1.0001), LADDER[-1])
    return next((v for v in reversed(LADDER) if v < value * 0.9999), LADDER[0])


def is_costly(session: Session) -> bool:
    """Would one step keep a thread busy for long? Roughly: forward passes times parameters."""
    return session.forward_passes_per_step() * len(session.current.values) > COSTLY_STEP


Report = Callable[[Snapshot, list], None]  # (newest snapshot, [snapshot.sample() for every step since the last])


class Runner:
    """Steps `session` until `keep_going()` says no or a step diverges, at `speed` steps a second (0 = max)."""

    def __init__(self, session: Session, report: Report, speed: int = 0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.session, self.report = session, report
        self.speed = speed  # may be changed from another thread while running: read once per step
        self.clock, self.sleep = clock, sleep

    def run(self, keep_going: Callable[[], bool]) -> Snapshot | None:
        """Run; returns the last snapshot taken (None if no step was taken)."""
        samples, snap = [], None
        last_report = due = self.clock()  # due: when the next step is due at a set speed
        while keep_going():
            snap = self.session.step()
            samples.append(snap.sample())
            rate = self.speed
            now = self.clock()
            # slow speeds report every step; fast ones at most every REPORT_INTERVAL
            if snap.diverged or now - last_report >= REPORT_INTERVAL or 0 < rate * REPORT_INTERVAL <= 1:
                self.report(snap, samples)
                samples, last_report = [], now
                if not rate:
                    self.sleep(UI_SHARE)
            if snap.diverged:
                break
            if rate:  # keep to the speed on average; after a stall, catch up at most CATCH_UP seconds' worth
                due = max(due + 1.0 / rate, now - CATCH_UP)
                self.sleep(max(0.0, due - self.clock()))
        if samples:
            self.report(snap, samples)
        return snap
