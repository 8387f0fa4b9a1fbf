"""Every gate's forward and backward, the += rule, non-finite values, and the circuit around them."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from hnn_tui.engine import GATES, CircuitBuilder, Unit, build_circuit

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = 2.5  # a pull from above that is not 1, so the chain rule's multiply is exercised


def make(name, *values, exponent=None):
    """A gate of kind `name` on fresh input units named a, b."""
    units = [Unit(v, 0.0, n) for v, n in zip(values, "ab")]
    if name == "pow":
        return GATES["pow"](units[0], exponent)
    return GATES[name](*units)


def test_the_gate_set():
    assert set(GATES) == {"add", "sub", "mul", "div", "neg", "pow", "sigmoid", "tanh", "relu", "exp", "log", "max"}


# Forward values, each worked out by hand.
FORWARD = [
    ("add", (2.0, -3.5), None, -1.5),
    ("sub", (2.0, -3.5), None, 5.5),
    ("mul", (2.0, -3.5), None, -7.0),
    ("div", (3.0, -4.0), None, -0.75),
    ("neg", (2.5,), None, -2.5),
    ("neg", (-0.0,), None, 0.0),
    ("pow", (-2.0,), 3, -8.0),
    ("pow", (4.0,), 0.5, 2.0),
    ("pow", (2.0,), -1, 0.5),
    ("pow", (5.0,), 0, 1.0),
    ("sigmoid", (0.0,), None, 0.5),
    ("sigmoid", (math.log(3.0),), None, 0.75),  # 1 / (1 + 1/3)
    ("sigmoid", (-math.log(3.0),), None, 0.25),
    ("sigmoid", (-1000.0,), None, 0.0),  # no overflow in e^1000
    ("sigmoid", (1000.0,), None, 1.0),
    ("tanh", (0.0,), None, 0.0),
    ("tanh", (math.log(2.0),), None, 0.6),  # (4 - 1) / (4 + 1)
    ("relu", (-1.0,), None, 0.0),
    ("relu", (0.0,), None, 0.0),
    ("relu", (2.0,), None, 2.0),
    ("exp", (0.0,), None, 1.0),
    ("exp", (1.0,), None, math.e),
    ("log", (1.0,), None, 0.0),
    ("log", (math.e,), None, 1.0),
    ("max", (2.0, 3.0), None, 3.0),
    ("max", (3.0, 2.0), None, 3.0),
    ("max", (-1.0, -1.0), None, -1.0),
]


@pytest.mark.parametrize("name,values,exponent,expected", FORWARD)
def test_forward(name, values, exponent, expected):
    g = make(name, *values, exponent=exponent)
    assert g.utop.value == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert g.forward() is g.utop  # forward returns the output unit, recomputed in place
    assert g.utop.grad == 0.0


def test_forward_rereads_the_inputs():
    g = make("mul", 2.0, 3.0)
    g.inputs[0].value = -4.0
    assert g.forward().value == -12.0


# Points away from kinks (relu at 0, max at a tie) and outside singularities (div by 0, log <= 0).
BACKWARD = [
    ("add", [(2.0, -3.5), (0.0, 0.0)], None),
    ("sub", [(2.0, -3.5), (-1.0, 7.0)], None),
    ("mul", [(2.0, -3.5), (-0.5, 0.25), (0.0, 3.0)], None),
    ("div", [(3.0, -4.0), (-1.0, 0.5), (0.0, 2.0)], None),
    ("neg", [(2.5,), (-1.0,)], None),
    ("pow", [(1.5,), (-2.0,), (0.3,)], 2),
    ("pow", [(1.5,), (-2.0,)], 3),
    ("pow", [(0.7,), (4.0,)], 0.5),
    ("pow", [(0.7,), (-3.0,)], -1),
    ("pow", [(0.7,), (-3.0,)], -2),
    ("pow", [(0.7,), (-3.0,)], 0),
    ("sigmoid", [(0.0,), (3.0,), (-2.0,)], None),
    ("tanh", [(0.0,), (0.8,), (-1.7,)], None),
    ("relu", [(0.3,), (-0.3,), (5.0,)], None),
    ("exp", [(0.0,), (1.3,), (-2.0,)], None),
    ("log", [(1.0,), (0.2,), (7.5,)], None),
    ("max", [(2.0, 3.0), (3.0, 2.0), (-1.0, -4.0)], None),
]


def centered(name, values, i, exponent, h=1e-6):
    """(f(v_i + h) - f(v_i - h)) / 2h for input i of a fresh gate."""
    up, down = list(values), list(values)
    up[i] += h
    down[i] -= h
    return (make(name, *up, exponent=exponent).utop.value - make(name, *down, exponent=exponent).utop.value) / (2 * h)


BACKWARD_IDS = [f"{b[0]}{b[2] if b[2] is not None else ''}" for b in BACKWARD]


@pytest.mark.parametrize("name,points,exponent", BACKWARD, ids=BACKWARD_IDS)
def test_backward_matches_a_centered_numerical_gradient(name, points, exponent):
    for values in points:
        g = make(name, *values, exponent=exponent)
        g.utop.grad = UPSTREAM
        g.backward()
        for i, u in enumerate(g.inputs):
            expected = UPSTREAM * centered(name, values, i, exponent)
            assert u.grad == pytest.approx(expected, rel=1e-6, abs=1e-6), f"{name}{values} input {i}"


@pytest.mark.parametrize("name,points,exponent", BACKWARD, ids=BACKWARD_IDS)
def test_backward_accumulates_with_plus_equals(name, points, exponent):
    g = make(name, *points[0], exponent=exponent)
    g.utop.grad = UPSTREAM
    g.backward()
    once = [u.grad for u in g.inputs]
    g.backward()
    assert [u.grad for u in g.inputs] == [2 * x for x in once]


def test_local_gradients_by_hand():
    # d(a*b) = (b, a); d(a/b) = (1/b, -a/b^2); d(a^3) = 3a^2; d(exp) = exp; d(log) = 1/a;
    # d(sigmoid) = s(1-s); d(tanh) = 1 - t^2; each times the pull from above.
    cases = [
        ("mul", (2.0, -3.5), None, [-3.5, 2.0]),
        ("div", (3.0, -4.0), None, [-0.25, -3.0 / 16.0]),
        ("pow", (-2.0,), 3, [12.0]),
        ("exp", (1.0,), None, [math.e]),
        ("log", (4.0,), None, [0.25]),
        ("sigmoid", (0.0,), None, [0.25]),
        ("tanh", (0.0,), None, [1.0]),
        ("neg", (3.0,), None, [-1.0]),
        ("sub", (3.0, 1.0), None, [1.0, -1.0]),
        ("max", (1.0, 1.0), None, [1.0, 0.0]),  # a tie sends the pull to the first input
    ]
    for name, values, exponent, local in cases:
        g = make(name, *values, exponent=exponent)
        g.utop.grad = -2.0
        g.backward()
        assert [u.grad for u in g.inputs] == pytest.approx([-2.0 * d for d in local], rel=1e-12), name


def test_a_wire_used_twice_gets_both_pulls():
    a = Unit(3.0, 0.0, "a")
    g = GATES["mul"](a, a)
    g.utop.grad = 1.0
    g.backward()
    assert a.grad == 6.0  # 2a


def test_gate_checks_its_arity():
    with pytest.raises(ValueError):
        GATES["mul"](Unit(1.0))
    with pytest.raises(ValueError):
        GATES["sigmoid"](Unit(1.0), Unit(2.0))


def test_repr():
    assert repr(Unit(2.0, 0.5, "x")) == "Unit(x: value=2, grad=0.5)"
    assert repr(Unit(1.0)) == "Unit(?: value=1, grad=0)"
    g = make("mul", 2.0, -3.5)
    assert repr(g) == "Mul(a, b) -> Unit(mul: value=-7, grad=0)"
    assert repr(make("pow", 2.0, exponent=3)) == "Pow(a, 3) -> Unit(pow: value=8, grad=0)"


# --- non-finite values: IEEE results, never an exception -----------------------------------------

def test_exp_overflows_to_inf():
    g = make("exp", 1000.0)
    assert g.utop.value == math.inf
    g.utop.grad = 1.0
    g.backward()
    assert g.inputs[0].grad == math.inf


def test_log_at_zero_and_below():
    assert make("log", 0.0).utop.value == -math.inf
    assert math.isnan(make("log", -1.0).utop.value)
    g = make("log", 0.0)
    g.utop.grad = 1.0
    g.backward()  # d/da = 1/0
    assert g.inputs[0].grad == math.inf


def test_division_by_zero():
    assert make("div", 1.0, 0.0).utop.value == math.inf
    assert make("div", -1.0, 0.0).utop.value == -math.inf
    assert make("div", 1.0, -0.0).utop.value == -math.inf
    assert math.isnan(make("div", 0.0, 0.0).utop.value)
    g = make("div", 1.0, 0.0)
    g.utop.grad = 1.0
    g.backward()
    assert g.inputs[0].grad == math.inf and g.inputs[1].grad == -math.inf  # 1/0 and -1/0^2


def test_pow_domain_and_overflow():
    assert math.isnan(make("pow", -8.0, exponent=1 / 3).utop.value)  # would be complex
    assert make("pow", 0.0, exponent=-1).utop.value == math.inf
    assert make("pow", 1e200, exponent=2).utop.value == math.inf


def test_pow_overflow_keeps_the_sign_of_an_odd_power():
    # (-1e200)^3 = -1e600: it overflows to -inf, as (-1e200) * (-1e200) * (-1e200) does in IEEE
    # arithmetic. Python raises OverflowError for the float power and the gate turns that into inf.
    assert (-1e200) * (-1e200) * (-1e200) == -math.inf
    assert make("pow", -1e200, exponent=3).utop.value == -math.inf


def test_mul_overflow_is_inf():
    assert make("mul", 1e200, 1e200).utop.value == math.inf


# --- circuits -------------------------------------------------------------------------------------

def test_neuron_gate_order():
    c = build_circuit("sigmoid(a*x + b*y + c)", {"a": 1, "b": 2, "c": -3, "x": -1, "y": 3})
    assert [g.name for g in c.gates] == ["mul", "mul", "add", "add", "sigmoid"]
    assert list(c.inputs) == ["a", "b", "c", "x", "y"]
    assert c.structure() == [("mul", (0, 3), 5), ("mul", (1, 4), 6), ("add", (5, 6), 7),
                             ("add", (7, 2), 8), ("sigmoid", (8,), 9)]


def test_backward_pull_scales_the_gradient():
    c = build_circuit("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    c.forward()
    assert c.backward() == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert c.backward(pull=2.0) == {"x": -8.0, "y": -8.0, "z": 6.0}
    assert c.backward(pull=-0.5) == {"x": 2.0, "y": 2.0, "z": -1.5}
    assert c.output.grad == -0.5


def test_backward_starts_from_zero_each_time():
    c = build_circuit("a * a", {"a": 3})
    c.forward()
    assert c.backward() == {"a": 6.0}
    assert c.backward() == {"a": 6.0}  # not 12: backward zeroes every wire first


def test_zero_grad():
    c = build_circuit("sigmoid(a*x + b*y + c)", {"a": 1, "b": 2, "c": -3, "x": -1, "y": 3})
    c.forward()
    c.backward()
    assert all(u.grad != 0.0 for u in c.units)
    c.zero_grad()
    assert all(u.grad == 0.0 for u in c.units)


def test_builder_wires_the_guide_neuron_by_hand():
    b = CircuitBuilder()
    a, bb, c, x, y = (b.input(n, v) for n, v in zip("abcxy", (1.0, 2.0, -3.0, -1.0, 3.0)))
    assert b.input("a") is a  # asking twice gives the same wire
    s = b.gate("sigmoid", b.gate("add", b.gate("add", b.gate("mul", a, x), b.gate("mul", bb, y)), c))
    circuit = b.build(s)
    assert circuit.forward() == pytest.approx(1 / (1 + math.exp(-2)), rel=1e-12)
    grads = circuit.backward()
    dq = s.value * (1 - s.value)
    assert grads == pytest.approx({"a": -dq, "b": 3 * dq, "c": dq, "x": dq, "y": 2 * dq}, rel=1e-12)


def test_first_non_finite_names_the_wire():
    c = build_circuit("log(x) * y", {"x": 0.0, "y": 2.0})
    c.forward()
    bad = c.first_non_finite()
    assert bad is not None and bad.name == "log(x)" and bad.value == -math.inf
    c.set_inputs({"x": 1.0})
    c.forward()
    c.backward()
    assert c.first_non_finite() is None


@pytest.mark.parametrize("module", ["hnn_tui.engine", "hnn_tui.engine.runner", "hnn_tui.engine.lessons",
                                    "hnn_tui.cli", "hnn_tui.report", "hnn_tui.numbers"])
def test_engine_imports_no_ui(module):
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'plotext', 'textual_plotext')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"
