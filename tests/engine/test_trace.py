"""engine/trace.py: the chain rule recorded gate by gate, and the pull backprop starts from.

The identity under test: every wire's final gradient is the sum of what the backward pass added into it
(`Trace.contributions`), plus the pull itself on the output wire. It is checked on every bundled circuit
scenario, on generated expressions, and against hand-computed numbers; the pull is checked to scale every
gradient (trace, check_circuit, gradient_check) exactly.
"""
from __future__ import annotations

import math
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hnn_tui.engine import ExpressionError, build_circuit, bundled_names, load_scenario
from hnn_tui.engine.gradcheck import check_circuit, gradient_check
from hnn_tui.engine.trace import Trace, trace

# --- helpers --------------------------------------------------------------------------------------


def circuit_names() -> list[str]:
    return [n for n in bundled_names() if load_scenario(n).kind == "circuit"]


def scenario_circuit(name: str):
    spec = load_scenario(name).spec
    return build_circuit(spec.expression, dict(spec.inputs), dict(spec.wires))


def fed_twice_by_one_gate(circuit) -> set[int]:
    """Indexes of wires that are two inputs of a single gate (`a * a`): the trace sums their two local
    derivatives before multiplying, the engine adds two products, so the two may differ in the last bit."""
    index = {id(u): i for i, u in enumerate(circuit.units)}
    twice = set()
    for g in circuit.gates:
        ids = [index[id(u)] for u in g.inputs]
        twice |= {i for i in ids if ids.count(i) > 1}
    return twice


def rounding_scale(circuit) -> list[float]:
    """For each wire, the sum of |local * upstream| over every (gate, input slot) feeding it: the size of the
    terms before any cancellation, the yardstick for a 1e-12 relative tolerance. Call after a pass."""
    index = {id(u): i for i, u in enumerate(circuit.units)}
    scale = [0.0] * len(circuit.units)
    for g in circuit.gates:
        for u, d in zip(g.inputs, g.local()):
            scale[index[id(u)]] += abs(d * g.utop.grad)
    return scale


TINY = 1e-300


def assert_chain_rule(t: Trace, circuit, where: str) -> None:
    """Every wire: pull (output only) + sum of contributions == final gradient; exact unless one gate takes
    the wire twice, then within 1e-12 of the terms' size (TINY: where they are subnormal, a rounding is relatively
    larger)."""
    out = circuit.units.index(circuit.output)
    twice = fed_twice_by_one_gate(circuit)
    scale = rounding_scale(circuit)
    for i, label in enumerate(t.labels):
        parts = t.contributions(i)
        total = (t.pull if i == out else 0.0) + sum(a for _, a in parts)
        if i == out:
            assert parts == [], f"{where}: the output wire {label!r} feeds no gate"
        if i in twice:
            off = abs(total - t.grads[i])
            assert off <= 1e-12 * scale[i] + TINY, f"{where}: wire {label!r}: {parts} vs {t.grads[i]}"
        else:
            assert total == t.grads[i], f"{where}: wire {label!r}: {parts} sum to {total}, grad {t.grads[i]}"


def assert_same_as_a_fresh_pass(t: Trace, text: str, at: dict, wires: dict | None, pull: float) -> None:
    """A circuit built anew, run with forward() and backward(pull): every value and gradient the same bits."""
    fresh = build_circuit(text, at, wires)
    assert fresh.forward() == t.forward[-1].value
    named = fresh.backward(pull)
    assert t.values == tuple(u.value for u in fresh.units)
    assert t.grads == tuple(u.grad for u in fresh.units)
    for name, g in named.items():
        assert t.grads[t.labels.index(name)] == g


