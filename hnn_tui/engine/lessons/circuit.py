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
from ..table import ScenarioError, Table, short
from ..trace import Trace, trace
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


def edited(spec: CircuitSpec, text: str, values: dict[str, float]) -> CircuitSpec:
    """The spec of a circuit typed in the app: `EXPRESSION` or `EXPRESSION; name=value, ...` (values for new inputs).

    Inputs that remain keep `values` (their values now) and whether they train; new ones start at the value given,
    else at 1, and train; wire labels stay where their sub-expression remains. Checked by the same reader as a
    scenario file: a refusal is a ScenarioError naming the column, and nothing changes."""
    expression, _, rest = text.partition(";")
    given = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, number = part.partition("=")
        try:
            given[name.strip()] = float(number) if sep else math.nan
        except ValueError:
            given[name.strip()] = math.nan
        if not (name.strip().isidentifier() and math.isfinite(given[name.strip()])):
            raise ScenarioError("the new expression", "", f"expected name=number after ';', got {part!r}")
    try:
        names = list(build_circuit(expression).inputs)
    except ExpressionError as e:
        raise ScenarioError("the new expression", "", str(e)) from None
    stray = [n for n in given if n not in names]
    if stray:
        raise ScenarioError("the new expression", "", f"{stray[0]} is not an input of {expression.strip()!r}; "
                            f"expected values for its inputs ({', '.join(names)})")
    old_wires = dict(spec.wires)
    table = {"expression": expression,
             "inputs": {n: given.get(n, values.get(n, 1.0)) for n in names},
             "trainable": [n for n in names if n in spec.trainable or n not in values],
             "wires": {k: sub for k, sub in old_wires.items() if _computes(expression, sub) and k not in names}}
    if not table["trainable"]:
        table["trainable"] = names
    return read_circuit(Table("the new expression", {"circuit": table}))


def _computes(expression: str, sub: str) -> bool:
    """Does a gate of `expression` compute `sub`? (Label it, and look for the label.)"""
    try:
        return "__wire__" in {u.name for u in build_circuit(expression, None, {"__wire__": sub}).units}
    except ExpressionError:
        return False


@dataclass(frozen=True)
class CircuitDetail:
    """Every wire as (label, value, grad or None), inputs first; grad is None until a backward pass ran."""

    wires: tuple[tuple[str, float, float | None], ...]


class CircuitProbe:
    """Passes at any values on a circuit of its own (built on the first call), for the panel to show: the same answer
    for the same arguments, whoever calls, and no strategy's cost (it never touches the session's circuit)."""

    def __init__(self, spec: CircuitSpec):
        self._spec = spec
        self._circuit = None
        self._lock = threading.Lock()

    def _at(self, values):
        if self._circuit is None:
            spec = self._spec
            self._circuit = build_circuit(spec.expression, dict(spec.inputs), dict(spec.wires))
        self._circuit.set_inputs(values)
        return self._circuit

    def grads(self, values, pull: float = 1.0) -> tuple[float, ...] | None:
        """Every wire's gradient, pull x d(output)/d(wire), by backprop at `values`; None if one is not finite."""
        with self._lock:
            c = self._at(values)
            c.forward()
            c.propagate(pull)  # the guide's tug on the output (+1)
            grads = tuple(u.grad for u in c.units)
        return grads if all(math.isfinite(g) for g in grads) else None

    def trace(self, values, pull: float = 1.0) -> Trace:
        """The forward and the backward pass at `values`, gate by gate (engine.trace)."""
        with self._lock:
            return trace(self._at(values), pull)


@dataclass(frozen=True)
class CircuitStage:
    """What a circuit panel draws that never changes: the gates' wiring, and pure functions to call at a snapshot's
    values: every wire's gradient by backprop, and the gradient check (backprop against the numerical estimate)."""

    expression: str
    inputs: tuple[str, ...]
    labels: tuple[str, ...]  # every wire's label, inputs first (the order of a snapshot's wires)
    structure: tuple[tuple[str, tuple[int, ...], int], ...]  # (gate, its input wires, its output wire)
    wire_grads: Callable[..., tuple[float, ...] | None]  # (values, pull) -> pull x d(output)/d(wire), every wire
    trace: Callable[..., Trace]  # (values, pull) -> the passes gate by gate, for the walk-through
    check_gradient: Callable[..., dict | None]  # (values, h, centered, pull) -> check_circuit's result, or None


class CircuitLesson(Lesson):
    kind = "circuit"
    output_name = "output"
    start_key = "circuit.inputs"
    read_spec = staticmethod(read_circuit)
    spec_type = CircuitSpec

    def __init__(self, spec: CircuitSpec, rng=None):
        inputs = dict(spec.inputs)
        self.circuit = build_circuit(spec.expression, inputs, dict(spec.wires))
        self.objective = CircuitObjective(self.circuit, list(spec.trainable))
        c, probe = self.circuit, CircuitProbe(spec)
        self.stage = CircuitStage(spec.expression, tuple(c.inputs), tuple(u.name for u in c.units),
                                  tuple(c.structure()), probe.grads, probe.trace,
                                  GradientChecker(spec.expression, inputs))

    def before_step(self, rng, settings) -> None:
        self.objective.output_pull = settings.pull  # the step's pull, read once with its other settings

    def set_input(self, name: str, value: float) -> None:
        """Poke: the input `name` takes `value` (any input, trainable or a peg); not a step, nothing counted."""
        if name not in self.circuit.inputs:
            raise ValueError(f"no input called {name!r}; the inputs are {', '.join(self.circuit.inputs)}")
        if not math.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value}")
        self.circuit.inputs[name].value = float(value)

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
