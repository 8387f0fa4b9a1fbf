"""Bad input on the command line: exit 2, exactly one line on stderr naming the file, the key and what was
expected, nothing on stdout, no traceback. Every bad file of cases.FILES and every refusal of cases.BAD."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cases import BAD, BAD_IDS, FILE_IDS, FILES, circuit_text
from helpers import ROOT, assert_one_line, cli, process, write


def broken_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text('title = "t"\nkind = "circuit"\n[circuit]\nexpression = "x * y"\ninputs = { x = 1.0 }\n')
    return str(p)


BAD_INPUT = [
    ("unknown scenario", lambda tmp: ["run", "no_such_lesson"], "no_such_lesson"),
    ("broken scenario file", lambda tmp: ["run", broken_file(tmp)], "circuit.inputs"),
    ("scenario folder", lambda tmp: ["run", str(tmp)], "folder"),
    ("bad expression", lambda tmp: ["grad", "__import__('os')", "--at", "x=1"], "__import__"),
    ("unknown name in --at", lambda tmp: ["grad", "x * y", "--at", "x=1,y=2,w=3"], "no input called w"),
    ("missing name in --at", lambda tmp: ["grad", "x * y", "--at", "x=1"], "no value given for y"),
    ("malformed --at", lambda tmp: ["grad", "x * y", "--at", "x:1,y=2"], "--at"),
    ("non-number in --at", lambda tmp: ["grad", "x * y", "--at", "x=one,y=2"], "--at"),
    ("nan in --at", lambda tmp: ["grad", "x * y", "--at", "x=nan,y=2"], "--at"),
    ("non-finite point", lambda tmp: ["grad", "log(x) * 1", "--at", "x=0"], "finite"),
    ("h = 0", lambda tmp: ["grad", "x * y", "--at", "x=1,y=2", "--h", "0"], "--h"),
    ("negative steps", lambda tmp: ["run", "neuron", "--steps", "-1"], "--steps"),
    ("bogus strategy", lambda tmp: ["run", "neuron", "--strategy", "bogus"], "bogus"),
    ("unknown option", lambda tmp: ["run", "neuron", "--stepz", "3"], "--stepz"),
    ("run without a scenario", lambda tmp: ["run"], "scenario"),
    ("unknown option to the app", lambda tmp: ["--bogus"], "--bogus"),
    ("negative seed for the app", lambda tmp: ["neuron", "--seed", "-3"], "--seed"),
    # A literal too large for a float must be refused like 1e999 is (any wording).
    ("huge integer literal", lambda tmp: ["grad", "x * " + "9" * 400, "--at", "x=1"], "hnn-tui: "),
]


@pytest.mark.parametrize("why,argv,mention", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_exits_2_with_one_line(why, argv, mention, tmp_path, capsys):
    code, out = cli(*argv(tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.endswith("\n")
    assert err.startswith("hnn-tui: ")
    assert mention in err
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["run", "no_such_lesson"],
    ["grad", "x.y * 2", "--at", "x=1"],
    ["run", "neuron", "--steps", "-1"],
    ["grad", "x * " + "9" * 400, "--at", "x=1"],  # see the in-process test above
], ids=["unknown scenario", "bad expression", "negative steps", "huge integer literal"])
def test_bad_input_in_a_real_process(argv):
    p = process(*argv)
    assert p.returncode == 2
    assert p.stdout == ""
    assert "Traceback" not in p.stderr
    assert len(p.stderr.splitlines()) == 1


# --- the CLI, in-process: one case per row --------------------------------------------------------

@pytest.mark.parametrize("category,case,content,key,words", FILES, ids=FILE_IDS)
def test_bad_file_on_the_cli(category, case, content, key, words, tmp_path, capsys):
    path = write(tmp_path, "bad.toml", content)
    code, out = cli("run", str(path))
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, words)


@pytest.mark.parametrize("why,text,key", BAD, ids=BAD_IDS)
def test_every_parse_error_is_one_line_and_exit_2_on_the_cli(why, text, key, tmp_path, capsys):
    path = write(tmp_path, "bad.toml", text)
    code, out = cli("run", str(path), "--json")
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, "")


def test_a_folder_a_missing_file_and_a_device(tmp_path, capsys):
    for target, words in [(str(tmp_path), "is a folder; expected a scenario .toml file"),
                          (str(tmp_path / "gone.toml"), "no such scenario or file"),
                          ("/dev/zero", "not a regular file")]:
        code, out = cli("run", target)
        assert (code, out) == (2, "")
        assert_one_line(capsys.readouterr().err, target, "", words)


def test_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # reading it would block forever: nothing writes to it
    code, _ = cli("run", str(fifo))
    assert code == 2 and "not a regular file" in capsys.readouterr().err


def test_an_unreadable_file(tmp_path, capsys, monkeypatch):
    # Simulated (root reads files whatever their mode): opening the file fails with EACCES.
    p = write(tmp_path, "locked.toml", circuit_text())
    real_open = Path.open

    def locked(self, *args, **kwargs):
        if self == p:
            raise PermissionError(13, "Permission denied", str(p))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    code, _ = cli("run", str(p))
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(p), "", "cannot read it: Permission denied")


# --- real processes: one per category --------------------------------------------------------------

def first_of_each_category():
    seen = {}
    for row in FILES:
        seen.setdefault(row[0], row)
    return list(seen.values())


@pytest.mark.slow
@pytest.mark.parametrize("category,case,content,key,words", first_of_each_category(),
                         ids=[r[0] for r in first_of_each_category()])
def test_bad_file_in_a_real_process(category, case, content, key, words, tmp_path):
    path = write(tmp_path, "bad.toml", content)
    p = subprocess.run([sys.executable, "-m", "hnn_tui", "run", str(path), "--json"], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert (p.returncode, p.stdout) == (2, "")
    assert_one_line(p.stderr, str(path), key, words)


@pytest.mark.slow
def test_a_folder_in_a_real_process(tmp_path):
    p = subprocess.run([sys.executable, "-m", "hnn_tui", "run", str(tmp_path)], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert (p.returncode, p.stdout) == (2, "")
    assert_one_line(p.stderr, str(tmp_path), "", "is a folder")

