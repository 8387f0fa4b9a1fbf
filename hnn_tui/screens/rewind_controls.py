"""Scrubbing through a run (engine.rewind): `<` `>` a step back / forward, `pageup` `pagedown` ten, `home` `end`
the start / the newest step. The session goes back to that step whole (Session.goto) and every panel draws the
snapshot it hands out, as it draws any other: nothing is rebuilt in the widgets.

While a past step is shown the status line says so in words ("step 40 of 120", "rewound: s / space go on from
here and drop the rest"). The charts and the path map keep the whole run while scrubbing; once training goes on
from the past step (a step, a run, a nudge, a live knob), the session drops the steps after it and so do they.
"""
from __future__ import annotations

from collections.abc import Callable

TEN = 10  # pageup / pagedown


class RewindControls:
    """Mixed into PlaygroundScreen: needs its session, snapshot, panel, running, _run_active, _redraw, _dirty."""

    rewound_at: int | None = None  # the past step shown (and the session's state), or None at the newest
    _drops_seen = 0  # the session timeline's drop count when the past step was chosen
    _scrub_after_run: Callable[[int, int], int] | None = None  # a scrub key pressed during a run: done once stopped

    def action_scrub(self, steps: int) -> None:
        """`steps` steps forward (negative: back) from the step shown, within the run."""
        self._scrub(lambda now, newest: now + steps)

    def action_scrub_to(self, newest: bool) -> None:
        """The run's start (its oldest step kept), or its newest step."""
        self._scrub(lambda now, last: last if newest else 0)  # clamped to the oldest kept by _scrub

    def _scrub(self, target: Callable[[int, int], int]) -> None:
        self.running = False  # a scrub key pauses a run, as `s` does
        if self._run_active():  # its thread stops after the step under way; then its last report; then this
            self._scrub_after_run = target
            return
        session = self.session
        if session.progress() is not None:  # a costly step in its own thread: going back would wait for it
            self.notify("a step is under way: scrub once it is done", severity="warning", timeout=3)
            return
        newest = session.newest
        k = max(session.timeline.first, min(newest, target(session.step_count, newest)))
        if k == session.step_count and (k < newest) == (self.rewound_at is not None):
            return  # there already
        snap = session.goto(k)
        self.rewound_at = k if k < newest else None
        self._drops_seen = session.timeline.drops
        self.snapshot = snap
        self._dirty = True
        self._redraw()

    def scrub_after_run(self) -> None:
        """The run's thread has stopped: a scrub key pressed meanwhile goes now."""
        target, self._scrub_after_run = self._scrub_after_run, None
        if target is not None:
            self._scrub(target)

    def still_rewound(self, panel) -> bool:
        """Before a new snapshot is taken in: if training went on from the past step shown (the session dropped
        what came after it), the charts and the path map drop it too, and the new snapshot is shown (False).
        True while the past step is still what the session holds: a late report (a costly step that ended just
        before the key) adds its samples to the charts but is not shown."""
        if self.rewound_at is None:
            return False
        if self.session.timeline.drops == self._drops_seen:
            return True
        if panel is not None:
            panel.cut(self.rewound_at)
        self.rewound_at = None
        return False

    def forget_rewind(self) -> None:
        """A new session (reset, edit, rebuild): a new timeline, nothing rewound."""
        self.rewound_at = None
        self._scrub_after_run = None

    def newest_if_rewound(self) -> int | None:
        """The run's newest step while a past one is shown (for the status line), else None."""
        return None if self.rewound_at is None else self.session.newest