def assert_steps_are_consistent(t: Trace, circuit) -> None:
    """The recorded steps against the circuit: forward in gate order, backward in reverse, added = local * upstream,
    local = the gate's own local derivatives (summed where one wire is two inputs), upstream = final output grad."""
    assert len(t.forward) == len(t.backward) == len(circuit.gates)
    assert [s.at for s in t.backward] == [s.at for s in reversed(t.forward)]
    for f, g in zip(t.forward, circuit.gates):
        assert f.wire == t.labels[f.at] and f.value == g.utop.value
        assert f.inputs == tuple(t.labels[i] for i in f.from_)
        # labels are the wires' names, a repeated one told apart by " #2", " #3", ...
        assert tuple(label.split(" #")[0] for label in (f.wire, *f.inputs)) == \
            (g.utop.name, *(u.name for u in g.inputs))
    for b, g in zip(t.backward, reversed(circuit.gates)):
        assert b.upstream == g.utop.grad == t.grads[b.at]
        expect: dict[int, float] = {}
        for u, d in zip(g.inputs, g.local()):
            i = circuit.units.index(u)
            expect[i] = expect.get(i, 0.0) + d
        assert b.to == tuple(expect)
        assert b.local == tuple((t.labels[i], d) for i, d in expect.items())
        assert [name for name, _ in b.added] == [name for name, _ in b.local]
        for (_, d), (_, a) in zip(b.local, b.added):
            assert a == d * b.upstream


# --- every bundled circuit scenario ---------------------------------------------------------------


def test_there_are_bundled_circuit_scenarios():
    assert {"single_gate", "two_gates", "neuron"} <= set(circuit_names())


@pytest.mark.parametrize("pull", [1.0, -1.0, 2.5, 0.0])
@pytest.mark.parametrize("name", circuit_names())
def test_chain_rule_identity_on_every_bundled_circuit(name, pull):
    spec = load_scenario(name).spec
    c = scenario_circuit(name)
    t = trace(c, pull)
    assert t.pull == pull
    assert_chain_rule(t, c, name)
    assert_steps_are_consistent(t, c)
    assert_same_as_a_fresh_pass(t, spec.expression, dict(spec.inputs), dict(spec.wires), pull)
    # the circuit is left holding exactly what the trace says
    assert t.grads == tuple(u.grad for u in c.units)
    assert t.values == tuple(u.value for u in c.units)


def test_neuron_scenario_numbers():
    # the scenario's own claim: gradients [-0.105, 0.315, 0.105, 0.105, 0.210] on a, b, c, x, y
    c = scenario_circuit("neuron")
    t = trace(c)
    grads = {n: t.grads[t.labels.index(n)] for n in "abcxy"}
    assert [round(grads[n], 3) for n in "abcxy"] == [-0.105, 0.315, 0.105, 0.105, 0.210]
    assert [s.gate for s in t.backward] == ["sigmoid", "+", "+", "*", "*"]
    s = t.backward[0]
    sig = t.forward[-1].value
    assert s.local == (("axpbypc", sig * (1 - sig)),)


# --- generated expressions ------------------------------------------------------------------------

NAMES = ["a", "b", "c"]
CONSTANTS = ["0.5", "2", "3", "-1.5"]
SAME_WIRE = ["{v} * {v}", "{v} + {v}", "{v} - {v}", "{v} / {v}", "max({v}, {v})", "{v} * {v} * {v}"]
SHAPES = ["binary", "binary", "unary", "max", "shared", "neg"]


@st.composite
def expressions(draw, depth: int = 4, top: bool = True) -> str:
    """Text in the parser's grammar over a, b, c: + - * /, unary minus, sigmoid tanh relu exp, max, constants,
    and a name used twice (a * a, x*y + x). The top is always an operation."""
    if not top and (depth == 0 or draw(st.integers(0, 2)) == 0):
        leaf = draw(st.sampled_from(["name", "name", "constant", "same"]))
        if leaf == "name":
            return draw(st.sampled_from(NAMES))
        if leaf == "constant":
            return draw(st.sampled_from(CONSTANTS))
        return draw(st.sampled_from(SAME_WIRE)).format(v=draw(st.sampled_from(NAMES)))
    shape = draw(st.sampled_from(SHAPES))
    left = draw(expressions(depth - 1, False))
    if shape == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        return f"({left}) {op} ({draw(expressions(depth - 1, False))})"
    if shape == "unary":
        return f"{draw(st.sampled_from(['sigmoid', 'tanh', 'relu', 'exp']))}({left})"
    if shape == "max":
        return f"max({left}, {draw(expressions(depth - 1, False))})"
    if shape == "shared":  # x*y + x: the name feeds two gates
        v = draw(st.sampled_from(NAMES))
        return f"({left}) * {v} + {v}"
    return f"-({left})"


