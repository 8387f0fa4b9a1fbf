"""Walking through a pass, gate by gate: where the walk is, what the tree shows there, and the chain rule in words.

Position 0 shows the inputs alone; positions 1..G the forward pass (gate k computes its wire); G+1..2G the backward
pass from the output down (each gate multiplies the gradient from above by its local derivatives and adds the
products into its input wires).
"""
from __future__ import annotations

from rich.text import Text

from ..engine.trace import Trace
from ..numbers import num
from .circuit_view import TreeView, is_constant

RULES = {"+": "1 for each input", "-": "1 for the first input, -1 for the second", "*": "the other input",
         "/": "1/b for a, -a/b² for b", "**": "p·u^(p-1)", "sigmoid": "s(1 - s)", "tanh": "1 - t²",
         "relu": "1 where u > 0, else 0", "exp": "e^u", "log": "1/u",
         "max": "1 for the larger input, 0 for the other (the first on a tie)"}


def shown(label: str) -> str:
    """A wire as the words name it: a constant as its number, a label with spaces in parentheses."""
    if is_constant(label):
        return label.split(" #")[0]
    return f"({label})" if " " in label else label


def last_position(trace: Trace) -> int:
    return 2 * len(trace.forward)


def tree_view(trace: Trace, position: int, cursor: int | None = None) -> TreeView:
    """What the tree shows at `position`: the values computed so far, or the gradients added so far."""
    gates = len(trace.forward)
    produced = {s.at for s in trace.forward}
    if position <= gates:
        known = {i for i in range(len(trace.labels)) if i not in produced}
        known |= {s.at for s in trace.forward[:position]}
        here = trace.forward[position - 1].at if position else None
        return TreeView(known=frozenset(known), here=here, cursor=cursor)
    done = trace.backward[: position - gates]
    output = trace.forward[-1].at
    sums: dict[int, list[float]] = {output: [trace.pull]}
    for step in done:
        for i, (_, amount) in zip(step.to, step.added):
            if not is_constant(trace.labels[i]):
                sums.setdefault(i, []).append(amount)
    return TreeView(sums=sums, here=done[-1].at, cursor=cursor)


def explain(trace: Trace, position: int) -> Text:
    """The walk's words at `position`: the gate, its inputs and output, or its local derivatives and what it adds."""
    gates, value = len(trace.forward), dict(zip(trace.labels, trace.values))
    text = Text()
    if position == 0:
        text.append("The inputs, before any gate has run. ", style="bold")
        text.append("→ walks the forward pass gate by gate, ← goes back, w or escape leaves.")
        return text
    if position <= gates:
        s = trace.forward[position - 1]
        text.append(f"forward {position} of {gates}: ", style="bold")
        def arg(name: str) -> str:
            return shown(name) if is_constant(name) else f"({name} = {num(value[name])})"

        args = f" {s.gate} ".join(arg(name) for name in s.inputs) if len(s.inputs) > 1 \
            else f"{s.gate}{arg(s.inputs[0])}" if not is_constant(s.inputs[0]) else f"{s.gate}({s.inputs[0]})"
        text.append(f"{s.wire} = {args} = {num(s.value)}")
        if position == gates:
            text.append(f"\nThe output. → starts the backward pass with a pull of {num(trace.pull)} on it.")
        return text
    k = position - gates
    s = trace.backward[k - 1]
    text.append(f"backward {k} of {gates}: the {s.gate} gate making {s.wire}\n", style="bold")
    text.append(f"gradient from above: ∇ {shown(s.wire)} = {num(s.upstream)}\n")
    rule = "-1" if s.gate == "-" and len(trace.forward[gates - k].inputs) == 1 else RULES.get(s.gate, "")
    wires = [(name, d, a) for (name, d), (_, a) in zip(s.local, s.added) if not is_constant(name)]
    text.append("local derivatives" + (f" ({rule})" if rule else "") + ": ")
    text.append(", ".join(f"∂{shown(s.wire)}/∂{shown(name)} = {num(d)}" for name, d, _ in wires) + "\n")
    text.append("added: " + ";  ".join(f"{shown(name)} += {num(d)} × {num(s.upstream)} = {num(a)}"
                                        for name, d, a in wires))
    if k == gates:
        shared = [(trace.labels[i], trace.contributions(i)) for i in range(len(trace.labels))
                  if len(trace.contributions(i)) > 1 and not is_constant(trace.labels[i])]
        for name, parts in shared:
            total = sum(a for _, a in parts)
            text.append(f"\n{name} feeds {len(parts)} gates: ∇ " + " + ".join(num(a) for _, a in parts)
                        + f" = {num(total)}")
        text.append("\nThe end of the pass: every wire holds its gradient.")
    return text
