"""A lesson written out as one standalone Python program (standard library only, no hnn_tui import).

The program runs the lesson the way the guide's code does: a circuit's gates written out plainly, each gate's
local derivative beside its forward, the backward pass gate by gate from the output, the strategy's step and the
settings as constants; and it prints the same JSON lines as `hnn-tui run SCENARIO --json` (the same random draws:
random.Random(seed), called in the engine's order). Circuits are written out here; the binary classifier (the svm,
the net, the mlp) by export_classifier (with export_binary); the multiclass classifier by export_multiclass; the
regression by export_regression. The layered model, the craft of chapter 3 and the loop over batches those three
share are export_common's; the program's head, the strategies and the main loop every kind shares are
export_steps'. Any other kind, or an option not written out, is refused whole (NotExported), never half-exported.
"""
from __future__ import annotations

import keyword

from .circuit import Circuit
from .export_classifier import classifier_program, not_exported
from .export_multiclass import multiclass_program
from .export_regression import regression_program
from .export_steps import comment, head, main_code, step_lines, step_settings, strategy_code, wrap
from .expression import build_circuit
from .lessons import CircuitSpec, ClassifierSpec, MulticlassSpec, RegressionSpec
from .strategies import STRATEGIES

# module-level names of the program: an input or a wire of the same name gets a trailing _ inside the functions
RESERVED = {"argparse", "json", "math", "random", "sys", "time", "div", "power", "exp", "log", "sigmoid", "forward",
            "backward", "inputs_at", "main", "step_size_at", "diverged", "objective", "move", "random_search",
            "numerical_gradient", "INPUTS", "TRAINABLE", "WIRES", "PULL"}
NOT_YET: dict[type, str] = {}  # spec type -> what it is, for a kind not written out yet (none left)


class NotExported(ValueError):
    """A scenario (or an option of it) this module does not write out yet: one line naming what."""


def export_program(scenario, strategy: str | None = None) -> str:
    """The program text of `scenario` run by `strategy` (default: the scenario's own)."""
    spec = scenario.spec
    strategy = strategy or scenario.strategy
    if strategy not in STRATEGIES:
        raise NotExported(f"unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}")
    if isinstance(spec, ClassifierSpec):
        missing = not_exported(spec)
        if missing:
            raise NotExported(f"{scenario.name}: {missing} is not exported; the binary classifier exports the svm, "
                              "the net and the mlp (hinge or squared hinge loss, python or numpy engine)")
        return classifier_program(scenario, strategy)
    if isinstance(spec, MulticlassSpec):  # every model, loss and option of it (export_multiclass)
        return multiclass_program(scenario, strategy)
    if isinstance(spec, RegressionSpec):  # every model, loss and option of it (export_regression)
        return regression_program(scenario, strategy)
    if not isinstance(spec, CircuitSpec):
        what = NOT_YET.get(type(spec), type(spec).__name__)
        raise NotExported(f"{scenario.name}: a {what} is not exported yet; exported so far: circuits, the "
                          "classifiers and the regression")
    circuit = build_circuit(spec.expression, dict(spec.inputs), dict(spec.wires))
    names = _Names(circuit)
    parts = [head(scenario, strategy), _settings(scenario, spec, strategy), HELPERS,
             _forward(circuit, names, spec.expression)]
    if strategy == "analytic":
        parts.append(_backward(circuit, names))
    step = step_lines(scenario.settings, strategy, "objective", "", ANALYTIC)
    main = main_code("x = [INPUTS[name] for name in TRAINABLE]  # the parameters", LINE, ["grads = wire_grads = None",
                     *step], "grads", 'forward(*inputs_at(x)), wire_grads, now["grads"]', [])
    parts += [strategy_code(scenario.settings, strategy), RUN, main]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


class _Names:
    """A Python variable for every wire (its label when that is a free identifier, else w1, w2, ...) and one for
    its gradient (d + the variable); a constant is written as its number."""

    def __init__(self, circuit: Circuit):
        self.constants = {id(u): repr(u.value) for u in circuit.constants}
        self.wires = [u for u in circuit.units if id(u) not in self.constants]  # inputs first, then each gate's
        taken, self.var = set(RESERVED), {}
        for i, u in enumerate(self.wires):
            name = u.name if u.name.isidentifier() and not keyword.iskeyword(u.name) else f"w{i}"
            while name in taken:
                name += "_"
            taken.add(name)
            self.var[id(u)] = name
        self.grad = {}
        for u in self.wires:
            name = "d" + self.var[id(u)]
            while name in taken:
                name += "_"
            taken.add(name)
            self.grad[id(u)] = name

    def of(self, u) -> str:
        return self.constants.get(id(u)) or self.var[id(u)]

    def is_wire(self, u) -> bool:
        return id(u) not in self.constants