POINT = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
PULL = st.sampled_from([1.0, -1.0, 2.0, 0.0, 0.5, -3.25]) | st.floats(-10, 10, allow_nan=False)


def generated_circuit(text: str, a: float, b: float, c: float):
    """The circuit of `text` at the point, its inputs in the order of appearance (as a fresh build gives them);
    a text without a gate (a negated constant) is skipped."""
    try:
        names = list(build_circuit(text).inputs)
    except ExpressionError:
        assume(False)
    point = {"a": a, "b": b, "c": c}
    at = {n: point[n] for n in names}
    return build_circuit(text, at), at


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(expressions(), POINT, POINT, POINT, PULL)
def test_chain_rule_identity_on_generated_expressions(text, a, b, c, pull):
    circuit, at = generated_circuit(text, a, b, c)
    t = trace(circuit, pull)
    assume(all(math.isfinite(v) for v in t.values + t.grads))
    assume(all(math.isfinite(d) for s in t.backward for _, d in s.local))
    assert_chain_rule(t, circuit, f"{text} at {at}, pull {pull}")
    assert_steps_are_consistent(t, circuit)
    assert_same_as_a_fresh_pass(t, text, at, None, pull)


@settings(max_examples=60, deadline=None)
@given(expressions(), POINT, POINT, POINT)
def test_pull_scales_every_gradient_of_generated_expressions(text, a, b, c):
    circuit, _ = generated_circuit(text, a, b, c)
    one = trace(circuit, 1.0)
    assume(all(math.isfinite(v) for v in one.values + one.grads))
    minus, double, zero = trace(circuit, -1.0), trace(circuit, 2.0), trace(circuit, 0.0)
    # doubling commutes with rounding only among normal numbers: a subnormal product loses bits (by design of IEEE)
    assume(all_normal(one) and all_normal(double))
    assert minus.grads == tuple(-g for g in one.grads)
    assert double.grads == tuple(2 * g for g in one.grads)
    assert all(g == 0 for g in zero.grads)
    assert minus.values == double.values == zero.values == one.values


def all_normal(t: Trace) -> bool:
    """Every number of the trace finite and 0 or normal (no subnormal, where x * 2 is not exact)."""
    steps = [d for s in t.backward for _, d in s.local + s.added] + [s.upstream for s in t.backward]
    return all(math.isfinite(v) and (v == 0 or abs(v) >= sys.float_info.min) for v in [*t.values, *t.grads, *steps])


# --- hand-computed numbers ------------------------------------------------------------------------


