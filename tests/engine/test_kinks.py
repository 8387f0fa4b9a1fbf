"""Kinks in the gradient check: where relu or max switch pieces, backprop's subgradient and the numerical
difference need not agree, and check_circuit names the gates there under "kinks"."""
from __future__ import annotations

import pytest

from hnn_tui.engine.expression import build_circuit
from hnn_tui.engine.gradcheck import GradientChecker, check_circuit, gradient_check

H = 1e-4


@pytest.mark.parametrize("expression,at,kinks", [
    ("relu(x)", {"x": 0.0}, ["relu(x) at 0"]),
    ("relu(x)", {"x": H / 2}, ["relu(x) near 0"]),  # x - h < 0 < x + h: the probe straddles the kink
    ("relu(x)", {"x": -H / 2}, ["relu(x) near 0"]),
    ("relu(x)", {"x": 2 * H}, []),  # both probes on the same piece
    ("relu(2 * x)", {"x": 0.7 * H}, ["relu(2 * x) near 0"]),  # the wire moves by 2h: 2(x - h) < 0
    ("max(a, b)", {"a": 1.0, "b": 1.0}, ["max(a, b) at a tie"]),
    ("max(a, b)", {"a": 1.0, "b": 1.0 + H / 2}, ["max(a, b) near a tie"]),
    ("max(a, b)", {"a": 1.0, "b": 1.0 + 3 * H}, []),
    ("max(a, 0)", {"a": 0.0}, ["max(a, 0) at a tie"]),
    ("relu(x) + relu(x)", {"x": 0.0}, ["relu(x) at 0"]),  # one wire, named once
    ("relu(x - 1) * max(x, y)", {"x": 1.0, "y": 1.0}, ["relu(x - 1) at 0", "max(x, y) at a tie"]),
    ("sigmoid(a*x + b*y + c)", {"a": 1, "b": 2, "c": -3, "x": -1, "y": 3}, []),
])
def test_the_gates_at_a_kink_are_named(expression, at, kinks):
    assert gradient_check(expression, at, H)["kinks"] == kinks


def test_relu_at_0_disagrees_and_says_why():
    # d relu / dx jumps from 0 to 1 at 0: backprop takes 0 (the guide's `a > 0 ? dx : 0`), the centered
    # difference (relu(h) - relu(-h)) / 2h = 0.5, the average of the two sides
    r = gradient_check("relu(x)", {"x": 0.0}, H)
    assert (r["analytic"], r["numerical"], r["max_rel_error"]) == ({"x": 0.0}, {"x": 0.5}, 1.0)
    assert r["kinks"] == ["relu(x) at 0"]


def test_max_at_a_tie_sends_the_pull_to_its_first_input():
    # the engine's Max routes a tie to its first input; the centered difference splits it 0.5 / 0.5
    r = gradient_check("max(a, b)", {"a": 1.0, "b": 1.0}, H)
    assert r["analytic"] == {"a": 1.0, "b": 0.0}
    assert r["numerical"] == pytest.approx({"a": 0.5, "b": 0.5})


def test_the_forward_difference_sees_the_kink_too():
    # (relu(h) - relu(0)) / h = 1 against backprop's 0
    r = gradient_check("relu(x)", {"x": 0.0}, H, centered=False)
    assert r["numerical"] == {"x": 1.0} and r["kinks"] == ["relu(x) at 0"]


def test_the_other_keys_are_unchanged():
    r = gradient_check("x * y", {"x": -2.0, "y": 3.0}, H)
    assert set(r) == {"output", "analytic", "numerical", "max_rel_error", "h", "kinks"}
    assert r["kinks"] == [] and r["output"] == -6.0 and r["analytic"] == {"x": 3.0, "y": -2.0}


def test_the_app_s_checker_reports_kinks_point_by_point():
    check = GradientChecker("relu(x) * y", {"x": 0.0, "y": 2.0})
    assert check({"x": 0.0, "y": 2.0}, H, True)["kinks"] == ["relu(x) at 0"]
    assert check({"x": 1.0, "y": 2.0}, H, True)["kinks"] == []  # the same circuit, away from the kink


def test_a_labelled_wire_is_named_with_its_gate():
    # a scenario's `wires` label hides the gate ("n1"): the name says which gate it is
    circuit = build_circuit("relu(x - 1) * y", {"x": 1.0, "y": 2.0}, {"n1": "relu(x - 1)"})
    assert check_circuit(circuit, {"x": 1.0, "y": 2.0}, H)["kinks"] == ["relu n1 at 0"]
