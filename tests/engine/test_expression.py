"""The expression parser: what it builds, what it refuses (before evaluating anything), and two
property tests: backprop agrees with a numerical gradient, and no text makes it raise anything
but ExpressionError."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hnn_tui.engine import ExpressionError, build_circuit
from hnn_tui.engine.expression import MAX_LENGTH

# --- what builds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,at,value", [
    ("x * y", {"x": -2, "y": 3}, -6.0),
    ("(x + y) * z", {"x": -2, "y": 5, "z": -4}, -12.0),
    ("x - y / z", {"x": 1, "y": 3, "z": -4}, 1.75),
    ("-x * 2", {"x": 3}, -6.0),
    ("+x * 2", {"x": 3}, 6.0),
    ("x ** 2 + x ** -1", {"x": 2}, 4.5),
    ("x ** -(1)", {"x": 4}, 0.25),
    ("x ** 0.5", {"x": 9}, 3.0),
    ("max(x, y) + relu(x)", {"x": -1, "y": 2}, 2.0),
    ("exp(log(x)) * 1", {"x": 3}, pytest.approx(3.0, rel=1e-12)),
    ("sigmoid(0 * x)", {"x": 5}, 0.5),
    ("tanh(x) * 1", {"x": 0}, 0.0),
    ("  x * y  ", {"x": 2, "y": 2}, 4.0),
    ("((((x)))) * y", {"x": 2, "y": 3}, 6.0),
    ("2 * 3", {}, 6.0),  # constants only: a circuit without inputs
])
def test_valid_expressions_build(text, at, value):
    c = build_circuit(text, at)
    assert c.forward() == value
    assert set(c.inputs) == set(at)


def test_inputs_keep_the_callers_order_then_the_order_of_appearance():
    c = build_circuit("y * x + z", {"z": 1.0, "x": 2.0})
    assert list(c.inputs) == ["z", "x", "y"]
    assert c.values() == {"z": 1.0, "x": 2.0, "y": 0.0}  # an input not given starts at 0


def test_a_name_used_twice_is_one_wire():
    c = build_circuit("x * x + x", {"x": 3})
    assert len(c.inputs) == 1
    assert c.forward() == 12.0
    assert c.backward() == {"x": 7.0}  # 2x + 1


def test_wire_names_label_inner_wires():
    c = build_circuit("(x + y) * z", {"x": -2, "y": 5, "z": -4}, {"q": "x+y"})
    assert [u.name for u in c.units] == ["x", "y", "z", "q", "(x + y) * z"]


def test_an_unknown_input_value_is_refused():
    with pytest.raises(ExpressionError, match="no input called w"):
        build_circuit("x * y", {"x": 1, "w": 2})


# --- what is refused, and where -------------------------------------------------------------------

REFUSED = [
    # (text, column of the offending construct, 1-based; derived from where it starts in the text)
    ("x.y", 1),
    ("1 + x.y", 5),
    ("__import__('os')", 1),
    ("__import__('os').system('true')", 1),
    ("lambda: 1", 1),
    ("[x for x in y]", 1),
    ("'abc'", 1),
    ("x + 'abc'", 5),
    ("x ** y", 6),  # the exponent is not a constant
    ("x ** (1 + 1)", 7),
    ("foo(x)", 1),
    ("x * foo(x)", 5),
    ("max(x)", 1),
    ("max(x, y, x)", 1),
    ("sigmoid(x, y)", 1),
    ("max(x, y=1)", 1),
    ("max(*x)", 1),
    ("sigmoid", 1),
    ("x if y else z", 1),
    ("x < y", 1),
    ("x == y", 1),
    ("x and y", 1),
    ("not x", 1),
    ("x // y", 1),
    ("x % y", 1),
    ("x[0]", 1),
    ("(x, y)", 1),
    ("True * x", 1),
    ("None * x", 1),
    ("x + 1j", 5),
    ("1e999 * x", 1),
    ("(x := 1)", 2),
    ("f'{x}' * 2", 1),
    ("import os", 1),
    ("x = 1", 3),
]


@pytest.mark.parametrize("text,column", REFUSED)
def test_refused_with_a_column(text, column):
    with pytest.raises(ExpressionError) as e:
        build_circuit(text)
    assert e.value.column == column
    assert f"(column {column})" in str(e.value)


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "x",  # no gate
    "3",
    "x * y\n+ z",
    "x" * (MAX_LENGTH + 1),
    "(" * 500 + "x" + ")" * 500,
    "-" * 1000 + "x",
    "+" * 1000 + "x",
    "x ** " + "-" * 1500 + "1",
    "sigmoid(" * 300 + "x" + ")" * 300,
    "x" + " + x" * 499,  # within the length limit but 499 operations deep
    "\x00",
])
def test_refused_without_evaluating_or_recursing(text):
    with pytest.raises(ExpressionError) as e:
        build_circuit(text)
    assert isinstance(e.value.column, int) and e.value.column >= 0


def test_nothing_is_evaluated(monkeypatch):
    # A refused expression never reaches Python's evaluator: eval and compile are never called.
    import builtins

    def boom(*args, **kwargs):
        raise AssertionError("the parser evaluated something")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    for text in ("__import__('os').system('echo hacked')", "(lambda: 1)()", "open('x')"):
        with pytest.raises(ExpressionError):
            build_circuit(text)


def test_the_length_limit_is_exact():
    at_limit = "x" + " " * (MAX_LENGTH - 4) + "* y"  # spaces count: the limit is on the text as given
    assert len(at_limit) == MAX_LENGTH
    assert build_circuit(at_limit, {"x": 2, "y": 3}).forward() == 6.0
    with pytest.raises(ExpressionError, match="characters long"):
        build_circuit(at_limit + " ")


def test_a_huge_integer_literal_is_refused_not_an_overflow():
    # A 400-digit integer is valid Python but too large for a float: float(10**400) raises
    # OverflowError. The parser must refuse it with an ExpressionError, as it already refuses 1e999.
    with pytest.raises(ExpressionError):
        build_circuit("x * " + "9" * 400)


def test_the_column_counts_leading_spaces():
    # The column points into the text as the user typed it; "  x.y" has the attribute at column 3.
    with pytest.raises(ExpressionError) as e:
        build_circuit("  x.y")
    assert e.value.column == 3


# --- property: backprop agrees with a centered numerical gradient ---------------------------------

NAMES = ("a", "b", "c")
LEAVES = st.sampled_from(NAMES) | st.sampled_from(["0.5", "1", "2", "3", "-1.5"])


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")
    power = st.tuples(children, st.integers(-2, 3)).map(lambda t: f"({t[0]}) ** {t[1]}")
    neg = children.map(lambda s: f"-({s})")
    unary = st.tuples(st.sampled_from(["sigmoid", "tanh", "relu", "exp", "log"]), children).map(
        lambda t: f"{t[0]}({t[1]})")
    binary_fn = st.tuples(children, children).map(lambda t: f"max({t[0]}, {t[1]})")
    return binary | power | neg | unary | binary_fn


# "* 1" on top: every expression has at least one gate (a lone name or constant builds no circuit)
EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=10).map(lambda s: f"({s}) * 1")
POINT = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
MARGIN = 1e-3  # stay this far from kinks (relu at 0, max at a tie) and singularities (x/0, log 0, 0^-n)


def branches(circuit):
    """Which side of every kink each relu and max gate is on."""
    return tuple(g.inputs[0].value > 0 if g.name == "relu" else g.inputs[0].value >= g.inputs[1].value
                 for g in circuit.gates if g.name in ("relu", "max"))


def away_from_trouble(circuit) -> bool:
    for g in circuit.gates:
        ins = [u.value for u in g.inputs]
        if g.name == "relu" and abs(ins[0]) < MARGIN:
            return False
        if g.name == "max" and abs(ins[0] - ins[1]) < MARGIN:
            return False
        if g.name == "div" and abs(ins[1]) < MARGIN:
            return False
        if g.name == "log" and ins[0] < MARGIN:
            return False
        if g.name == "pow" and g.exponent < 0 and abs(ins[0]) < MARGIN:
            return False
    return True


@settings(max_examples=200, deadline=None)
@given(EXPRESSIONS, POINT, POINT, POINT)
def test_backprop_matches_numerical_gradient(text, a, b, c):
    circuit = build_circuit(text)
    point = {n: v for n, v in zip(NAMES, (a, b, c)) if n in circuit.inputs}
    circuit.set_inputs(point)
    circuit.forward()
    analytic = circuit.backward()
    # Finite and not too large: the output and the gradient below 1e6, and every wire below 1e3 so the
    # centered difference's rounding error (about 1e-16 * |wire| / h = 1e-10 * |wire|) stays far
    # under the abs 1e-5 tolerance.
    assume(math.isfinite(circuit.output.value) and abs(circuit.output.value) < 1e6)
    assume(all(math.isfinite(g) and abs(g) < 1e6 for g in analytic.values()))
    assume(all(math.isfinite(u.value) and abs(u.value) < 1e3 for u in circuit.units))
    assume(away_from_trouble(circuit))
    side = branches(circuit)
    h = 1e-6
    for name in point:
        probes = []
        for delta in (h, -h):
            circuit.set_inputs({**point, name: point[name] + delta})
            probes.append(circuit.forward())
            assume(branches(circuit) == side)
        circuit.set_inputs(point)
        numerical = (probes[0] - probes[1]) / (2 * h)
        assert analytic[name] == pytest.approx(numerical, rel=1e-4, abs=1e-5), f"d/d{name} of {text} at {point}"


# --- property: any text builds or is refused with ExpressionError ---------------------------------

def _builds_or_refuses(text):
    try:
        build_circuit(text)
    except ExpressionError as e:
        assert isinstance(e.column, int)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_builds_or_raises_expression_error(text):
    _builds_or_refuses(text)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abxy0129.e+-*/() ,_[]'\"lambdifsgmotnx:=<>j\t", max_size=60))
def test_near_miss_text_builds_or_raises_expression_error(text):
    _builds_or_refuses(text)


@settings(max_examples=200, deadline=1000, derandomize=True)
@given(EXPRESSIONS)
def test_random_valid_expressions_build(text):
    c = build_circuit(text)
    assert c.gates and set(c.inputs) <= {"a", "b", "c"}
