"""The guide's three strategies raced on equal budgets: each from the same start and seed (a fresh Session each),
stepped until its next step would spend more forward passes than the budget has left, or it crossed a target.

What a step costs is known before it runs (Session.forward_passes_per_step: tries, P + 1 or 1, times the points
of a batch), so a lane never spends more than its budget: a step that would not fit is not taken. The race is
counted in forward passes, not steps, because that is the guide's point: the analytic gradient buys a step for
one forward and one backward, the numerical gradient for P + 1 forwards, random search for `tries`.

The app's race (screens.race) adds a fourth lane, the analytic gradient under the other kind of update rule
(`rival`), steps the lanes together (`interleaved`), and draws a finishing line (`finishing_line`).
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from .scenario import Scenario
from .session import Session
from .snapshot import Snapshot
from .strategies import STRATEGIES, Settings

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

    def __init__(self, scenario: Scenario, strategy: str, budget: int, target: float | None = None,
                 name: str | None = None):
        if not budget > 0:
            raise ValueError(f"the budget must be a positive number of forward passes, got {budget!r}")
        if target is not None and not math.isfinite(target):
            raise ValueError(f"the target must be a finite number, got {target!r}")
        self.session = Session(scenario, strategy)
        self.strategy, self.budget, self.target = strategy, budget, target
        self.name = name or strategy  # what the app calls the lane: its strategy, or e.g. "analytic+momentum"
        self.lower = lower_is_better(self.session)
        self.start = start = self.session.current
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


# ---- the app's race: a fourth lane, the lanes stepped together, a finishing line ------------------------------
FINISH_SHARE = 0.9  # the default line: this share of the way from the start to the analytic gradient's best


def rival(settings: Settings) -> tuple[str, Settings]:
    """The fourth lane's name and settings: the analytic gradient with momentum when the lesson takes plain steps
    (sgd; its mu, or 0.9 when that is 0), with plain steps when the lesson uses momentum or Nesterov's: what the
    update rule gains (or loses) over the same budget, beside the three strategies."""
    if settings.update == "sgd":
        return "analytic+momentum", replace(settings, update="momentum", momentum=settings.momentum or 0.9)
    return "analytic sgd", replace(settings, update="sgd")


def app_lanes(scenario: Scenario, budget: int, target: float | None = None) -> list[Lane]:
    """The three lanes of `lanes` (the CLI's, the same numbers), then the analytic gradient under the `rival`
    update rule: each a fresh session from the scenario's start and seed, with the scenario's settings."""
    name, settings = rival(scenario.settings)
    return lanes(scenario, budget, target) + [Lane(replace(scenario, settings=settings), "analytic", budget, target,
                                                   name)]


def interleaved(field: list[Lane]) -> Iterator[tuple[Lane, Snapshot]]:
    """Every lane's snapshots (as Lane.snapshots), the lanes stepped together: first each one's start, then always
    the step of the lane whose next step ends soonest, in forward passes spent (ties: the earlier lane), so that
    they advance across the passes side by side. Each lane is its own session: the numbers are a lone run's."""
    running = [(lane, lane.snapshots()) for lane in field]
    for lane, snaps in running:
        yield lane, next(snaps)
    while running:
        pair = min(running, key=lambda p: p[0].session.current.forward_passes + p[0].session.forward_passes_per_step())
        snap = next(pair[1], None)
        if snap is None:  # stopped: the budget, the line, or a divergence
            running.remove(pair)
            continue
        yield pair[0], snap


def nice_spacing(at_least: float) -> float:
    """The smallest 1-2-5 multiple of a power of ten that is >= `at_least` (> 0)."""
    spacing = 10.0 ** math.floor(math.log10(at_least))
    for m in (1, 2, 5, 10):
        if m * spacing >= at_least * (1 - 1e-12):
            return float(f"{m * spacing:.12g}")
    return 10 * spacing  # not reached: 10 x the power of ten below is always >= at_least


def finishing_line(analytic: Lane) -> tuple[float, float]:
    """The default finishing line and the notch `-`/`+` move it by, from the analytic gradient's lane run over the
    budget: FINISH_SHARE of the way from the start to its best output, rounded towards the start to a multiple of
    the notch (a 1-2-5 step of at least a twentieth of that way), so the analytic gradient crosses it within the
    budget. When it gets nowhere (a pull of 0, a budget too small for a step): a notch past the start."""
    start, best = analytic.start.output, analytic.best
    way = best - start if not analytic.lower else start - best  # > 0: it got better
    if not (way > 0 and math.isfinite(way)):
        notch = nice_spacing(max(1.0, abs(start)) / 100)
        return float(f"{start + (-notch if analytic.lower else notch):.12g}"), notch
    notch = nice_spacing(way / 20)
    line = start + FINISH_SHARE * (best - start)
    k = math.ceil(line / notch - 1e-9) if analytic.lower else math.floor(line / notch + 1e-9)
    return float(f"{k * notch:.12g}"), notch
