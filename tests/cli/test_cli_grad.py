"""`hnn-tui grad`: backprop against the numerical gradient of an expression, and the expressions it refuses."""
from __future__ import annotations

import pytest
from cases import EXPRESSION_CASES, EXPRESSION_IDS
from helpers import cli, json_lines


def test_grad_json():
    code, out = cli("grad", "(x + y) * z", "--at", "x=-2,y=5,z=-4", "--json")
    assert code == 0
    (r,) = json_lines(out)
    assert r["output"] == -12.0
    assert r["analytic"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert r["numerical"] == pytest.approx({"x": -4.0, "y": -4.0, "z": 3.0}, abs=1e-8)
    assert r["max_rel_error"] < 1e-8
    assert r["kinks"] == []


def test_grad_text():
    code, out = cli("grad", "sigmoid(a*x + b*y + c)", "--at", "a=1,b=2,c=-3,x=-1,y=3")
    assert code == 0
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines() if ln.split() and ln.split()[0] in "abcxy"}
    assert [round(float(rows[n][1]), 3) for n in "abcxy"] == [-0.105, 0.315, 0.105, 0.105, 0.210]

    assert "kink" not in out  # a smooth point: no note


def test_grad_at_a_kink_says_why_the_gradients_differ():
    # backprop's relu passes no gradient at 0, the centered difference (relu(h) - relu(-h)) / 2h = 0.5
    code, out = cli("grad", "relu(x)", "--at", "x=0")
    assert code == 0
    assert out.splitlines()[5].split() == ["x", "0", "0.5", "1.00e+00"]
    note = " ".join(out.split("max relative difference")[1].splitlines()[1:])
    assert note == ("at a kink (relu(x) at 0) backprop gives one valid subgradient, and the centered difference, "
                    "straddling it, averages the slopes on both sides: they need not agree.")
    code, out = cli("grad", "relu(x)", "--at", "x=0", "--json")
    assert json_lines(out)[0]["kinks"] == ["relu(x) at 0"]


def test_grad_at_a_tie_of_max_says_where_the_gradient_goes():
    code, out = cli("grad", "max(a, b)", "--at", "a=1,b=1")
    assert code == 0
    note = " ".join(out.split("max relative difference")[1].splitlines()[1:])
    assert "at a kink (max(a, b) at a tie)" in note
    assert "this engine's max sends the whole gradient to its first input (the guide's snippet sends it to both)" \
        in note
    code, out = cli("grad", "max(a, b)", "--at", "a=1,b=1.00005", "--json")  # a probe of h = 1e-4 crosses the tie
    assert json_lines(out)[0]["kinks"] == ["max(a, b) near a tie"]
    code, out = cli("grad", "max(a, b)", "--at", "a=1,b=2", "--json")
    assert json_lines(out)[0]["kinks"] == []


@pytest.mark.parametrize("category,text,column,words", EXPRESSION_CASES, ids=EXPRESSION_IDS)
def test_refused_by_hnn_tui_grad(category, text, column, words, capsys):
    code, out = cli("grad", text, "--at", "x=1,y=2")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("hnn-tui: ") and "Traceback" not in err
    assert words in err and (f"(column {column})" in err or not column)
