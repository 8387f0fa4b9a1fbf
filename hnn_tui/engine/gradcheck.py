"""Analytic gradient (backprop) against the numerical one, as the guide checks its circuits."""
from __future__ import annotations

import math
import threading

from .circuit import Circuit
from .expression import ExpressionError, build_circuit
from .objectives import CircuitObjective
from .strategies import numerical_gradient


def rel_error(a: float, n: float) -> float:
    """|a - n| / max(|a|, |n|), and 0 where both are 0."""
    scale = max(abs(a), abs(n))
    return 0.0 if scale == 0 else abs(a - n) / scale


def check_circuit(circuit: Circuit, at: dict[str, float], h: float = 1e-4, centered: bool = True) -> dict:
    """Set the circuit's inputs to `at`; its value, backprop gradient and numerical gradient there."""
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    missing = [n for n in circuit.inputs if n not in at]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)}: add it to --at, e.g. {missing[0]}=1")
    circuit.set_inputs(at)
    obj = CircuitObjective(circuit, list(circuit.inputs))
    analytic = dict(zip(obj.names, obj.pull()))
    output = circuit.output.value
    bad = circuit.first_non_finite()
    if bad is not None:
        raise ValueError(f"the circuit is not finite at this point: wire {bad.name!r} has value {bad.value}, "
                         f"gradient {bad.grad}")
    numerical = dict(zip(obj.names, numerical_gradient(obj, h, centered)))
    off = [n for n, g in numerical.items() if not math.isfinite(g)]
    if off:
        raise ValueError(f"the numerical gradient of {off[0]} is {numerical[off[0]]}: x ± h leaves the domain; "
                         f"try a smaller --h")
    errors = [rel_error(analytic[n], numerical[n]) for n in obj.names]
    return {"output": output, "analytic": analytic, "numerical": numerical,
            "max_rel_error": max(errors), "h": h}


def gradient_check(expression: str, at: dict[str, float], h: float = 1e-4, centered: bool = True) -> dict:
    """Value, backprop gradient and numerical gradient (centered by default) of `expression` at `at`."""
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    return check_circuit(build_circuit(expression, at), at, h, centered)


class GradientChecker:
    """check(values, h, centered): the same answer for the same arguments, whoever calls and whenever, so a panel
    can call it with a snapshot's values. It works on a circuit of its own, built on the first call: its passes
    touch neither the session's circuit nor its counters (they are not a strategy's cost).
    """

    def __init__(self, expression: str, inputs: dict[str, float]):
        self._expression, self._inputs = expression, dict(inputs)
        self._circuit: Circuit | None = None
        self._lock = threading.Lock()  # one check at a time on the private circuit

    def __call__(self, values, h: float, centered: bool) -> dict | None:
        """The check at `values`, or None where it cannot be made (a value or a probe that is not finite)."""
        with self._lock:
            if self._circuit is None:
                self._circuit = build_circuit(self._expression, self._inputs)
            try:
                return check_circuit(self._circuit, dict(values), h, centered)
            except ValueError:
                return None
