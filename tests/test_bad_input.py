"""Bad scenario files, every one we could think of, through the CLI and the app.

The contract (README, "When input is bad"):
- CLI: exit 2 and exactly one stderr line, `hnn-tui: FILE: KEY: what was expected`, nothing on stdout,
  no traceback.
- App: the picker marks the file with ⚠ and shows the error beside the list; opening it raises a
  notification and leaves the picker up; every other scenario keeps working.

Files that change while open (decided here, tested at the bottom): the playground runs on the scenario
as it was loaded, so deleting or editing the file does not disturb a run, and `r` restores the start
as loaded. Going back to the picker and opening the entry again re-reads the file: an edit is picked
up, a deleted or broken file is refused with its error and gets its ⚠.

Field-by-field parse errors (every key, parse_scenario level) are in test_scenarios.BAD; they are run
through the CLI here too, so this file lists all that was tried.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_scenarios import BAD, circuit_text, classifier_text
from textual.widgets import OptionList, Static

from hnn_tui.app import HnnApp
from hnn_tui.cli import main
from hnn_tui.engine import ScenarioError, bundled_names, load_scenario
from hnn_tui.engine.scenario import MAX_FILE_BYTES
from hnn_tui.screens.picker import PickerScreen
from hnn_tui.screens.playground import PlaygroundScreen

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)

# (category, case, file content (str or bytes), the key the message must name ("" = the whole file),
#  words the message must hold)
FILES = [
    ("not TOML", "half a key", "title = ", "", "not valid TOML"),
    ("not TOML", "a Python file", "import os\nos.system('true')\n", "", "not valid TOML"),
    ("not TOML", "JSON", '{"title": "t", "kind": "circuit"}', "", "not valid TOML"),
    ("not TOML", "nested 100k deep", "a = " + "[" * 100_000 + "]" * 100_000, "", "nested too deeply"),
    ("empty", "zero bytes", "", "", "empty"),
    ("empty", "only blank lines", "\n \n\t\n", "", "empty"),
    ("empty", "only a comment", "# nothing here\n", "kind", "missing"),
    ("binary", "every byte value", bytes(range(256)) * 4, "", "not a text file"),
    ("binary", "latin-1 text", "title = \"caf\xe9\"\n".encode("latin-1"), "", "not a text file"),
    ("binary", "NUL in TOML", "title = \"t\"\x00\n", "", "not valid TOML"),
    ("missing key", "kind", 'title = "t"\n', "kind", "missing; expected one of circuit, classifier"),
    ("missing key", "circuit.expression", 'title = "t"\nkind = "circuit"\n[circuit]\ninputs = { x = 1.0 }\n',
     "circuit.expression", "missing; expected an expression"),
    ("missing key", "circuit table", 'title = "t"\nkind = "circuit"\n', "circuit", "missing; expected a table"),
    ("missing key", "model.type", 'title = "t"\nkind = "classifier"\n[model]\n[data]\ndataset = "xor"\n',
     "model.type", "missing"),
    ("missing key", "data table", 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n', "data", "missing"),
    ("wrong type", "title is a list", 'title = ["t"]\nkind = "circuit"\n', "title", "expected a short title, got list"),
    ("wrong type", "kind is a number", 'title = "t"\nkind = 3\n', "kind", "got int 3"),
    ("wrong type", "title is a date", 'title = 1979-05-27\nkind = "circuit"\n', "title", "got date"),
    ("wrong type", "settings is a number", 'title = "t"\nkind = "circuit"\nsettings = 3\n',
     "settings", "expected a table"),
    ("wrong type", "inputs is a string", circuit_text(inputs="").replace("inputs = {  }", 'inputs = "x"'),
     "circuit.inputs", "expected a table"),
    ("wrong type", "steps is a float", circuit_text(top="steps = 2.5"), "steps", "expected a whole number"),
    ("wrong type", "points are not pairs", classifier_text(data="points = [1, 2]\nlabels = [1, -1]"),
     "data.points[0]", "expected a pair"),
    ("unknown name", "kind", 'title = "t"\nkind = "rnn"\n', "kind", "expected one of circuit, classifier"),
    ("unknown name", "gate in the expression", circuit_text(expression="softmax(x) * y"), "circuit.expression",
     "unknown function 'softmax'"),
    ("unknown name", "strategy", circuit_text(top='strategy = "adam"'), "strategy", "expected one of"),
    ("unknown name", "dataset", classifier_text(data='dataset = "mnist"'), "data.dataset", "expected one of"),
    ("unknown name", "loss", classifier_text(model='loss = "softmax"'), "model.loss", "expected one of"),
    ("non-finite number", "nan step size", circuit_text(settings="step_size = nan"), "settings.step_size",
     "expected a finite number"),
    ("non-finite number", "-inf input", circuit_text(inputs="x = -inf, y = 3.0"), "circuit.inputs.x", "finite"),
    ("non-finite number", "inf h", circuit_text(settings="h = inf"), "settings.h", "finite"),
    ("non-finite number", "nan in a point", classifier_text(data="points = [[1, nan], [3, 4]]\nlabels = [1, -1]"),
     "data.points[0]", "finite"),
    ("non-finite number", "inf in init", classifier_text(model="init = { a = inf }"), "model.init.a", "finite"),
    ("non-finite number", "a noise that overflows the points", classifier_text(data='dataset = "moons"\nnoise = 1e308'),
     "data.noise", "finite"),
    ("non-finite number", "a start that overflows: exp(1000)", circuit_text(expression="exp(x) * y"
                                                                           , inputs="x = 1000.0, y = 1.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "a start that divides by zero", circuit_text(expression="x / y", inputs="x = 1.0, y = 0.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "log of a negative start", circuit_text(expression="log(x) * y", inputs="x = -1.0, y = 1.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "weights so large the cost overflows", classifier_text(model="init = { a = 1e200 }"),
     "model.init", "the start is not finite"),
    ("label", "0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 0]"), "data.labels[1]",
     "expected +1 or -1"),
    ("label", "2", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [2, -1]"), "data.labels[0]",
     "expected +1 or -1"),
    ("label", "a string", classifier_text(data='points = [[1, 2], [3, 4]]\nlabels = ["+1", -1]'), "data.labels[0]",
     "expected +1 or -1"),
    ("label", "true", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [true, -1]"), "data.labels[0]",
     "expected +1 or -1"),
    ("dataset", "empty", classifier_text(data="points = []\nlabels = []"), "data.points", "at least one point"),
    ("dataset", "one class", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [-1, -1]"), "data.labels",
     "both classes"),
    ("dataset", "one point", classifier_text(data="points = [[1, 2]]\nlabels = [1]"), "data.labels", "both classes"),
    ("dataset", "n = 1", classifier_text(data='dataset = "moons"\nn = 1'), "data.n", "expected a whole number"),
    ("dataset", "too many points", classifier_text(data='dataset = "moons"\nn = 1000000'), "data.n", "10000"),
    ("huge file", "over the size limit", 'title = "t"\n' + "#" * (MAX_FILE_BYTES + 10) + "\n", "", "expected a scenario of at most"),
]
IDS = [f"{c[0]}: {c[1]}" for c in FILES]


def write(folder: Path, name: str, content) -> Path:
    p = folder / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def cli(argv):
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def assert_one_line(err: str, source: str, key: str, words: str):
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    head = f"hnn-tui: {source}: {key}: " if key else f"hnn-tui: {source}: "
    assert err.startswith(head), err
    assert words in err, err


# --- the CLI, in-process: one case per row --------------------------------------------------------

@pytest.mark.parametrize("category,case,content,key,words", FILES, ids=IDS)
def test_bad_file_on_the_cli(category, case, content, key, words, tmp_path, capsys):
    path = write(tmp_path, "bad.toml", content)
    code, out = cli(["run", str(path)])
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, words)


@pytest.mark.parametrize("why,text,key", BAD, ids=[b[0] for b in BAD])
def test_every_parse_error_is_one_line_and_exit_2_on_the_cli(why, text, key, tmp_path, capsys):
    path = write(tmp_path, "bad.toml", text)
    code, out = cli(["run", str(path), "--json"])
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, "")


def test_a_folder_a_missing_file_and_a_device(tmp_path, capsys):
    for target, words in [(str(tmp_path), "is a folder; expected a scenario .toml file"),
                          (str(tmp_path / "gone.toml"), "no such scenario or file"),
                          ("/dev/zero", "not a regular file")]:
        code, out = cli(["run", target])
        assert (code, out) == (2, "")
        assert_one_line(capsys.readouterr().err, target, "", words)


def test_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # reading it would block forever: nothing writes to it
    code, _ = cli(["run", str(fifo)])
    assert code == 2 and "not a regular file" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file(tmp_path, capsys):
    p = write(tmp_path, "locked.toml", circuit_text())
    p.chmod(0)
    code, _ = cli(["run", str(p)])
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(p), "", "cannot read it")


def test_a_file_that_vanishes_between_the_check_and_the_read(tmp_path, monkeypatch):
    p = write(tmp_path, "flaky.toml", circuit_text())
    real_open = Path.open

    def vanish(self, *args, **kwargs):  # exists() and is_file() said yes; then it is gone
        if self == p:
            p.unlink()
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", vanish)
    with pytest.raises(ScenarioError, match="cannot read it") as e:
        load_scenario(p)
    assert e.value.source == str(p)


def test_a_file_growing_while_read_is_cut_at_the_limit(tmp_path, monkeypatch):
    # The size is checked on what was read, not on a stat taken earlier: a file that grows past the limit
    # after a stat is still refused, and never read whole into memory.
    p = write(tmp_path, "growing.toml", circuit_text())
    real_open = Path.open

    def grow(self, *args, **kwargs):
        if self == p:
            with real_open(p, "a") as f:
                f.write("#" * (2 * MAX_FILE_BYTES))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", grow)
    with pytest.raises(ScenarioError, match="expected a scenario of at most"):
        load_scenario(p)


# --- real processes: one per category --------------------------------------------------------------

def first_of_each_category():
    seen = {}
    for row in FILES:
        seen.setdefault(row[0], row)
    return list(seen.values())


@pytest.mark.parametrize("category,case,content,key,words", first_of_each_category(),
                         ids=[r[0] for r in first_of_each_category()])
def test_bad_file_in_a_real_process(category, case, content, key, words, tmp_path):
    path = write(tmp_path, "bad.toml", content)
    p = subprocess.run([sys.executable, "-m", "hnn_tui", "run", str(path), "--json"], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert (p.returncode, p.stdout) == (2, "")
    assert_one_line(p.stderr, str(path), key, words)


def test_a_folder_in_a_real_process(tmp_path):
    p = subprocess.run([sys.executable, "-m", "hnn_tui", "run", str(tmp_path)], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert (p.returncode, p.stdout) == (2, "")
    assert_one_line(p.stderr, str(tmp_path), "", "is a folder")


# --- the app -------------------------------------------------------------------------------------

def bad_folder(tmp_path: Path) -> tuple[Path, list[tuple[str, str]]]:
    """Every FILES case as its own file in one folder (names sort in FILES order), plus one good file."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    expected = []
    for i, (category, case, content, key, words) in enumerate(FILES):
        p = write(folder, f"{i:02d}.toml", content)
        expected.append((str(p), f"{key}: " if key else words))
    (folder / "a_folder.toml").mkdir()  # a folder named like a scenario: listed, and refused
    expected.append((str(folder / "a_folder.toml"), "is a folder"))
    write(folder, "zz_good.toml", circuit_text(top="order = 2000"))
    return folder, expected


