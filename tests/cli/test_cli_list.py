"""`hnn-tui list --scenarios DIR`: the bundled scenarios, then DIR's files in lesson order (`order`, then name);
a broken file is listed with ⚠ and its error, and the listing still exits 0."""
from __future__ import annotations

import os

from cases import circuit_text
from helpers import assert_one_line, cli, write

from hnn_tui.engine import bundled_names


def lesson_folder(tmp_path):
    """Files whose names sort otherwise than their `order` keys, a broken file, a folder and a FIFO."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    write(folder, "a_last.toml", circuit_text(top="order = 7"))
    write(folder, "b_first.toml", circuit_text(top="order = 0"))
    write(folder, "c_default.toml", circuit_text())  # no order: 1000
    write(folder, "d_broken.toml", circuit_text(settings="h = 0", top="order = 3"))  # broken, yet its order is read
    write(folder, "e_not_toml.toml", "title = ")  # unreadable order: 1000, by name
    (folder / "f_folder.toml").mkdir()
    os.mkfifo(folder / "g_pipe.toml")  # listing must not block on it
    return folder


def test_list_with_a_folder_sorts_it_like_the_lessons(tmp_path):
    folder = lesson_folder(tmp_path)
    code, out = cli("list", "--scenarios", folder)
    assert code == 0  # a broken file is shown, not fatal: the others can still be run
    lines = out.splitlines()
    bundled = bundled_names()
    assert [ln.split()[0] for ln in lines[:len(bundled)]] == bundled
    rows = [ln.split(None, 1) for ln in lines[len(bundled):]]
    assert [r[0] for r in rows] == [str(folder / n) for n in ("b_first.toml", "d_broken.toml", "a_last.toml",
                                                              "c_default.toml", "e_not_toml.toml", "f_folder.toml",
                                                              "g_pipe.toml")]
    assert rows[0][1].split(None, 2) == ["circuit", "analytic", "a test circuit"]
    assert rows[1][1] == "⚠ settings.h: expected a number greater than 0, got 0"
    assert rows[4][1].startswith("⚠ not valid TOML")
    assert rows[5][1] == "⚠ is a folder; expected a scenario .toml file"
    assert rows[6][1] == "⚠ is not a regular file; expected a scenario .toml file"
    assert {ln.index(ln.split()[1]) for ln in lines} == {max(len(r[0]) for r in rows) + 1}, "the columns line up"


def test_every_listed_file_runs_by_the_name_it_is_listed_under(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "x.toml", circuit_text())
    code, out = cli("list", "--scenarios", folder)
    ref = out.splitlines()[-1].split()[0]
    assert cli("run", ref, "--steps", "0")[0] == 0


def test_list_without_a_folder_is_unchanged():
    code, out = cli("list")
    assert code == 0
    assert [ln.split()[0] for ln in out.splitlines()] == bundled_names()
    assert out.splitlines()[0].split(None, 3) == ["single_gate", "circuit", "random", "A single gate: x * y"]
    assert out.index("circuit") == 17  # names padded to 16 as before


def test_list_with_a_file_or_a_missing_folder_is_refused(tmp_path, capsys):
    file = write(tmp_path, "one.toml", circuit_text())
    for target in (file, tmp_path / "gone"):
        assert cli("list", "--scenarios", target) == (2, "")
        assert_one_line(capsys.readouterr().err, f"--scenarios {target}", "",
                        "not a folder; expected a folder of scenario .toml files")
