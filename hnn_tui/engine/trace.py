"""The chain rule, gate by gate: a forward and a backward pass recorded the way the guide tells them.

Forward: each gate, in order, computes its output wire from its inputs. Backward, from the output down: each gate
takes the gradient on its output (`upstream`), multiplies it by each input's local derivative (`local`), and adds
the product (`added`) into that input wire. A wire that feeds a gate twice (`a * a`) appears once, its two
local derivatives summed; a wire that feeds two gates gets one addition from each, and its gradient is their sum.
"""
from __future__ import annotations

from dataclasses import dataclass

from .circuit import Circuit
from .gates import SYMBOLS


@dataclass(frozen=True)
class ForwardStep:
    wire: str  # the gate's output wire
    gate: str  # its operation: "*", "+", "sigmoid", ...
    inputs: tuple[str, ...]  # its input wires, in order
    value: float
    at: int  # the output wire's index among the circuit's wires (Circuit.units)
    from_: tuple[int, ...]  # the input wires' indexes

    def to_dict(self) -> dict:
        return {"wire": self.wire, "gate": self.gate, "inputs": list(self.inputs), "value": self.value}


@dataclass(frozen=True)
class BackwardStep:
    wire: str
    gate: str
    upstream: float  # the gradient on the gate's output when the pass reaches it
    local: tuple[tuple[str, float], ...]  # (input wire, d(output)/d(input)), each distinct input once
    added: tuple[tuple[str, float], ...]  # (input wire, local * upstream): what this gate adds into it
    at: int
    to: tuple[int, ...]  # the distinct input wires' indexes, in the order of `local`

    def to_dict(self) -> dict:
        """As JSON: `local` and `added` keyed by wire label (two different wires with the same label, such as the
        two gates of `x*y + x*y`, would share a key; the app uses the indexes)."""
        return {"wire": self.wire, "gate": self.gate, "upstream": self.upstream, "local": dict(self.local),
                "added": dict(self.added)}


@dataclass(frozen=True)
class Trace:
    pull: float  # the gradient the backward pass started from, on the output
    forward: tuple[ForwardStep, ...]
    backward: tuple[BackwardStep, ...]
    labels: tuple[str, ...]  # every wire, inputs first (Circuit.units)
    values: tuple[float, ...]
    grads: tuple[float, ...]  # every wire's gradient at the end of the pass

    def contributions(self, index: int) -> list[tuple[str, float]]:
        """Every (gate's output wire, amount) the backward pass added into wire `index`, in the pass's order."""
        return [(step.wire, step.added[step.to.index(index)][1]) for step in self.backward if index in step.to]

    def to_dict(self) -> dict:
        return {"forward": [s.to_dict() for s in self.forward], "backward": [s.to_dict() for s in self.backward]}


def _distinct(names) -> tuple[str, ...]:
    """Wire labels, told apart where two wires share one (`x*y + x*y` has two wires `x * y`; `max(2, 2)` two
    constants `2`): the second is `x * y #2`, so a label names one wire in the trace and in its JSON."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return tuple(out)


def trace(circuit: Circuit, pull: float = 1.0) -> Trace:
    """Run the circuit forward and backward (pull on the output), recording each gate. Leaves every wire holding
    its value and its gradient, exactly as Circuit.forward() and Circuit.propagate(pull) would."""
    index = {id(u): i for i, u in enumerate(circuit.units)}
    labels = _distinct(u.name for u in circuit.units)
    forward = []
    for g in circuit.gates:
        g.forward()
        ins = tuple(index[id(u)] for u in g.inputs)
        forward.append(ForwardStep(labels[index[id(g.utop)]], SYMBOLS.get(g.name, g.name),
                                   tuple(labels[i] for i in ins),
                                   g.utop.value, index[id(g.utop)], ins))
    for u in circuit.units:
        u.grad = 0.0
    circuit.output.grad = pull
    backward = []
    for g in reversed(circuit.gates):
        upstream = g.utop.grad
        local: dict[int, float] = {}
        for u, d in zip(g.inputs, g.local()):  # a wire used twice by one gate: its two local derivatives add up
            local[index[id(u)]] = local.get(index[id(u)], 0.0) + d
        g.backward()  # the real accumulation, as the engine always does it
        to = tuple(local)
        backward.append(BackwardStep(labels[index[id(g.utop)]], SYMBOLS.get(g.name, g.name), upstream,
                                     tuple((labels[i], local[i] + 0.0) for i in to),  # -0.0 + 0.0 = 0.0
                                     tuple((labels[i], local[i] * upstream + 0.0) for i in to), index[id(g.utop)],
                                     to))
    return Trace(pull, tuple(forward), tuple(backward), labels, tuple(u.value for u in circuit.units),
                 tuple(u.grad for u in circuit.units))
