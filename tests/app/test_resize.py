"""Resizing from 200x60 down to 20x8 and back while a run goes: no exception, and below the minimum size
(60x18) a plain message instead of a squashed layout."""
from __future__ import annotations

import pytest
from helpers import wait_for
from textual.widgets import Static

from hnn_tui.app import HnnApp
from hnn_tui.screens.base import MIN_HEIGHT, MIN_WIDTH
from hnn_tui.screens.picker import PickerScreen

DOWN = [(200, 60), (160, 50), (120, 40), (80, 24), (61, 19), (60, 18), (59, 18), (60, 17), (45, 14), (30, 10),
        (20, 8)]
SIZES = DOWN + DOWN[::-1][1:] + [(20, 60), (200, 8), (120, 40)]  # down, back up, then tall-thin and wide-flat


def too_small(w, h):
    return w < MIN_WIDTH or h < MIN_HEIGHT


@pytest.mark.parametrize("name", ["neuron", "neural_net"])
async def test_resize_during_a_run(name):
    app = HnnApp(name)
    async with app.run_test(size=(200, 60)) as pilot:
        screen = app.screen
        await pilot.press("full_stop", "full_stop", "full_stop", "space")
        assert screen.running
        for w, h in SIZES:
            await pilot.resize_terminal(w, h)
            await pilot.pause(0.05)
            assert app.size == (w, h)
            assert screen.has_class("-too-small") == too_small(w, h), (w, h)
            app.export_screenshot()  # renders every visible widget at this size: must not raise
            message = screen.query_one("#too-small", Static)
            body = screen.query_one(".body")
            if too_small(w, h):
                assert str(message.render()).startswith(f"hnn-tui needs at least {MIN_WIDTH}x{MIN_HEIGHT}")
                assert message.region.area > 0 and body.region.area == 0, (w, h)  # the message, not the layout
            else:
                assert message.region.area == 0 and body.region.area > 0, (w, h)
        assert screen.running and screen.snapshot.step > 0
        before = screen.snapshot.step
        await wait_for(pilot, lambda: screen.snapshot.step > before)  # still running after it all
        await pilot.press("space")
        assert not screen.running


async def test_resize_on_the_picker_and_open_while_too_small():
    app = HnnApp()
    async with app.run_test(size=(20, 8)) as pilot:
        assert isinstance(app.screen, PickerScreen) and app.screen.has_class("-too-small")
        await pilot.press("enter")  # keys still work: the first scenario opens, also too small
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")
        await pilot.press("s")
        assert app.screen.snapshot.step == 1
