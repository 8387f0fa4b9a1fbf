"""Runs that go non-finite, through `hnn-tui run`: exit 1, the step and the wire on stderr, and only finite
numbers on stdout (JSON parsed with NaN and Infinity refused)."""
from __future__ import annotations

import pytest
from cases import TROUBLE, TROUBLE_IDS, circuit_text
from helpers import cli, json_lines


@pytest.mark.parametrize("case,text,step,names", TROUBLE, ids=TROUBLE_IDS)
def test_json_output_holds_only_finite_numbers(case, text, step, names, tmp_path, capsys):
    path = tmp_path / "trouble.toml"
    path.write_text(text)
    code, out = cli("run", path, "--json", "--steps", "100")
    err = capsys.readouterr().err
    lines = json_lines(out)  # refuses NaN and Infinity
    assert code == 1
    assert err == f"hnn-tui: diverged at step {step}: {names}; the last finite state is step {step - 1}\n"
    assert [ln["step"] for ln in lines[:-1]] == list(range(step))  # the divergent step is not printed
    assert lines[-1]["summary"]["steps"] == step - 1 and names in lines[-1]["summary"]["stopped"]


def test_the_table_output_says_nothing_non_finite(tmp_path, capsys):
    for case, text, _step, _names in TROUBLE:
        path = tmp_path / "trouble.toml"
        path.write_text(text)
        code, out = cli("run", path, "--steps", "100")
        assert code == 1
        assert not {"nan", "inf", "-inf"} & set(out.split()), case
    capsys.readouterr()


def test_h_zero_is_refused_in_a_file_and_on_the_command_line(tmp_path, capsys):
    # (set on a session directly, the step refuses it: engine/test_session.py)
    path = tmp_path / "h0.toml"
    path.write_text(circuit_text(settings="h = 0"))
    assert cli("run", path) == (2, "")
    assert capsys.readouterr().err == f"hnn-tui: {path}: settings.h: expected a number greater than 0, got 0\n"
    assert cli("grad", "x * y", "--at", "x=1,y=2", "--h", "0") == (2, "")
    assert "--h" in capsys.readouterr().err

