"""Analytic gradient (backprop) against the numerical one, as the guide checks its circuits."""
from __future__ import annotations

import math
import threading
from collections.abc import Callable

from .circuit import Circuit
from .expression import ExpressionError, build_circuit
from .gates import Gate
from .objectives import CircuitObjective, ClassifierObjective
from .strategies import numerical_gradient

KINKED = ("relu", "max")  # the gates whose derivative jumps: relu at input 0, max where its inputs tie


def rel_error(a: float, n: float) -> float:
    """|a - n| / max(|a|, |n|), and 0 where both are 0."""
    scale = max(abs(a), abs(n))
    return 0.0 if scale == 0 else abs(a - n) / scale


def _side(gate: Gate) -> bool:
    """Which smooth piece a kinked gate is on: relu passing (input > 0), max taking its first input (a >= b)."""
    u = gate.inputs
    return u[0].value > 0.0 if gate.name == "relu" else u[0].value >= u[1].value


def _on_kink(gate: Gate) -> bool:
    """The gate sits exactly on its kink: relu's input is 0, or max's two inputs tie."""
    u = gate.inputs
    return u[0].value == 0.0 if gate.name == "relu" else u[0].value == u[1].value


def _kink_name(gate: Gate, exact: bool) -> str:
    """'relu(x) at 0', 'max(a, b) near a tie': the wire's label, with the gate's name if the label hides it."""
    label = gate.utop.name
    wire = label if label.startswith(gate.name + "(") else f"{gate.name} {label}"
    where = "0" if gate.name == "relu" else "a tie"
    return f"{wire} {'at' if exact else 'near'} {where}"


class _SideWatch:
    """The objective for numerical_gradient, noting after each probe's forward which kinked gates have changed
    piece since the point itself: that probe straddles the kink. Everything else is the objective's own."""

    def __init__(self, obj: CircuitObjective, gates: list[Gate]):
        self.obj, self.gates = obj, gates
        self.start = [_side(g) for g in gates]  # the circuit holds the point's forward pass
        self.crossed = [False] * len(gates)

    def __getattr__(self, name: str):  # names, get, set, ...
        return getattr(self.obj, name)

    def evaluate(self) -> float:
        out = self.obj.evaluate()
        for i, g in enumerate(self.gates):
            if _side(g) != self.start[i]:
                self.crossed[i] = True
        return out


def _check_pull(pull: float) -> float:
    """A finite pull as a float, -0.0 made 0.0 (x + 0.0 = x for every other x) so no gradient prints as -0."""
    if not (isinstance(pull, (int, float)) and math.isfinite(pull)):
        raise ValueError(f"the pull must be a finite number, got {pull!r}")
    return float(pull) + 0.0


def check_circuit(circuit: Circuit, at: dict[str, float], h: float = 1e-4, centered: bool = True,
                  pull: float = 1.0) -> dict:
    """Set the circuit's inputs to `at`; its value, backprop gradient and numerical gradient there.

    `pull` is the gradient the backward pass starts from on the output (the guide tugs with +1). By the chain
    rule every wire's gradient is then pull * d output / d wire, so the analytic column is backprop started
    from `pull`, and the numerical estimate of d output / d input is multiplied by `pull` to stay comparable
    (a pull of 0 makes both 0, rel. diff 0; rel_error does not change when both sides scale by the same pull).

    Keys: output, analytic and numerical (input name -> pull * d output / d input), max_rel_error (the largest
    rel_error between the two), h, and kinks: the relu and max gates where the two gradients need not agree,
    as short names in forward order ("relu(x) at 0", "max(a, b) at a tie", "relu(x) near 0"). A gate is listed
    when the point sits exactly on its kink (relu's input is 0, max's inputs tie) or when a probe x ± h moves it
    onto its other piece (the probe straddles the kink). There the derivative jumps: backprop gives one valid
    subgradient (relu: 0 at 0; max: the whole pull to its first input on a tie), while the numerical difference
    mixes the slopes of both sides (centered, on the kink itself: their average, 0.5 for relu(x) at 0).
    Empty when no gate is at a kink. The CLI and the app's check table explain the mismatch from this key.
    """
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    missing = [n for n in circuit.inputs if n not in at]
    if missing:
        raise ExpressionError(f"no value given for {', '.join(missing)}: add it to --at, e.g. {missing[0]}=1")
    pull = _check_pull(pull)
    circuit.set_inputs(at)
    obj = CircuitObjective(circuit, list(circuit.inputs))
    output = circuit.forward()
    grads = circuit.backward(pull)  # every wire's gradient: pull * d output / d wire
    analytic = {n: grads[n] for n in obj.names}
    bad = circuit.first_non_finite()
    if bad is not None and math.isfinite(bad.value) and pull != 1.0:
        name, pulled = bad.name, bad.grad
        circuit.backward(1.0)
        if circuit.first_non_finite() is None:  # finite with a pull of 1: the pull is what overflowed
            raise ValueError(f"the gradient on wire {name!r} times the pull {pull:g} is {pulled}: try a smaller "
                             f"--pull")
        circuit.backward(pull)
        bad = circuit.first_non_finite()
    if bad is not None:
        raise ValueError(f"the circuit is not finite at this point: wire {bad.name!r} has value {bad.value}, "
                         f"gradient {bad.grad}")
    watch = _SideWatch(obj, [g for g in circuit.gates if g.name in KINKED])
    exact = [_on_kink(g) for g in watch.gates]
    numerical = dict(zip(obj.names, numerical_gradient(watch, h, centered)))
    off = [n for n, g in numerical.items() if not math.isfinite(g)]
    if off:
        raise ValueError(f"the numerical gradient of {off[0]} is {numerical[off[0]]}: x ± h leaves the domain; "
                         f"try a smaller --h")
    numerical = {n: pull * g + 0.0 for n, g in numerical.items()}  # pull * d output / d input, as backprop's
    off = [n for n, g in numerical.items() if not math.isfinite(g)]
    if off:
        raise ValueError(f"the numerical gradient of {off[0]} times the pull {pull:g} is {numerical[off[0]]}: "
                         f"try a smaller --pull")
    errors = [rel_error(analytic[n], numerical[n]) for n in obj.names]
    kinks = [_kink_name(g, on) for g, on, crossed in zip(watch.gates, exact, watch.crossed) if on or crossed]
    return {"output": output, "analytic": analytic, "numerical": numerical,
            "max_rel_error": max(errors), "h": h, "kinks": list(dict.fromkeys(kinks))}