def test_two_gates_step_by_step():
    # (x + y) * z at x = -2, y = 5, z = -4: q = 3, f = -12. Backward: the * gate first with upstream 1, sending
    # z = -4 to q and q = 3 to z; then the + gate with upstream -4, sending 1 * -4 to x and to y.
    c = scenario_circuit("two_gates")
    t = trace(c)
    assert t.labels == ("x", "y", "z", "q", "f")
    assert t.values == (-2.0, 5.0, -4.0, 3.0, -12.0)
    assert [(s.wire, s.gate, s.inputs, s.value) for s in t.forward] == [
        ("q", "+", ("x", "y"), 3.0), ("f", "*", ("q", "z"), -12.0)]
    assert [s.gate for s in t.backward] == ["*", "+"]
    mul, add = t.backward
    assert (mul.wire, mul.upstream, mul.local, mul.added) == ("f", 1.0, (("q", -4.0), ("z", 3.0)),
                                                            (("q", -4.0), ("z", 3.0)))
    assert (add.wire, add.upstream, add.local, add.added) == ("q", -4.0, (("x", 1.0), ("y", 1.0)),
                                                            (("x", -4.0), ("y", -4.0)))
    assert (mul.at, mul.to, add.at, add.to) == (4, (3, 2), 3, (0, 1))
    assert t.grads == (-4.0, -4.0, 3.0, -4.0, 1.0)
    assert t.contributions(0) == [("q", -4.0)]
    assert t.contributions(2) == [("f", 3.0)]
    assert t.contributions(3) == [("f", -4.0)]
    assert t.contributions(4) == []  # the output: only the pull
    assert t.to_dict() == {
        "forward": [{"wire": "q", "gate": "+", "inputs": ["x", "y"], "value": 3.0},
                    {"wire": "f", "gate": "*", "inputs": ["q", "z"], "value": -12.0}],
        "backward": [{"wire": "f", "gate": "*", "upstream": 1.0, "local": {"q": -4.0, "z": 3.0},
                      "added": {"q": -4.0, "z": 3.0}},
                     {"wire": "q", "gate": "+", "upstream": -4.0, "local": {"x": 1.0, "y": 1.0},
                      "added": {"x": -4.0, "y": -4.0}}]}
    assert [list(e) for e in t.to_dict()["forward"]] == [["wire", "gate", "inputs", "value"]] * 2
    assert [list(e) for e in t.to_dict()["backward"]] == [["wire", "gate", "upstream", "local", "added"]] * 2


def test_a_wire_that_is_both_inputs_of_one_gate_appears_once():
    # a * a at a = 3: d/da = a + a = 6, one entry whose local is the two locals (3 and 3) summed
    c = build_circuit("a*a", {"a": 3.0})
    t = trace(c)
    assert t.forward[0].inputs == ("a", "a") and t.forward[0].value == 9.0
    (s,) = t.backward
    assert (s.wire, s.gate, s.upstream, s.local, s.added, s.to) == ("a * a", "*", 1.0, (("a", 6.0),), (("a", 6.0),),
                                                                  (0,))
    assert t.contributions(0) == [("a * a", 6.0)]
    assert t.grads[0] == 6.0
    assert t.to_dict()["backward"][0]["local"] == {"a": 6.0}


@pytest.mark.parametrize("text,at,local,grad", [
    ("a - a", {"a": 3.0}, 0.0, 0.0),  # 1 + (-1)
    ("a + a", {"a": 3.0}, 2.0, 2.0),
    ("max(a, a)", {"a": 3.0}, 1.0, 1.0),  # a tie: the whole pull to the first input, 1 + 0
    ("a / a", {"a": 4.0}, 0.0, 0.0),  # 1/4 + (-4/16)
])
def test_other_gates_that_take_one_wire_twice(text, at, local, grad):
    t = trace(build_circuit(text, at))
    (s,) = t.backward
    assert s.local == (("a", local),) and s.added == (("a", local),)
    assert t.grads[0] == grad


def test_a_wire_feeding_two_gates_gets_one_addition_from_each():
    # x*y + x at x = -2, y = 3: the + gate adds 1 * 1 into x, then the * gate adds y * 1 = 3: d/dx = y + 1 = 4
    c = build_circuit("x*y + x", {"x": -2.0, "y": 3.0})
    t = trace(c)
    assert t.labels == ("x", "y", "x * y", "x * y + x")
    assert [(s.wire, s.upstream) for s in t.backward] == [("x * y + x", 1.0), ("x * y", 1.0)]
    assert t.backward[0].local == (("x * y", 1.0), ("x", 1.0))
    assert t.backward[1].local == (("x", 3.0), ("y", -2.0))
    assert t.contributions(0) == [("x * y + x", 1.0), ("x * y", 3.0)]
    assert t.contributions(1) == [("x * y", -2.0)]
    assert t.contributions(2) == [("x * y + x", 1.0)]
    assert t.grads == (4.0, -2.0, 1.0, 1.0)
    assert c.forward() == -8.0


