"""The line at the top: the screen's title and what it is about.

Textual's Header sets its title in a task scheduled from its mount; a screen popped a moment after it was pushed
(`enter` then `b` typed in a burst) can run that task after the header's parts are gone, and the app stops with
NoMatches. This line is set when the screen mounts, and has no parts to lose.
"""
from __future__ import annotations

from textual.widgets import Static


class TitleBar(Static):
    def show(self, title: str, subtitle: str) -> None:
        self.update(f"{title} — {subtitle}" if subtitle else title, layout=False)