def gradient_check(expression: str, at: dict[str, float], h: float = 1e-4, centered: bool = True,
                   pull: float = 1.0) -> dict:
    """Value, backprop gradient and numerical gradient (centered by default) of `expression` at `at`, both
    gradients pull * d output / d input (see check_circuit)."""
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    _check_pull(pull)
    return check_circuit(build_circuit(expression, at), at, h, centered, pull)


class GradientChecker:
    """check(values, h, centered): the same answer for the same arguments, whoever calls and whenever, so a panel
    can call it with a snapshot's values. It works on a circuit of its own, built on the first call: its passes
    touch neither the session's circuit nor its counters (they are not a strategy's cost).
    """

    def __init__(self, expression: str, inputs: dict[str, float]):
        self._expression, self._inputs = expression, dict(inputs)
        self._circuit: Circuit | None = None
        self._lock = threading.Lock()  # one check at a time on the private circuit

    def __call__(self, values, h: float, centered: bool, pull: float = 1.0) -> dict | None:
        """The check at `values` (both gradients pull x d output / d input), or None where it cannot be made (a value
        or a probe that is not finite)."""
        with self._lock:
            if self._circuit is None:
                self._circuit = build_circuit(self._expression, self._inputs)
            try:
                return check_circuit(self._circuit, dict(values), h, centered, pull)
            except ValueError:
                return None


def check_objective(obj, values, h: float, centered: bool, loss_kinks: Callable[[object], list[str]],
                    relu_kinks: Callable[[dict], list[str]] | None = None) -> dict:
    """Backprop against the numerical gradient of a data objective (a classifier's, a multiclass classifier's, a
    regression's: whatever its batch) at `values`: the keys of check_circuit, with kinks listing what
    `loss_kinks(obj)` names after the pull (the batch's points exactly where their loss bends, where backprop
    takes one side), then what `relu_kinks(values)` names (hidden neurons exactly at 0 on a point, "h2[0] at 0 on
    point 4"). ValueError where a number is not finite."""
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    missing = [n for n in obj.names if n not in values]
    if missing:
        raise ValueError(f"no value given for {', '.join(missing)}")
    obj.set([float(values[n]) for n in obj.names])
    output = obj.evaluate()  # minus (mean point loss + the regularizers)
    analytic = dict(zip(obj.names, obj.pull()))  # d output / d p by backprop (the guide's forces)
    kinks = loss_kinks(obj) + (relu_kinks(values) if relu_kinks else [])
    numerical = dict(zip(obj.names, numerical_gradient(obj, h, centered)))
    if not all(math.isfinite(x) for x in (output, *analytic.values(), *numerical.values())):
        raise ValueError("the objective or a gradient is not finite here")
    errors = [rel_error(analytic[n], numerical[n]) for n in obj.names]
    return {"output": output, "analytic": analytic, "numerical": numerical,
            "max_rel_error": max(errors), "h": h, "kinks": kinks}


def margin_kinks(obj: ClassifierObjective) -> list[str]:
    """The binary hinge's kinks: points with label * score == 1, where backprop's pull is 0 but the loss bends."""
    return [f"point {p.index} at the margin" for p in obj.inside.batch if p.label * p.score == 1.0]


def check_classifier(obj: ClassifierObjective, values, h: float = 1e-4, centered: bool = True,
                     relu_kinks: Callable[[dict], list[str]] | None = None) -> dict:
    """check_objective for the binary classifier ("point 3 at the margin")."""
    return check_objective(obj, values, h, centered, margin_kinks, relu_kinks)


class ObjectiveChecker:
    """check(values, h, centered) for a lesson with data: backprop against the numerical gradient of the full-batch
    objective (every training point), on an objective of its own built by `make` on the first call (with its
    batch set to every point), so neither the session's model nor its counters move. `check` is the kind's
    check_classifier / check_multiclass / check_regression. None where the check cannot be made (a number that is
    not finite)."""

    def __init__(self, make: Callable, check: Callable, relu_kinks: Callable[[dict], list[str]] | None = None):
        self._make, self._check, self._relu_kinks = make, check, relu_kinks
        self._obj = None
        self._lock = threading.Lock()  # one check at a time on the private model

    def retune(self, **live) -> None:
        """A live knob turned: the objective's attributes as they are now (reg, loss, l1, class_weights, delta)."""
        with self._lock:
            if self._obj is not None:
                for name, value in live.items():
                    setattr(self._obj, name, value)

    def __call__(self, values, h: float, centered: bool) -> dict | None:
        with self._lock:
            if self._obj is None:
                self._obj = self._make()
            try:
                return self._check(self._obj, values, h, centered, self._relu_kinks)
            except (ValueError, OverflowError):
                return None
