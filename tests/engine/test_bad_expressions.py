"""Expressions outside the whitelist, refused by the parser before anything is evaluated, with the column
where it went wrong; random text never raises anything else and never hangs.

The same cases (cases.EXPRESSION_CASES) go through a scenario file in lesson/test_scenario_files.py and
through `hnn-tui grad` in cli/test_cli_grad.py.
"""
from __future__ import annotations

import time

import pytest
from cases import EXPRESSION_CASES, EXPRESSION_IDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hnn_tui.engine import ExpressionError, build_circuit
from hnn_tui.engine.expression import MAX_LENGTH


@pytest.mark.parametrize("category,text,column,words", EXPRESSION_CASES, ids=EXPRESSION_IDS)
def test_refused_by_the_parser_with_the_column(category, text, column, words):
    with pytest.raises(ExpressionError) as e:
        build_circuit(text)
    assert e.value.column == column, str(e.value)
    assert words in e.value.message
    if column:
        assert str(e.value).endswith(f"(column {column})")


def test_nothing_is_evaluated_on_the_way_to_a_refusal(monkeypatch):
    # The parser only reads the ast: eval and exec are never reached.
    import builtins

    def boom(*args, **kwargs):
        raise AssertionError("evaluated")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    for _, text, _, _ in EXPRESSION_CASES:
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
