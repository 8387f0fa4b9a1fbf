"""The picker's --scenarios folder: listed in lesson order (`order`, then name, like the bundled lessons), and
read again each time the picker is shown again, with the highlight kept on the same entry."""
from __future__ import annotations

from cases import circuit_text
from helpers import SIZE, write
from textual.widgets import OptionList, Static

from hnn_tui.app import HnnApp
from hnn_tui.engine import bundled_names
from hnn_tui.screens.playground import PlaygroundScreen


def prompts(picker) -> list[str]:
    """The folder's lines of the picker (after the bundled scenarios)."""
    listing = picker.query_one(OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(len(bundled_names()), listing.option_count)]


def highlighted(picker) -> str:
    listing = picker.query_one(OptionList)
    return str(listing.get_option_at_index(listing.highlighted).prompt)


async def test_a_folder_is_listed_by_order_then_name(tmp_path):
    write(tmp_path, "a_last.toml", circuit_text(top="order = 7"))
    write(tmp_path, "b_first.toml", circuit_text(top="order = 0"))
    write(tmp_path, "c_default.toml", circuit_text())  # no order: 1000
    write(tmp_path, "d_broken.toml", circuit_text(top="order = 3", settings="h = 0"))  # its order is still read
    write(tmp_path, "e_not_toml.toml", "title = ")  # no order to read: 1000, by name
    write(tmp_path, "f_next.toml", circuit_text(top="order = 1000"))
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE):
        assert prompts(app.screen) == ["b_first", "⚠ d_broken.toml", "a_last", "c_default", "⚠ e_not_toml.toml",
                                       "f_next"]


async def test_the_folder_is_read_again_when_the_picker_comes_back(tmp_path):
    write(tmp_path, "a.toml", circuit_text())
    write(tmp_path, "c.toml", circuit_text(inputs="x = 5.0, y = 1.0"))
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        assert prompts(picker) == ["a", "c"]
        await pilot.press(*["down"] * (len(bundled_names()) + 1), "enter")  # open c
        assert isinstance(app.screen, PlaygroundScreen)
        write(tmp_path, "b.toml", circuit_text(top="order = 1000"))  # added while c is open: sorts before it
        (tmp_path / "a.toml").unlink()  # and one removed
        write(tmp_path, "0_first.toml", circuit_text(top="order = 0"))
        await pilot.press("b")
        await pilot.pause()
        assert app.screen is picker
        assert prompts(picker) == ["0_first", "b", "c"]
        assert highlighted(picker) == "c"  # the same entry, at its new place
        description = str(picker.query_one("#description", Static).render())
        assert str(tmp_path / "c.toml") in description
        await pilot.press("enter")  # and enter opens it, not whatever took its old place
        assert dict(app.screen.snapshot.values) == {"x": 5.0, "y": 1.0}
        write(tmp_path, "c.toml", "title = ")  # broken while open
        await pilot.press("b")
        await pilot.pause()
        assert prompts(picker) == ["0_first", "b", "⚠ c.toml"] and highlighted(picker) == "⚠ c.toml"


async def test_the_help_screen_closing_also_reads_the_folder_again(tmp_path):
    write(tmp_path, "a.toml", circuit_text())
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        await pilot.press("?")
        write(tmp_path, "b.toml", circuit_text())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is picker and prompts(picker) == ["a", "b"]
        assert highlighted(picker) == bundled_names()[0]  # the highlight stays where it was


async def test_the_file_under_the_highlight_that_vanished_stays_until_the_highlight_leaves(tmp_path, notices):
    # Deleted while open: back in the picker it is still listed, with why (⚠), so the highlight does not jump
    # to another scenario under the user's enter key; once the highlight moves away, the next showing drops it.
    write(tmp_path, "a.toml", circuit_text())
    path = write(tmp_path, "b.toml", circuit_text())
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        await pilot.press(*["down"] * (len(bundled_names()) + 1), "enter")  # open b
        path.unlink()
        await pilot.press("b")
        await pilot.pause()
        assert prompts(picker) == ["a", "⚠ b.toml"] and highlighted(picker) == "⚠ b.toml"
        assert "no such scenario or file" in str(picker.query_one("#description", Static).render())
        await pilot.press("enter")
        assert app.screen is picker and any("no such scenario or file" in n for n in notices)
        await pilot.press("up", "enter")  # open a, and come back
        assert isinstance(app.screen, PlaygroundScreen)
        await pilot.press("b")
        await pilot.pause()
        assert prompts(picker) == ["a"] and highlighted(picker) == "a"