async def test_the_picker_lists_each_bad_file_refuses_it_and_keeps_working(tmp_path):
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
            assert any(source in n.message and words in n.message for n in app._notifications), case
            app.clear_notifications()
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


@pytest.mark.parametrize("index", [0, 7, 33, 43], ids=[IDS[i] for i in (0, 7, 33, 43)])
async def test_a_bad_file_given_on_the_command_line_leaves_the_picker_up(index, tmp_path):
    category, case, content, key, words = FILES[index]
    path = write(tmp_path, "bad.toml", content)
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert [n.message for n in app._notifications if str(path) in n.message and words in n.message]
        await pilot.press("enter")  # the first bundled scenario opens as usual
        assert isinstance(app.screen, PlaygroundScreen)


# --- a file that changes or vanishes while it is open ----------------------------------------------

async def test_a_file_deleted_while_open_keeps_running_and_is_refused_on_reopen(tmp_path):
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
        assert any("no such scenario or file" in n.message for n in app._notifications)
        path.write_text(circuit_text(inputs="x = 5.0, y = 1.0"))  # back again, edited
        await pilot.press("enter")
        assert isinstance(app.screen, PlaygroundScreen)
        assert dict(app.screen.snapshot.values) == {"x": 5.0, "y": 1.0}
        assert str(listing.get_option_at_index(index).prompt) == "mine"


async def test_a_file_edited_while_open_is_picked_up_on_reopen_not_on_reset(tmp_path):
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
        assert any("settings.h" in n.message for n in app._notifications)
        assert "settings.h" in str(app.screen.query_one("#description", Static).render())
        path.write_text(circuit_text(inputs="x = 1.0, y = 1.0"))
        await pilot.press("enter")
        assert isinstance(app.screen, PlaygroundScreen)
        assert dict(app.screen.snapshot.values) == {"x": 1.0, "y": 1.0}
