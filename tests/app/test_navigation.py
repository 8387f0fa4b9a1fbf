"""Getting around with the keyboard alone: the picker answers arrows however it was reached."""
from __future__ import annotations

from textual.widgets import OptionList

from hnn_tui.app import HnnApp
from hnn_tui.engine import bundled_names
from hnn_tui.screens.picker import PickerScreen
from hnn_tui.screens.playground import PlaygroundScreen


async def test_back_from_a_scenario_opened_on_the_command_line_then_arrows_choose_another():
    # `hnn-tui two_gates`, then b: the picker was never focused by a user, yet down must move it.
    names = bundled_names()
    app = HnnApp("two_gates")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlaygroundScreen)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.query_one(OptionList).has_focus
        await pilot.press(*["down"] * names.index("svm"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, PlaygroundScreen)
        assert app.screen.session.scenario.name == "svm"
