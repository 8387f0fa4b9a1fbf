"""The Textual app: a picker of scenarios and a playground per scenario, driven from the keyboard."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from textual.app import App
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from .engine import Scenario, ScenarioError, load_scenario
from .keys import APP, bindings
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .screens.playground import PlaygroundScreen
from .terminal_link import LinkDriver, LinkMeter


class HnnApp(App):
    """hnn-tui: watch the guide's circuits and classifiers learn."""

    CSS_PATH = "hnn.tcss"
    TITLE = "hnn-tui"
    ENABLE_COMMAND_PALETTE = False  # every action has a key; the footer's room goes to those
    BINDINGS = bindings(APP, priority=True)

    def __init__(self, scenario: str | None = None, folder: str | None = None, seed: int | None = None,
                 data: str | None = None):
        self.link = LinkMeter()  # how far behind the terminal is: a slow link gets fewer frames (terminal_link.py)
        super().__init__()
        self.start_ref, self.folder, self.seed = scenario, folder, seed
        self.data = data  # --data FILE.csv: the start scenario's points (a classifier's)

    @property
    def served(self) -> bool:
        """Served to a web browser by `hnn-tui serve` (which sets HNN_TUI_SERVED=1 for every session): the files
        this app could read or write are on the server, not the browser user's, so it touches none."""
        return os.environ.get("HNN_TUI_SERVED") == "1"

    def get_driver_class(self) -> type[Driver]:
        """Textual's own driver, but on Linux the one that asks the terminal whether it has caught up."""
        default = super().get_driver_class()
        return LinkDriver if default is LinuxDriver else default

    def on_mount(self) -> None:
        if self.start_ref:  # straight to the lesson: no picker painted first (over a slow link every frame counts)
            try:
                self.open_scenario(load_scenario(self.start_ref, self.seed, self.data))
                return
            except ScenarioError as e:  # the picker comes up, with the reason in a notification
                self.notify(str(e), title="cannot open", severity="error", timeout=10)
        self.push_screen(PickerScreen(self.folder, self.seed))

    def back_to_picker(self) -> None:
        """From a lesson: the picker below it, or a new one if the lesson was opened from the command line."""
        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if isinstance(below, PickerScreen):
            self.pop_screen()
        else:
            self.switch_screen(PickerScreen(self.folder, self.seed))

    def open_scenario(self, scenario: Scenario) -> None:
        """Open a playground on a loaded (so validated) scenario."""
        self.push_screen(PlaygroundScreen(scenario))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run_app(scenario: str | None, folder: str | None, seed: int | None, data: str | None = None) -> int:
    """Open the app (on `scenario` if given); returns the exit status: 0 after a quit, non-zero after a crash.

    Textual prints an unhandled exception's traceback once the terminal is restored, and sets the app's
    return_code to 1 (App._handle_exception); a quit goes through App.exit(), which sets it to 0.
    """
    if folder and not Path(folder).is_dir():
        print(f"hnn-tui: --scenarios {folder}: not a folder", file=sys.stderr)
        return 2
    app = HnnApp(scenario, folder, seed, data)
    app.run()
    return 0 if app.return_code is None else app.return_code