# --- the pull -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", circuit_names())
def test_pull_negates_doubles_and_zeroes_every_gradient(name):
    c = scenario_circuit(name)
    one = trace(c, 1)
    minus = trace(c, -1)
    double = trace(c, 2)
    zero = trace(c, 0)
    assert one.grads[c.units.index(c.output)] == 1.0
    assert minus.grads == tuple(-g for g in one.grads)
    assert double.grads == tuple(2 * g for g in one.grads)
    assert zero.grads == tuple(0.0 for _ in one.grads)
    for i in range(len(one.labels)):
        assert minus.contributions(i) == [(w, -a) for w, a in one.contributions(i)]
        assert double.contributions(i) == [(w, 2 * a) for w, a in one.contributions(i)]
    assert [s.upstream for s in minus.backward] == [-s.upstream for s in one.backward]
    assert [s.local for s in minus.backward] == [s.local for s in one.backward]  # the locals do not see the pull
    assert minus.to_dict()["forward"] == one.to_dict()["forward"]


def test_trace_default_pull_is_one():
    c = build_circuit("x * y", {"x": -2.0, "y": 3.0})
    t = trace(c)
    assert t.pull == 1.0
    assert t.grads == (3.0, -2.0, 1.0)


@pytest.mark.parametrize("text,at", [
    ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    ("sigmoid(a*x + b*y + c)", {"a": 1.0, "b": 2.0, "c": -3.0, "x": -1.0, "y": 3.0}),
    ("x*y + x", {"x": -2.0, "y": 3.0}),
    ("tanh(a) * exp(b) / c", {"a": 0.3, "b": -0.7, "c": 1.9}),
])
def test_check_circuit_and_gradient_check_scale_with_the_pull(text, at):
    base = gradient_check(text, at)
    for pull, scale in [(-1.0, lambda v: -v), (2.0, lambda v: 2 * v), (0.0, lambda v: 0.0)]:
        for r in (gradient_check(text, at, pull=pull), check_circuit(build_circuit(text, at), at, pull=pull)):
            assert r["output"] == base["output"]
            assert r["analytic"] == {n: scale(v) for n, v in base["analytic"].items()}
            assert r["numerical"] == {n: scale(v) for n, v in base["numerical"].items()}
            # rel_error is unchanged when both sides scale by the same pull (and 0 for a pull of 0)
            assert r["max_rel_error"] == (0.0 if pull == 0 else base["max_rel_error"])
            assert r["kinks"] == base["kinks"]


def test_check_circuit_analytic_matches_the_trace():
    at = {"x": -2.0, "y": 5.0, "z": -4.0}
    c = build_circuit("(x + y) * z", at)
    r = check_circuit(c, at, pull=-3.0)
    t = trace(c, -3.0)
    assert r["analytic"] == {n: t.grads[t.labels.index(n)] for n in at} == {"x": 12.0, "y": 12.0, "z": -9.0}


@pytest.mark.parametrize("pull", [math.nan, math.inf, -math.inf, "1"])
def test_a_pull_that_is_not_a_finite_number_is_refused(pull):
    at = {"x": 1.0, "y": 2.0}
    with pytest.raises(ValueError, match="pull"):
        gradient_check("x * y", at, pull=pull)
    with pytest.raises(ValueError, match="pull"):
        check_circuit(build_circuit("x * y", at), at, pull=pull)


def test_a_pull_of_minus_zero_gives_no_minus_zero_gradient():
    r = gradient_check("x * y", {"x": -1.0, "y": 2.0}, pull=-0.0)
    assert all(math.copysign(1.0, v) == 1.0 for v in [*r["analytic"].values(), *r["numerical"].values()])
