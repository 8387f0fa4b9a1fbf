"""Bad scenario files in the app: the picker marks each with ⚠ and its error, opening it says why and leaves
the picker up, and every other scenario keeps working. Files that change while open are at the bottom.

Files that change while open (decided here): the playground runs on the scenario as it was loaded, so
deleting or editing the file does not disturb a run, and `r` restores the start as loaded. Going back to
the picker and opening the entry again re-reads the file: an edit is picked up, a deleted or broken file
is refused with its error and gets its ⚠.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from cases import FILE_IDS, FILES, circuit_text
from helpers import SIZE, write
from textual.widgets import OptionList, Static

from hnn_tui.app import HnnApp
from hnn_tui.engine import bundled_names
from hnn_tui.screens.picker import PickerScreen
from hnn_tui.screens.playground import PlaygroundScreen


def bad_folder(tmp_path: Path) -> tuple[Path, list[tuple[str, str]]]:
    """Every FILES case as its own file in one folder (names sort in FILES order), plus one good file."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    expected = []
    for i, (_category, _case, content, key, words) in enumerate(FILES):
        p = write(folder, f"{i:02d}.toml", content)
        expected.append((str(p), f"{key}: " if key else words))
    (folder / "a_folder.toml").mkdir()  # a folder named like a scenario: listed, and refused
    expected.append((str(folder / "a_folder.toml"), "is a folder"))
    write(folder, "zz_good.toml", circuit_text(top="order = 2000"))
    return folder, expected


@pytest.mark.slow
async def test_the_picker_lists_each_bad_file_refuses_it_and_keeps_working(tmp_path, notices):
    folder, expected = bad_folder(tmp_path)
    app = HnnApp(folder=str(folder))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        listing = picker.query_one(OptionList)
        first = len(bundled_names())
        assert str(listing.get_option_at_index(first + len(FILES)).prompt) == "⚠ a_folder.toml"
        for _ in range(first):
            await pilot.press("down")
        for i, (source, words) in enumerate(expected):
            assert listing.highlighted == first + i
            assert str(listing.get_option_at_index(first + i).prompt).startswith("⚠ ")
            await pilot.press("enter")
            await pilot.pause()
            case = FILES[i][1] if i < len(FILES) else source
            assert app.screen is picker, f"{case} opened"
            text = str(picker.query_one("#description", Static).render())
            assert "This file cannot be used" in text and source in text and words in text, case
            assert any(source in n and words in n for n in notices), case
            notices.clear()
            await pilot.press("down")
        # the good file after them, and every bundled scenario, still open and step
        assert str(listing.get_option_at_index(listing.highlighted).prompt) == "zz_good"
        await pilot.press("enter")
        assert isinstance(app.screen, PlaygroundScreen)
        await pilot.press("s")
        assert app.screen.snapshot.step == 1
        await pilot.press("b", "home")
        for name in bundled_names():
            await pilot.press("enter")
            assert isinstance(app.screen, PlaygroundScreen) and app.screen.session.scenario.name == name
            await pilot.press("s")
            assert app.screen.snapshot.step == 1
            await pilot.press("b", "down")
        assert app.return_code is None  # still running


@pytest.mark.parametrize("index", [0, 7, 33, 43], ids=[FILE_IDS[i] for i in (0, 7, 33, 43)])
async def test_a_bad_file_given_on_the_command_line_leaves_the_picker_up(index, tmp_path, notices):
    category, case, content, key, words = FILES[index]
    path = write(tmp_path, "bad.toml", content)
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert [n for n in notices if str(path) in n and words in n]
        await pilot.press("enter")  # the first bundled scenario opens as usual
        assert isinstance(app.screen, PlaygroundScreen)


# --- a file that changes or vanishes while it is open ----------------------------------------------

async def test_a_file_deleted_while_open_keeps_running_and_is_refused_on_reopen(tmp_path, notices):
    path = write(tmp_path, "mine.toml", circuit_text(inputs="x = -2.0, y = 3.0"))
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        index = len(bundled_names())
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, PlaygroundScreen)
        await pilot.press("s", "s")
        path.unlink()
        await pilot.press("s")  # the run goes on with what was loaded
        assert screen.snapshot.step == 3
        await pilot.press("r")
        assert screen.snapshot.step == 0 and dict(screen.snapshot.values) == {"x": -2.0, "y": 3.0}
        await pilot.press("b", "enter")  # reopen: the file is read again, and it is gone
        await pilot.pause()
        assert app.screen is picker
        listing = picker.query_one(OptionList)
        assert str(listing.get_option_at_index(index).prompt) == "⚠ mine.toml"
        assert any("no such scenario or file" in n for n in notices)
        path.write_text(circuit_text(inputs="x = 5.0, y = 1.0"))  # back again, edited
        await pilot.press("enter")
        assert isinstance(app.screen, PlaygroundScreen)
        assert dict(app.screen.snapshot.values) == {"x": 5.0, "y": 1.0}
        assert str(listing.get_option_at_index(index).prompt) == "mine"


async def test_a_file_edited_while_open_is_picked_up_on_reopen_not_on_reset(tmp_path, notices):
    path = write(tmp_path, "mine.toml", circuit_text(inputs="x = -2.0, y = 3.0"))
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(len(bundled_names())):
            await pilot.press("down")
        await pilot.press("enter", "s")
        path.write_text(circuit_text(inputs="x = 1.0, y = 1.0"))
        await pilot.press("r")  # reset: the start as loaded
        assert dict(app.screen.snapshot.values) == {"x": -2.0, "y": 3.0}
        await pilot.press("b")
        path.write_text(circuit_text(settings="h = 0"))  # now broken
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert any("settings.h" in n for n in notices)
        assert "settings.h" in str(app.screen.query_one("#description", Static).render())
        path.write_text(circuit_text(inputs="x = 1.0, y = 1.0"))
        await pilot.press("enter")
        assert isinstance(app.screen, PlaygroundScreen)
        assert dict(app.screen.snapshot.values) == {"x": 1.0, "y": 1.0}
