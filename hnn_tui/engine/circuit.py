"""Circuits: named input units wired through gates, run forward and backward in order."""
from __future__ import annotations

import math

from .gates import GATES, Gate, Pow, Unit


class Circuit:
    """Gates in forward (topological) order over named inputs; re-run in place, never rebuilt."""

    def __init__(self, inputs: dict[str, Unit], gates: list[Gate], output: Unit, constants: list[Unit] = ()):
        self.inputs = inputs
        self.gates = gates
        self.output = output
        self.constants = list(constants)
        self.units = list(inputs.values()) + self.constants + [g.utop for g in gates]
        self._backward_order = gates[::-1]
        self._named_inputs = list(inputs.items())

    def forward(self) -> float:
        for g in self.gates:
            g.forward()
        return self.output.value

    def zero_grad(self) -> None:
        for u in self.units:
            u.grad = 0.0

    def propagate(self, pull: float = 1.0) -> None:
        """Pull on the output with `pull` and let it flow back; every wire is left holding its grad."""
        for u in self.units:  # zero_grad(), inlined: this runs once per point
            u.grad = 0.0
        self.output.grad = pull
        for g in self._backward_order:
            g.backward()

    def backward(self, pull: float = 1.0) -> dict[str, float]:
        """propagate(pull), then d(output)/d(input) times pull for each named input."""
        self.propagate(pull)
        return {name: u.grad for name, u in self._named_inputs}

    def set_inputs(self, values: dict[str, float]) -> None:
        for name, v in values.items():
            self.inputs[name].value = float(v)

    def values(self) -> dict[str, float]:
        return {name: u.value for name, u in self.inputs.items()}

    def structure(self) -> list[tuple[str, tuple[int, ...], int]]:
        """Each gate as (gate name, indexes of its input units, index of its output) into `units`."""
        index = {id(u): i for i, u in enumerate(self.units)}
        return [(g.name, tuple(index[id(u)] for u in g.inputs), index[id(g.utop)]) for g in self.gates]

    def first_non_finite(self) -> Unit | None:
        """The first wire whose value is nan or inf (inputs, then gates in order), else the first such grad."""
        for u in self.units:
            if not math.isfinite(u.value):
                return u
        for u in self.units:
            if not math.isfinite(u.grad):
                return u
        return None

    def __repr__(self) -> str:
        names = ", ".join(self.inputs)
        return f"Circuit({names} -> {self.output.name}: {len(self.gates)} gates)"


class CircuitBuilder:
    """Builds a circuit gate by gate: `x = b.input('x', -2); f = b.gate('mul', x, y); b.build(f)`."""

    def __init__(self):
        self.inputs: dict[str, Unit] = {}
        self.constants: list[Unit] = []
        self.gates: list[Gate] = []

    def input(self, name: str, value: float = 0.0) -> Unit:
        """The input wire called `name`; asking twice returns the same unit (a wire used twice)."""
        if name not in self.inputs:
            self.inputs[name] = Unit(value, 0.0, name)
        return self.inputs[name]

    def constant(self, value: float) -> Unit:
        u = Unit(value, 0.0, f"{value:g}")
        self.constants.append(u)
        return u

    def gate(self, kind: str, *inputs: Unit, exponent: float | None = None, label: str = "") -> Unit:
        """Add a gate of `kind` (a name in GATES) on `inputs`; returns its output unit."""
        cls = GATES[kind]
        g = Pow(inputs[0], exponent, label=label) if cls is Pow else cls(*inputs, label=label)
        self.gates.append(g)
        return g.utop

    def build(self, output: Unit) -> Circuit:
        return Circuit(dict(self.inputs), list(self.gates), output, self.constants)
