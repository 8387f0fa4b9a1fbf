"""Expressions outside the whitelist, in the three places they are typed: build_circuit, a scenario's
circuit.expression, and `hnn-tui grad`. Each is refused before anything is evaluated, with the column
where it went wrong; random text never raises anything else and never hangs.

The full column-by-column list is test_expression.REFUSED; here every case of the issue goes through
the CLI and a scenario file as well.
"""
from __future__ import annotations

import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_expression import EXPRESSIONS
from test_scenarios import circuit_text

from hnn_tui.cli import main
from hnn_tui.engine import ExpressionError, ScenarioError, build_circuit, parse_scenario
from hnn_tui.engine.expression import MAX_DEPTH, MAX_LENGTH

# (category, text, column of the fault, words of the message)
CASES = [
    ("attribute access", "x.__class__ * y", 1, "attribute access"),
    ("attribute access", "x * y.real", 5, "attribute access"),
    ("call to an unknown name", "open('f') * x", 1, "unknown function 'open'"),
    ("call to an unknown name", "x * eval('1')", 5, "unknown function 'eval'"),
    ("call to an unknown name", "x * getattr(x, 'y')", 5, "unknown function 'getattr'"),
    ("call of a call", "sigmoid(x)(y)", 1, "unknown function"),
    ("import", "__import__('os').system('true')", 1, "unknown function \"__import__('os').system\""),
    ("import", "__import__('os')", 1, "unknown function '__import__'"),
    ("import statement", "import os", 1, "syntax error"),
    ("lambda", "(lambda: x)() * y", 1, "unknown function 'lambda: x'"),
    ("lambda", "lambda x: x", 1, "lambda is not allowed"),
    ("comprehension", "[x for x in y]", 1, "a comprehension is not allowed"),
    ("comprehension", "x * sum(i for i in y)", 5, "unknown function 'sum'"),
    ("string", "'x' * 3", 1, "only numbers are allowed"),
    ("string", "x + b'y'", 5, "only numbers are allowed"),
    ("non-constant exponent", "x ** y", 6, "exponent of ** must be a constant"),
    ("non-constant exponent", "x ** (2 * 1)", 7, "exponent of ** must be a constant"),
    ("too deep", "sigmoid(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), 8 * (MAX_DEPTH + 1) + 1,
     "nests deeper"),  # the x, inside MAX_DEPTH + 1 calls
    ("too deep", "-" * 1000 + "x", 62, "nests deeper"),  # the 62nd minus is 61 deep
    ("leading minus (an option to argparse)", "-x.y", 2, "attribute access"),
    ("too long", "x * y " + " " * MAX_LENGTH, 0, "characters long"),
    ("statement", "x = 1", 3, "syntax error"),
    ("two lines", "x *\ny", 0, "one line"),
]
IDS = [f"{c[0]}: {c[1][:30]}" for c in CASES]


@pytest.mark.parametrize("category,text,column,words", CASES, ids=IDS)
def test_refused_by_the_parser_with_the_column(category, text, column, words):
    with pytest.raises(ExpressionError) as e:
        build_circuit(text)
    assert e.value.column == column, str(e.value)
    assert words in e.value.message
    if column:
        assert str(e.value).endswith(f"(column {column})")


@pytest.mark.parametrize("category,text,column,words", CASES, ids=IDS)
def test_refused_in_a_scenario_at_circuit_expression(category, text, column, words):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    with pytest.raises(ScenarioError) as e:
        parse_scenario(circuit_text(expression=escaped), "lesson.toml")
    assert (e.value.source, e.value.key) == ("lesson.toml", "circuit.expression")
    assert words in e.value.problem and (f"(column {column})" in e.value.problem or not column)


@pytest.mark.parametrize("category,text,column,words", CASES, ids=IDS)
def test_refused_by_hnn_tui_grad(category, text, column, words, capsys):
    out = io.StringIO()
    code = main(["grad", text, "--at", "x=1,y=2"], out=out)
    err = capsys.readouterr().err
    assert (code, out.getvalue()) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("hnn-tui: ") and "Traceback" not in err
    assert words in err and (f"(column {column})" in err or not column)


def test_nothing_is_evaluated_on_the_way_to_a_refusal(monkeypatch):
    # The parser only reads the ast: eval and exec are never reached.
    import builtins

    def boom(*args, **kwargs):
        raise AssertionError("evaluated")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    for _, text, _, _ in CASES:
        with pytest.raises(ExpressionError):
            build_circuit(text)


# --- properties: random text, random valid expressions, adversarial nesting --------------------------

def builds_or_refuses(text: str) -> None:
    t0 = time.perf_counter()
    try:
        build_circuit(text)
    except ExpressionError as e:
        assert isinstance(e.column, int) and 0 <= e.column <= len(text) + 1
    assert time.perf_counter() - t0 < 1.0, f"took {time.perf_counter() - t0:.2f} s"


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.text(max_size=MAX_LENGTH + 50))
def test_random_text_is_built_or_refused_within_the_deadline(text):
    builds_or_refuses(text)


@settings(max_examples=200, deadline=1000, derandomize=True)
@given(EXPRESSIONS)
def test_random_valid_expressions_build(text):
    c = build_circuit(text)
    assert c.gates and set(c.inputs) <= {"a", "b", "c"}


OPEN = st.sampled_from(["(", "-", "+", "sigmoid(", "max(x, ", "exp(", "x * (", "x ** ", "[", "{", "lambda: ",
                        "x.", "'", "not "])
CLOSE = st.sampled_from([")", "", "]", "}", ", y)", " * 2", "'"])


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=150, deadline=1000, derandomize=True)
@given(st.lists(OPEN, min_size=1, max_size=1200), st.lists(CLOSE, max_size=1200))
def test_deep_and_long_input_never_hangs(opens, closes):
    # Up to thousands of characters of nesting: refused for depth or length, or built, in well under a second.
    builds_or_refuses("".join(opens) + "x" + "".join(closes))


@pytest.mark.parametrize("text", [
    "(" * 1990 + "x" + ")" * 9,
    "x" + " * x" * 499,
    "-" * (MAX_LENGTH - 1) + "x",
    "max(" * 400 + "x" + ", x)" * 400,
    "x ** " + "-" * 1990 + "2",
], ids=["parens", "a long chain", "unary minus", "max", "exponent signs"])
def test_worst_cases_are_quick(text):
    t0 = time.perf_counter()
    with pytest.raises(ExpressionError):
        build_circuit(text[:MAX_LENGTH])
    assert time.perf_counter() - t0 < 0.5
