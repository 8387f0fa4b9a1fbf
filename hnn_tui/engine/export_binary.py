"""The binary classifier's own pieces of its program (engine.export_classifier uses them): the svm's and the net's
start, a line a parameter as initialization.init_params gives them (the mlp's is export_common's, shared with the
other kinds' layered models), the class weights on each point's loss and pull, and the tags that keep in its
templates only the lines of what the lesson switches on.

The templates mark such lines with a tag at their end: `  #[l1]` keeps a line only when L1 is on, `  #[!l1]` only
when it is off (likewise `dropout`, `weights`, and `hidden` for a model with hidden neurons: the net, the mlp);
`keep` removes the tags and the lines that do not apply.
"""
from __future__ import annotations

import re

from .export_steps import wrap
from .penalties import BALANCED, weights_of

TAG = re.compile(r"\s+#\[(!?)(\w+)\]$")


def features(spec) -> set[str]:
    """What a binary classifier's spec switches on: "l1", "dropout", "weights" (class weights), "hidden"."""
    on = {"l1"} if spec.l1 else set()
    if spec.dropout:
        on.add("dropout")
    if weights_of(spec) is not None:
        on.add("weights")
    if spec.model != "svm":
        on.add("hidden")
    return on


def keep(template: str, on: set[str]) -> str:
    """The template's lines that apply when the features `on` are on, their tags removed."""
    out = []
    for line in template.split("\n"):
        tag = TAG.search(line)
        if tag is None:
            out.append(line)
        elif (tag.group(2) in on) != (tag.group(1) == "!"):
            out.append(line[:tag.start()])
    return "\n".join(out)


def class_weights(spec) -> list[str]:
    """CLASS_WEIGHTS, the weight of each class's points, when the lesson has them."""
    weights = weights_of(spec)
    if weights is None:
        return []
    how = ("balanced: N / (2 * the class's points), every class weighs as much in total"
           if spec.class_weights_mode == BALANCED else "the lesson's table")
    return [f"CLASS_WEIGHTS = {{1: {weights[1]!r}, -1: {weights[-1]!r}}}  # each point's loss and pull times its "
            f"class's weight ({how})"]


def circuit_start(spec, model) -> str:
    """The svm's or the net's start(rng), a line a parameter, as init_params gives them: the file's init, else
    drawn in order."""
    given = dict(spec.init or ())
    lines = ["def start(rng):", '    """The starting parameters: the file\'s own, else drawn (in this order, from '
             'the run\'s rng)."""']
    for p in model.params:
        fans = model.fans.get(p)  # None: a bias
        if p in given:
            value = repr(float(given[p]))
        elif fans is None and spec.bias_start is not None:
            value = f"{float(spec.bias_start)!r}  # every bias's start"
        elif spec.init_scheme == "uniform" and p not in model.zero_start:
            value = f"(rng.random() * 2 - 1) * {spec.init_scale!r}  # uniform in +-init_scale"
        elif fans is None:
            value = "0.0  # a bias starts at 0"
        elif spec.init_scheme == "xavier":
            value = f"(rng.random() * 2 - 1) * math.sqrt(6.0 / ({fans[0]} + {fans[1]}))  # Xavier: fans in, out"
        else:
            value = f"rng.gauss(0.0, math.sqrt(2.0 / {fans[0]}))  # He: fan in {fans[0]}"
        lines.append(f"    {p} = {value}")
    return "\n".join(lines + wrap("return [", list(model.params), "]"))
