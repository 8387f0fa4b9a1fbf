"""The guide's three ways to make an objective higher, behind one interface, with their cost counted."""
from __future__ import annotations

import random
from dataclasses import dataclass

from .objectives import Objective
from .updates import Motion
from .vectorized_inside import NamedValues


@dataclass(frozen=True)
class Settings:
    """Knobs the strategies read. Frozen: a change is a new Settings, swapped in whole (Session.set_settings)."""

    step_size: float = 0.01
    step_size_end: float | None = None  # the linear schedule's last step size (reached at the scenario's steps)
    h: float = 1e-4
    centered: bool = False
    tweak: float = 0.01
    tries: int = 100
    pull: float = 1.0  # circuits: the gradient the backward pass starts from; the strategies make pull x output higher
    update: str = "sgd"  # how a pull moves the parameters: updates.UPDATES
    momentum: float = 0.9  # mu, 0 <= mu < 1: how much velocity a step keeps (momentum and nesterov only)
    schedule: str = "constant"  # how the step size changes over the steps: schedules.SCHEDULES
    decay: float = 0.5  # step and exponential schedules: the step size is multiplied by this ...
    decay_every: int = 100  # ... every this many steps

    def __post_init__(self):
        if self.step_size_end is not None and self.schedule == "constant":  # an end and no schedule: linear, as of old
            object.__setattr__(self, "schedule", "linear")


@dataclass(frozen=True)
class StepResult:
    """What one step did: the gradient it used (None for random search) and what it cost."""

    strategy: str
    grads: dict[str, float] | None
    forward_passes: int
    backward_passes: int


class Strategy:
    name = ""

    def step(self, obj: Objective, s: Settings, rng: random.Random, motion: Motion | None = None) -> StepResult:
        """One step with settings `s` (s.step_size: the scheduled one). `motion`: the session's velocity, which a
        pull's update rule reads and changes (None: a fresh one, zero)."""
        f0, b0 = obj.forward_passes, obj.backward_passes
        grads = self._step(obj, s, rng, Motion() if motion is None else motion)
        index = getattr(obj, "index", None)  # a numpy objective's name -> place: a view, no dict of 337 entries
        named = None if grads is None else dict(zip(obj.names, grads)) if index is None else NamedValues(index, grads)
        return StepResult(self.name, named, obj.forward_passes - f0, obj.backward_passes - b0)

    def _step(self, obj: Objective, s: Settings, rng: random.Random, motion: Motion) -> list[float] | None:
        raise NotImplementedError  # each strategy below defines how it moves

    def forward_passes(self, params: int, s: Settings) -> int:
        """What one step spends in forward passes on one point, for `params` parameters."""
        raise NotImplementedError


class PullStrategy(Strategy):
    """A strategy that measures the pull on every parameter, then moves along it by the update rule (updates.py)."""

    def _step(self, obj, s, rng, motion):
        x = obj.get()
        at = motion.look_ahead(x, s)  # Nesterov: where the velocity is about to carry x; else x itself
        if at is not x:
            obj.set(at)
        grads = self.gradient(obj, s)
        smooth, l1 = grads, getattr(obj, "l1", 0.0)
        if l1:  # the pull holds L1's slope -l1 * sign(w); take it out: the update's shrink does L1's part exactly
            smooth = list(grads)
            for j in obj.l1_idx:
                smooth[j] += l1 * self.l1_slope(at[j], s)
        obj.set(motion.moved(x, smooth, s, l1, getattr(obj, "l1_idx", ())))
        return grads

    def gradient(self, obj: Objective, s: Settings) -> list[float]:
        raise NotImplementedError

    def l1_slope(self, w: float, s: Settings) -> float:
        """What this gradient measures of |w|'s slope at w (the pull holds -l1 times it)."""
        raise NotImplementedError


class RandomSearch(Strategy):
    """Strategy #1: `tries` random tweaks of up to ±tweak around the point; move to the best one tried."""

    name = "random"

    def _step(self, obj, s, rng, motion):  # no pull, so no update rule: the velocity stays as it is
        x0 = obj.get()
        best_out, best_x = -float("inf"), x0
        for _ in range(s.tries):
            x_try = [x + s.tweak * (rng.random() * 2 - 1) for x in x0]
            obj.set(x_try)
            out = obj.evaluate()
            if out > best_out:  # NaN never wins, so a run cannot silently adopt it
                best_out, best_x = out, x_try
        obj.set(best_x)
        return None

    def forward_passes(self, params, s):
        return s.tries


def numerical_gradient(obj: Objective, h: float, centered: bool = False) -> list[float]:
    """Probe each parameter by h: (f(x+h) - f(x)) / h, or (f(x+h) - f(x-h)) / 2h when centered."""
    if not h > 0:
        raise ValueError(f"h must be a positive number, got {h!r}")
    x0 = obj.get()
    f0 = None if centered else obj.evaluate()
    grads = []
    for i in range(len(x0)):
        probe = list(x0)
        probe[i] = x0[i] + h
        obj.set(probe)
        f_plus = obj.evaluate()
        if centered:
            probe[i] = x0[i] - h
            obj.set(probe)
            grads.append((f_plus - obj.evaluate()) / (2 * h))
        else:
            grads.append((f_plus - f0) / h)
    obj.set(x0)
    return grads


class NumericalGradient(PullStrategy):
    """Strategy #2: the gradient by probing (P+1 forwards, 2P centered), then a step along it."""

    name = "numerical"

    def gradient(self, obj, s):
        return numerical_gradient(obj, s.h, s.centered)

    def l1_slope(self, w, s):  # the probe's own difference quotient of |w|: not sign(w) within h of 0
        if s.centered:
            return (abs(w + s.h) - abs(w - s.h)) / (2 * s.h)
        return (abs(w + s.h) - abs(w)) / s.h

    def forward_passes(self, params, s):
        return 2 * params if s.centered else params + 1


class AnalyticGradient(PullStrategy):
    """Strategy #3: backprop, one forward and one backward, then a step along the exact gradient."""

    name = "analytic"

    def gradient(self, obj, s):
        return obj.pull()

    def l1_slope(self, w, s):  # sign(w), and 0 at 0
        return (w > 0) - (w < 0)

    def forward_passes(self, params, s):
        return 1  # and one backward


STRATEGIES: dict[str, Strategy] = {st.name: st for st in (RandomSearch(), NumericalGradient(), AnalyticGradient())}
