"""The guide's three strategies raced on equal budgets: each from the same start and seed (a fresh Session each),
stepped until its next step would spend more forward passes than the budget has left, or it crossed a target.

What a step costs is known before it runs (Session.forward_passes_per_step: tries, P + 1 or 1, times the points
of a batch), so a lane never spends more than its budget: a step that would not fit is not taken. The race is
counted in forward passes, not steps, because that is the guide's point: the analytic gradient buys a step for
one forward and one backward, the numerical gradient for P + 1 forwards, random search for `tries`.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from .scenario import Scenario
from .session import Session
from .snapshot import Snapshot
from .strategies import STRATEGIES

RACERS = tuple(STRATEGIES)  # random, numerical, analytic: the guide's order


def lower_is_better(session: Session) -> bool:
    """A cost (classifiers, regressions) is made lower; a circuit's output higher, unless its pull is negative
    (svm_cost, momentum_valley pull it down). A pull of 0 counts as up: nothing moves either way."""
    return session.lesson_type.output_name == "cost" or session.settings.pull < 0


def crossed(output: float, target: float | None, lower: bool) -> bool:
    """Whether `output` is at or past the finishing line: <= target when lower is better, else >= target."""
    if target is None:
        return False
    return output <= target if lower else output >= target


def default_budget(scenario: Scenario) -> int:
    """What the scenario's own steps cost the analytic gradient (what `hnn-tui run --strategy analytic` spends),
    and never less than one step of the costliest strategy, so that every strategy can take at least one step."""
    per_step = {name: Session(scenario, name).forward_passes_per_step() for name in RACERS}
    return max(scenario.steps * per_step["analytic"], *per_step.values())


@dataclass(frozen=True)
class Standing:
    """One lane's result: its last and best output, what it spent, and when it crossed the target (or None)."""

    strategy: str
    output: float  # after its last finite step
    best: float  # the highest output (lowest when lower is better) of its start and steps
    forward_passes: int  # all it spent, never more than the budget
    backward_passes: int
    steps: int
    crossed_at: int | None  # the forward passes spent when it first crossed the target (0: the start did)
    stopped: str  # "budget", "target", or the divergence message

    def to_dict(self) -> dict:
        return {"output": self.output, "best": self.best, "forward_passes": self.forward_passes,
                "backward_passes": self.backward_passes, "steps": self.steps, "crossed_at": self.crossed_at,
                "stopped": self.stopped}


class Lane:
    """One strategy's run in a race: a fresh session on the scenario, stepped while the next step fits."""

    def __init__(self, scenario: Scenario, strategy: str, budget: int, target: float | None = None):
        if not budget > 0:
            raise ValueError(f"the budget must be a positive number of forward passes, got {budget!r}")
        if target is not None and not math.isfinite(target):
            raise ValueError(f"the target must be a finite number, got {target!r}")
        self.session = Session(scenario, strategy)
        self.strategy, self.budget, self.target = strategy, budget, target
        self.lower = lower_is_better(self.session)
        start = self.session.current
        self.last, self.best = start, start.output
        self.crossed_at = 0 if crossed(start.output, target, self.lower) else None
        self.stopped: str | None = None

    def snapshots(self) -> Iterator[Snapshot]:
        """The start, then each step's snapshot, until the target is crossed, the next step would overrun the
        budget, or a step diverged (that step is not yielded: its numbers are not finite)."""
        yield self.last
        while self.stopped is None:
            if self.crossed_at is not None:
                self.stopped = "target"
                return
            spent = self.session.current.forward_passes
            if self.session.forward_passes_per_step() > self.budget - spent:  # it would not fit: not taken
                self.stopped = "budget"
                return
            snap = self.session.step()
            if snap.forward_passes > self.budget:  # the prediction and the count must agree
                raise RuntimeError(f"{self.strategy}: a step spent {snap.forward_passes - spent} forward passes, "
                                   f"more than the {self.budget - spent} it was allowed")
            if snap.diverged:
                self.stopped = snap.diverged
                return
            self.last = snap
            self.best = min(self.best, snap.output) if self.lower else max(self.best, snap.output)
            if crossed(snap.output, self.target, self.lower):
                self.crossed_at = snap.forward_passes
            yield snap

    def standing(self) -> Standing:
        now = self.session.current  # a diverged step's passes were spent too
        return Standing(self.strategy, self.last.output, self.best, now.forward_passes, now.backward_passes,
                        self.last.step, self.crossed_at, self.stopped or "running")


def lanes(scenario: Scenario, budget: int, target: float | None = None) -> list[Lane]:
    """One lane per strategy, each from the scenario's start and seed."""
    return [Lane(scenario, name, budget, target) for name in RACERS]
