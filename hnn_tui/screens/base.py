"""What every screen shares: a plain message instead of a squashed layout below the minimum size."""
from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 18


class SizedScreen(Screen):
    """Shows #too-small and hides .body while the terminal is under MIN_WIDTH x MIN_HEIGHT."""

    def too_small_message(self) -> Static:
        return Static(f"hnn-tui needs at least {MIN_WIDTH}x{MIN_HEIGHT} characters; "
                      "make the terminal larger (q quits).", id="too-small")

    def _fit(self) -> None:
        w, h = self.app.size
        self.set_class(w < MIN_WIDTH or h < MIN_HEIGHT, "-too-small")

    def on_mount(self) -> None:
        self._fit()

    def on_screen_resume(self) -> None:
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()