def _settings(scenario, spec: CircuitSpec, strategy: str) -> str:
    s = scenario.settings
    inputs = ", ".join(f"{n!r}: {v!r}" for n, v in spec.inputs)
    return "\n".join(["# ---- the lesson's settings ----", "",
                      f"INPUTS = {{{inputs}}}  # each input's starting value",
                      f"TRAINABLE = {list(spec.trainable)!r}  # the inputs the strategy moves (the parameters)",
                      f"PULL = {s.pull!r}  # the pull on the output: each step makes PULL * output higher"
                      + (" (lower output)" if s.pull < 0 else ""), *step_settings(scenario, strategy)])


HELPERS = '''
# ---- math that gives inf or nan instead of raising, as the engine's gates do ----

def sigmoid(x):
    """1 / (1 + e^-x), without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(a):
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


def div(a, b):
    if b == 0.0:
        return math.nan if a == 0.0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def power(a, p):
    try:
        r = a**p
    except (OverflowError, ZeroDivisionError):
        odd = float(p).is_integer() and p % 2 == 1
        return math.copysign(math.inf, a) if odd else math.inf
    return r if isinstance(r, float) else math.nan
'''


def _gate(g, n: _Names) -> tuple[str, list[tuple[str, str | None]]]:
    """A gate's forward as Python, and for each input: its local derivative in words, and the factor backward
    multiplies the gradient on the output by (None: 1, the pull passes unchanged)."""
    a, b, out = n.of(g.inputs[0]), n.of(g.inputs[-1]), n.var[id(g.utop)]
    if g.name == "pow":
        p = g.exponent
        return f"power({a}, {p!r})", [(f"{p:g} * {a}^{p - 1.0:g}",
                                      f"{p!r} * power({a}, {p - 1.0!r})" if p != 0.0 else "0.0")]
    return {"add": (f"{a} + {b}", [("1", None), ("1", None)]),
            "sub": (f"{a} - {b}", [("1", None), ("-1", "-1.0")]),
            "mul": (f"{a} * {b}", [(b, b), (a, a)]),  # each input's derivative is the other input
            "div": (f"div({a}, {b})", [(f"1/{b}", f"div(1.0, {b})"), (f"-{a}/{b}^2", f"div(-{a}, {b} * {b})")]),
            "neg": (f"-{a}", [("-1", "-1.0")]),
            "sigmoid": (f"sigmoid({a})", [(f"{out}(1 - {out})", f"{out} * (1.0 - {out})")]),
            "tanh": (f"math.tanh({a})", [(f"1 - {out}^2", f"(1.0 - {out} * {out})")]),
            "relu": (f"{a} if {a} > 0.0 else 0.0", [(f"1 if {a} > 0 else 0", f"(1.0 if {a} > 0.0 else 0.0)")]),
            "exp": (f"exp({a})", [(f"e^{a} = {out}", out)]),
            "log": (f"log({a})", [(f"1/{a}", f"div(1.0, {a})")]),
            "max": (f"{a} if {a} >= {b} else {b}", [(f"1 if {a} won", "1.0"), (f"1 if {b} won", "1.0")]),
            }[g.name]


def _derivatives(g, n: _Names) -> str:
    """The local derivatives of a gate's wire inputs, as its forward line's comment says them."""
    _, local = _gate(g, n)
    words = [f"d/d{n.of(u)} = {w}" for u, (w, _) in zip(g.inputs, local) if n.is_wire(u)]
    if g.name == "max":
        return f"the pull goes to the larger input ({n.of(g.inputs[0])} on a tie)"
    return ", ".join(words) if words else "no wire input"


