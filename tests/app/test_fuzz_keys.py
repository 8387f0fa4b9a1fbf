"""Key mashing: thousands of seeded random keys across the picker, help and every bundled scenario,
including while a run goes at full speed. The app must never raise, never deadlock, leave no worker
thread behind, and still answer a final key.

Keys go in through the driver, as a terminal delivers them, about a thousand a second. Pilot.press is
not used for the mashing itself: after every key it waits for the process to go idle (at most ~1 s),
and a run at full speed keeps a core busy, so it would measure its own timeout, not the app (by hand in
tmux the app answers a key within ~0.3 s while running).

A watchdog (faulthandler) ends the process with every thread's traceback if a deadlock stops the loop.
"""
from __future__ import annotations

import asyncio
import faulthandler
import random
import sys

import pytest
from helpers import SIZE, threads_in_a_run
from textual import events
from textual.widgets import OptionList

from hnn_tui.app import HnnApp
from hnn_tui.engine import bundled_names
from hnn_tui.screens.help import HelpScreen
from hnn_tui.screens.picker import PickerScreen
from hnn_tui.screens.playground import PlaygroundScreen

# Every key the app binds except the quitting ones, and some it does not.
BOUND = ["1", "2", "3", "s", "space", "r", "R", "c", "minus", "plus", "equals_sign", "h", "H", "t", "T", "comma",
         "full_stop", "question_mark", "b", "escape", "enter", "up", "down",
         "M", "j", "J", "S", "left_square_bracket", "right_square_bracket", "left_curly_bracket",
         "right_curly_bracket", "I", "v", "V", "W", "E",  # issue 15: update rule, momentum, schedule, the craft knobs
         "less_than_sign", "greater_than_sign", "pageup", "pagedown", "home", "end"]  # issue 16: rewind
RARE = ["A", "F"]  # a race screen (it builds four sessions), the export prompt (it writes into the test's folder)
UNBOUND = ["tab", "shift+tab", "left", "right", "a", "z", "0", "9",
           "ctrl+c", "ctrl+z", "f1", "delete", "backspace", "x", "ctrl+s", "ctrl+p"]
KEYS = BOUND * 3 + RARE + UNBOUND  # bound keys three times as often
PER_SCENARIO = 60  # 21 scenarios; I, v, V rebuild a panel, A builds four sessions (the suite: < 10 min on 2 cores)
BATCH = 30  # PER_SCENARIO is a whole number of batches
SEED = 20240605


# What a terminal's driver sends for each key: (key name, the character it types or None).
CHARACTERS = {"space": " ", "minus": "-", "plus": "+", "equals_sign": "=", "comma": ",", "full_stop": ".",
              "question_mark": "?", "escape": "\x1b", "enter": "\r", "tab": "\t", "backspace": "\x7f",
              "left_square_bracket": "[", "right_square_bracket": "]", "left_curly_bracket": "{",
              "right_curly_bracket": "}", "less_than_sign": "<", "greater_than_sign": ">"}


def key_event(key: str) -> events.Key:
    """The event a terminal's driver posts for `key` (what Pilot.press builds, without its idle waits)."""
    char = CHARACTERS.get(key, key if len(key) == 1 else None)
    return events.Key(key, char)


async def mash(app, pilot, keys) -> None:
    for key in keys:
        app.post_message(key_event(key))  # as the driver delivers a key: into the app's queue, no waiting
        await asyncio.sleep(0.001)
    await pilot.pause(0.05)  # let the queue drain before looking at the state


@pytest.fixture
def watchdog():
    faulthandler.dump_traceback_later(360, exit=True, file=sys.__stderr__)  # not the captured one: seen
    yield
    faulthandler.cancel_dump_traceback_later()


async def open_scenario(app, pilot, name):
    """From wherever the mashing left us: back to the picker, highlight `name`, open it. Keys mashed before may
    still be in the queue (a panel rebuilt by I, v or V takes a while on a slow machine) and move the highlight
    (home, up, down) or open another scenario (enter) meanwhile: then go back and try again."""
    for _ in range(10):
        while not isinstance(app.screen, PickerScreen):
            await pilot.press("escape")
        await pilot.pause(0.1)
        listing = app.screen.query_one(OptionList)
        listing.highlighted = bundled_names().index(name)
        await pilot.press("enter")
        if isinstance(app.screen, PlaygroundScreen) and app.screen.session.scenario.name == name:
            return
    raise AssertionError(f"could not open {name} from the picker")


@pytest.mark.slow
async def test_random_keys_across_every_screen_while_running(watchdog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # F then enter writes <scenario>_export.py into the folder the app runs in
    rng = random.Random(SEED)
    pressed = 0
    visited = set()
    app = HnnApp()
    async with app.run_test(size=SIZE) as pilot:
        for name in bundled_names():
            await open_scenario(app, pilot, name)
            await pilot.press(*["full_stop"] * 4, "space")  # full speed, running
            # (two_gates at full speed diverges at step 25,264, about a second in: that stops the run too)
            assert app.screen.running or app.screen.session.current.diverged
            pressed += 5
            for _ in range(PER_SCENARIO // BATCH):
                batch = [rng.choice(KEYS) for _ in range(BATCH)]
                await mash(app, pilot, batch)
                pressed += len(batch)
                visited.add(type(app.screen).__name__)
                assert app.return_code is None, "the app stopped"
                if isinstance(app.screen, PlaygroundScreen) and not app.screen.running and rng.random() < 0.5:
                    await pilot.press("space")  # keep a run going a good part of the time
                    pressed += 1
        # It still answers: help opens and closes, a scenario steps.
        while not isinstance(app.screen, (PickerScreen, PlaygroundScreen)):  # help, or a prompt (v, e, w, i)
            await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await open_scenario(app, pilot, "neuron")
        at = app.screen.snapshot.step
        await pilot.press("s")
        assert app.screen.snapshot.step == at + 1 or app.screen.snapshot.diverged
        await pilot.press("space")
        await pilot.pause(0.1)
        await pilot.press("q")
    assert app.return_code == 0  # (an exception in the app would have been raised by run_test)
    assert all(w.is_finished for w in app.workers)
    for _ in range(250):  # a worker cancelled at quit finishes its current step (5 s at most)
        if not threads_in_a_run():
            break
        await asyncio.sleep(0.02)
    assert not threads_in_a_run(), "a run's thread is still stepping"
    assert pressed >= len(bundled_names()) * PER_SCENARIO
    assert {"PickerScreen", "PlaygroundScreen", "HelpScreen"} <= visited
    print(f"\nkeys pressed: {pressed}")
