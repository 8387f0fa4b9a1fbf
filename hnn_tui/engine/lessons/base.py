"""What every lesson kind provides: read its part of a scenario file, build its objective, measure its state.

A kind is a `Lesson` subclass (circuit.py, classifier.py). The Session steps any of them the same way; the app
picks a panel by `kind`; nothing else asks which kind it has.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from ..objectives import Objective
from ..snapshot import EMPTY
from ..table import Table


class Measured(NamedTuple):
    """A lesson's state at one moment: its output, its named values, further measures and kind-specific detail."""

    output: float
    values: dict[str, float]
    measures: dict[str, float]
    detail: Any  # frozen, kind-specific (a circuit's wires); carried by the snapshot, never by the JSON
    extra: Mapping[str, Any] = EMPTY  # kind-specific JSON keys, after the measures (a classifier's batch, pulls)


class Lesson:
    """One lesson kind, live: the engine objects one session steps, built from the kind's frozen spec."""

    kind: ClassVar[str]  # the scenario file's `kind`
    spec_type: ClassVar[type]  # the frozen spec it is built from (lessons.lesson_for dispatches on it)
    output_name: ClassVar[str]  # what `output` means here: "output" (make it higher) or "cost" (lower)
    measures: ClassVar[tuple[str, ...]] = ()  # names of the further numbers each snapshot carries
    start_key: ClassVar[str]  # the file's key a start that is not finite is blamed on

    objective: Objective
    stage: Any  # frozen: what does not change while it runs (the wiring, the data, a scoring function)

    @staticmethod
    def read_spec(t: Table) -> Any:
        """Validate this kind's tables of a scenario file into its frozen spec (ScenarioError on the first fault)."""
        raise NotImplementedError  # each kind reads its own tables

    def __init__(self, spec: Any, rng: random.Random):
        raise NotImplementedError  # each kind builds its own objective (random starts draw from rng)

    def before_step(self, rng: random.Random, settings) -> None:
        """Called before every step with the settings it will use, e.g. to draw the step's batch of points."""

    def retune(self, spec: Any) -> None:
        """Take a spec that differs only in knobs the next step reads (a classifier's spring, loss, batch)."""
        raise ValueError("this lesson has no such knob")

    def set_input(self, name: str, value: float) -> None:
        """Poke an input to a new value (not a step): only lessons with named inputs have any."""
        raise ValueError("this lesson has no inputs to set")

    def batch_size(self) -> int:
        """How many forward passes one evaluation of the objective costs."""
        return 1

    def measure(self, wire_grads: bool) -> Measured:
        """The state now; `wire_grads` says whether the wires hold the grads of the last step's backward pass."""
        raise NotImplementedError

    def first_non_finite_detail(self, detail: Any) -> str | None:
        """Name the first non-finite number in the kind's detail (e.g. a wire), or None."""
        return None


def first_non_finite(lesson: Lesson, output: float, values, grads, detail) -> str | None:
    """Name the first non-finite wire, parameter or gradient, then the output; None when all is finite."""
    bad = lesson.first_non_finite_detail(detail)
    if bad:
        return bad
    if math.isfinite(output + sum(values.values()) + (sum(grads.values()) if grads else 0.0)):
        return None  # a nan or an inf anywhere makes the sum nan or inf; a finite sum means all is finite
    for what, table in (("parameter", values), ("gradient of", grads or {})):
        for name, x in table.items():
            if not math.isfinite(x):
                return f"{what} {name!r} became {x}"
    if not math.isfinite(output):
        return f"the {lesson.output_name} became {output}"
    return None
