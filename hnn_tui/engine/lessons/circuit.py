"""Chapter 1's lesson kind: a circuit of gates over named inputs, whose output the strategies make higher."""
from __future__ import annotations

import ast
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from ..expression import ExpressionError, build_circuit, parse
from ..gradcheck import GradientChecker
from ..objectives import CircuitObjective
from ..table import Table, short
from .base import Lesson, Measured


@dataclass(frozen=True)
class CircuitSpec:
    """The `[circuit]` table, validated: the expression, each input's start, which inputs train, wire labels."""

    kind: ClassVar[str] = "circuit"
    expression: str
    inputs: tuple[tuple[str, float], ...]  # (name, starting value) in display order
    trainable: tuple[str, ...]
    wires: tuple[tuple[str, str], ...] = ()  # (label, sub-expression)


def read_circuit(t: Table) -> CircuitSpec:
    c = t.table("circuit")
    expression = c.get("expression", (str,), what="an expression such as \"x * y\"")
    try:
        parse(expression)  # refuse a bad expression before anything else is read
    except ExpressionError as e:
        c.fail("expression", str(e))
    inputs = dict(c.numbers("inputs"))
    w = c.table("wires", {})
    wires = {k: w.get(k, (str,), what="a sub-expression of the expression") for k in w.data}
    seen: dict[str, str] = {}
    for label, sub in wires.items():
        try:
            same = seen.setdefault(ast.unparse(parse(sub)), label)
        except ExpressionError as e:
            w.fail(label, str(e))
        if same != label:
            w.fail(label, f"names the same sub-expression as wires.{same}; expected one label per wire")
    try:
        circuit = build_circuit(expression, inputs, wires)
    except ExpressionError as e:
        c.fail("expression" if "no input called" not in str(e) else "inputs", str(e))
    missing = [n for n in circuit.inputs if n not in inputs]
    if missing:
        c.fail("inputs", f"expected a value for every input of the expression; missing {', '.join(missing)}")
    named = {u.name for u in circuit.units}
    for label, sub in wires.items():
        if label in inputs:
            w.fail(label, "is an input's name; expected a label for an inner wire, e.g. q = \"x + y\"")
        if label not in named:
            w.fail(label, f"expected a sub-expression computed by a gate of {expression!r}, got {sub!r}")
    trainable = c.get("trainable", (list,), list(inputs), "a list of input names")
    for n in trainable:
        if not isinstance(n, str) or n not in inputs:
            c.fail("trainable", f"expected names of inputs ({', '.join(inputs)}), got {short(n)}")
    if not trainable:
        c.fail("trainable", "expected at least one input to train")
    c.finish()
    return CircuitSpec(expression, tuple(inputs.items()), tuple(trainable), tuple(wires.items()))


@dataclass(frozen=True)
class CircuitDetail:
    """Every wire as (label, value, grad or None), inputs first; grad is None until a backward pass ran."""

    wires: tuple[tuple[str, float, float | None], ...]


class WireGradients:
    """(values) -> every wire's gradient, d(output)/d(wire), by backprop at those values; None if not finite.

    The same answer for the same values, whoever calls: it runs on a circuit of its own (built on the first call),
    so its passes are no strategy's cost and never touch the session's circuit.
    """

    def __init__(self, expression: str, inputs: dict[str, float]):
        self._expression, self._inputs = expression, dict(inputs)
        self._circuit = None
        self._lock = threading.Lock()

    def __call__(self, values) -> tuple[float, ...] | None:
        with self._lock:
            if self._circuit is None:
                self._circuit = build_circuit(self._expression, self._inputs)
            c = self._circuit
            c.set_inputs(values)
            c.forward()
            c.propagate(1.0)  # the guide's pull of +1 on the output
            grads = tuple(u.grad for u in c.units)
        return grads if all(math.isfinite(g) for g in grads) else None


@dataclass(frozen=True)
class CircuitStage:
    """What a circuit panel draws that never changes: the gates' wiring, and pure functions to call at a snapshot's
    values: every wire's gradient by backprop, and the gradient check (backprop against the numerical estimate)."""

    expression: str
    inputs: tuple[str, ...]
    labels: tuple[str, ...]  # every wire's label, inputs first (the order of a snapshot's wires)
    structure: tuple[tuple[str, tuple[int, ...], int], ...]  # (gate, its input wires, its output wire)
    wire_grads: Callable[..., tuple[float, ...] | None]  # (values) -> d(output)/d(wire) for every wire, in order
    check_gradient: Callable[..., dict | None]  # (values, h, centered) -> gradcheck.check_circuit's result or None


class CircuitLesson(Lesson):
    kind = "circuit"
    output_name = "output"
    start_key = "circuit.inputs"
    read_spec = staticmethod(read_circuit)

    def __init__(self, spec: CircuitSpec, rng=None):
        inputs = dict(spec.inputs)
        self.circuit = build_circuit(spec.expression, inputs, dict(spec.wires))
        self.objective = CircuitObjective(self.circuit, list(spec.trainable))
        c = self.circuit
        self.stage = CircuitStage(spec.expression, tuple(c.inputs), tuple(u.name for u in c.units),
                                  tuple(c.structure()), WireGradients(spec.expression, inputs),
                                  GradientChecker(spec.expression, inputs))

    def measure(self, wire_grads: bool) -> Measured:
        saved = [u.grad for u in self.circuit.units]  # the forward below must not erase the pulls
        output = self.circuit.forward()
        wires = tuple((u.name, u.value, g if wire_grads else None) for u, g in zip(self.circuit.units, saved))
        return Measured(output, self.circuit.values(), {}, CircuitDetail(wires))

    def first_non_finite_detail(self, detail: CircuitDetail) -> str | None:
        wires = detail.wires
        if math.isfinite(sum([v for _, v, _ in wires]) + sum([g for _, _, g in wires if g is not None])):
            return None  # every number finite (a nan or an inf in a sum makes it nan or inf): the common case
        for label, value, grad in wires:
            for what, x in (("value", value), ("gradient", grad)):
                if x is not None and not math.isfinite(x):
                    return f"wire {label!r} has {what} {x}"
        return None
