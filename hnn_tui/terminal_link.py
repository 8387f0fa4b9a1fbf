"""How far behind the terminal is, so a slow link gets fewer frames, never old ones (mosh's idea, in little).

After a frame the driver asks the terminal where its cursor is (DSR, `ESC [ 6 n`); the terminal answers only once
everything written before the question has reached it. While a question written more than LAG_BUDGET ago is
unanswered, the terminal is behind: the screen holds its next repaint (keys still go out at once), so at most
about one frame waits on the link and the frame rate follows what the link carries. A terminal that never answers
(the first question lost) turns the pacing off, and nothing waits before the first answer: the app then paints
as it always did.
"""
from __future__ import annotations

import os
import sys
import termios
import time
from collections import deque

from textual import events
from textual.drivers.linux_driver import LinuxDriver

PROBE = "\x1b[6n"  # Device Status Report: "report the cursor position"; every VT100-like terminal answers
SYNC_START = "\x1b[?2026h"  # Textual opens a synchronized frame with this: the frame itself follows
LAG_BUDGET = 0.05  # seconds: an unanswered question older than this means the terminal is behind
LOST = 2.0  # seconds: a question unanswered this long is given up (and, if none was ever answered, the pacing)
WINDOW = 2.0  # seconds of history for the frame rate the status line reports
ANSWER_GRACE = 0.1  # seconds, on quitting: time for the last answer to arrive before it is dropped
LOWERED = 10.0  # frames/s: below this (a run paints about 12), a link that holds frames back is worth a word


class LinkMeter:
    """The questions in flight and the frames painted or held; thread-safe enough (one writer per attribute)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.asked_at: float | None = None  # when the unanswered question went out
        self.answers = 0
        self.enabled = True  # off for a terminal that never answers
        self.rtt = 0.0  # the last question's round trip, seconds
        self._painted: deque[float] = deque()
        self._held: deque[float] = deque()

    # ---- the driver's side -------------------------------------------------------------------------
    def should_ask(self) -> bool:
        """After a write: ask now? Only one question at a time (an old one may be given up as lost)."""
        if not self.enabled:
            return False
        now = self.clock()
        if self.asked_at is not None:
            if now - self.asked_at < LOST:
                return False
            if self.answers == 0:  # the terminal does not answer: no pacing
                self.enabled, self.asked_at = False, None
                return False
        self.asked_at = now
        return True

    def answered(self) -> None:
        if self.asked_at is not None:
            self.rtt = self.clock() - self.asked_at
        self.asked_at = None
        self.answers += 1

    # ---- the screen's side -------------------------------------------------------------------------
    def behind(self) -> bool:
        """Is output older than LAG_BUDGET still on its way? Then the next repaint waits. Not before the terminal
        has answered once: one that never does is never waited for."""
        asked = self.asked_at
        return self.enabled and self.answers > 0 and asked is not None and LAG_BUDGET < self.clock() - asked < LOST

    def painted(self) -> None:
        self._note(self._painted)

    def held(self) -> None:
        self._note(self._held)

    def _note(self, times: deque) -> None:
        now = self.clock()
        times.append(now)
        while times and now - times[0] > WINDOW:
            times.popleft()
        for other in (self._painted, self._held):
            while other and now - other[0] > WINDOW:
                other.popleft()

    def slowed_to(self) -> float | None:
        """Frames a second over the last WINDOW if the link has held some back lately and the rate fell below
        LOWERED, else None."""
        now = self.clock()
        if not self._held or now - self._held[-1] > WINDOW:
            return None
        rate = sum(1 for t in self._painted if now - t <= WINDOW) / WINDOW
        return rate if rate < LOWERED else None


class LinkDriver(LinuxDriver):
    """Textual's Linux driver, asking the terminal after each frame whether it has caught up."""

    def __init__(self, app, **kwargs):
        super().__init__(app, **kwargs)
        self.link: LinkMeter = app.link

    _closing = False

    def write(self, data: str) -> None:
        super().write(data)
        if data != SYNC_START and not self._closing and self.link.should_ask():
            super().write(PROBE)

    def stop_application_mode(self) -> None:
        """No more questions; and an answer still on its way when the app has let go of the terminal is dropped,
        so the shell does not print it (^[[1;1R after quitting)."""
        self._closing = True
        super().stop_application_mode()
        try:
            fd = sys.__stdin__.fileno()
            if os.isatty(fd):
                time.sleep(ANSWER_GRACE)
                termios.tcflush(fd, termios.TCIFLUSH)
        except (OSError, ValueError, AttributeError):  # no terminal: nothing was asked
            pass

    def process_message(self, message) -> None:
        if isinstance(message, events.CursorPosition):  # the answer to PROBE: it is not for the app
            self.link.answered()
            return
        super().process_message(message)