def _gate_backward(g, n: _Names) -> list[str]:
    """What a gate adds into each input's gradient: local derivative x the gradient on its output."""
    u0, u1 = g.inputs[0], g.inputs[-1]
    a, b, d = n.of(u0), n.of(u1), n.grad[id(g.utop)]
    if g.name == "max":  # a switch: only the winner gets the pull (the engine adds nothing to the other)
        if not n.is_wire(u1):
            return [f"if {a} >= {b}:  # max: the pull goes to {a} where it won", f"    {n.grad[id(u0)]} += 1.0 * {d}"]
        if not n.is_wire(u0):
            return [f"if not {a} >= {b}:  # max: the pull goes to {b} where it won",
                    f"    {n.grad[id(u1)]} += 1.0 * {d}"]
        return [f"if {a} >= {b}:  # max: the pull goes to the larger input ({a} on a tie)",
                f"    {n.grad[id(u0)]} += 1.0 * {d}", "else:", f"    {n.grad[id(u1)]} += 1.0 * {d}"]
    lines = []
    for u, (words, local) in zip(g.inputs, _gate(g, n)[1]):
        if not n.is_wire(u):
            continue  # a constant's gradient goes nowhere
        term = d if local is None else f"-{d}" if local == "-1.0" and g.name == "sub" else f"{local} * {d}"
        lines.append(f"{n.grad[id(u)]} += {term}  # d/d{n.of(u)} = {words}")
    return lines


def _forward(circuit: Circuit, n: _Names, expression: str) -> str:
    args = ", ".join(n.var[id(u)] for u in circuit.inputs.values())
    lines = ["# ---- the circuit: " + comment(expression) + " ----", "",
             "# every wire's label, inputs first: the order forward() returns their values in",
             *wrap("WIRES = [", [repr(u.name) for u in n.wires], "]", indent=""), "", "",
             f"def forward({args}):",
             '    """Every wire\'s value, gate by gate (each gate\'s local derivatives beside it); the output '
             'is last."""']
    for g in circuit.gates:
        code, _ = _gate(g, n)
        label = "" if g.utop.name == n.var[id(g.utop)] else f"{comment(g.utop.name)}: "
        lines.append(f"    {n.var[id(g.utop)]} = {code}  # {label}{g.name}, {_derivatives(g, n)}")
    lines += wrap("return [", [n.var[id(u)] for u in n.wires], "]")
    return "\n".join(lines)


def _backward(circuit: Circuit, n: _Names) -> str:
    args = ", ".join(n.var[id(u)] for u in circuit.inputs.values())
    grads = [n.grad[id(u)] for u in n.wires]
    lines = [f"def backward({args}, pull):",
             '    """Backprop: every wire\'s gradient, pull x d(output)/d(wire), in the order of WIRES. The '
             'forward pass',
             "    first; then the pull starts on the output and flows back gate by gate, each gate adding its local",
             "    derivative times the gradient on its output into each input (+=: a wire that feeds two gates "
             'sums)."""',
             *wrap("(", [n.var[id(u)] for u in n.wires], f") = forward({args})")]
    zeros = grads[:-1]  # the output's is the pull, set next (the output is the last wire)
    for i in range(0, len(zeros), 10):
        lines.append(f"    {' = '.join(zeros[i:i + 10])} = 0.0")
    lines.append(f"    {n.grad[id(circuit.output)]} = pull  # the tug on the output")
    for g in reversed(circuit.gates):
        lines.append(f"    # {n.var[id(g.utop)]} = {_gate(g, n)[0]}")
        lines += [f"    {line}" for line in _gate_backward(g, n)]
    lines += wrap("return [", grads, "]")
    return "\n".join(lines)


ANALYTIC = ["wire_grads = backward(*inputs_at({at}), PULL)",
            "grads = [wire_grads[WIRES.index(name)] for name in TRAINABLE]",
            "forward_passes += 1", "backward_passes += 1"]

RUN = '''
def inputs_at(x):
    """Every input's value, in forward()'s order: the trainable ones from x, the others as they started."""
    values = dict(INPUTS)
    values.update(zip(TRAINABLE, x))
    return list(values.values())


def objective(x):
    """What every strategy makes higher: PULL * output, at the parameters x."""
    return PULL * forward(*inputs_at(x))[-1]


def diverged(wires, wire_grads, grads):
    """The first wire, then gradient, that is not finite, in words (None when all are finite)."""
    for i, label in enumerate(WIRES):
        if not math.isfinite(wires[i]):
            return f"wire {label!r} has value {wires[i]}"
        if wire_grads is not None and not math.isfinite(wire_grads[i]):
            return f"wire {label!r} has gradient {wire_grads[i]}"
    for name, g in (grads or {}).items():
        if not math.isfinite(g):
            return f"gradient of {name!r} became {g}"
    return None
'''

LINE = '''
    def line(step, grads):
        return {"step": step, "strategy": STRATEGY, "output": forward(*inputs_at(x))[-1],
                "values": dict(zip(INPUTS, inputs_at(x))),
                "grads": None if grads is None else dict(zip(TRAINABLE, grads)),
                "forward_passes": forward_passes, "backward_passes": backward_passes}
'''
