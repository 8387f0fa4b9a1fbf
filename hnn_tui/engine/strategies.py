"""The guide's three ways to make an objective higher, behind one interface, with their cost counted."""
from __future__ import annotations

import random
from dataclasses import dataclass

from .objectives import Objective


@dataclass(frozen=True)
class Settings:
    """Knobs the strategies read. Frozen: a change is a new Settings, swapped in whole (Session.set_settings)."""

    step_size: float = 0.01
    step_size_end: float | None = None  # when set, the step size falls linearly to this over the scenario's steps
    h: float = 1e-4
    centered: bool = False
    tweak: float = 0.01
    tries: int = 100
    pull: float = 1.0  # circuits: the gradient the backward pass starts from; the strategies make pull x output higher


@dataclass(frozen=True)
class StepResult:
    """What one step did: the gradient it used (None for random search) and what it cost."""

    strategy: str
    grads: dict[str, float] | None
    forward_passes: int
    backward_passes: int


class Strategy:
    name = ""

    def step(self, obj: Objective, s: Settings, rng: random.Random) -> StepResult:
        f0, b0 = obj.forward_passes, obj.backward_passes
        grads = self._step(obj, s, rng)
        named = None if grads is None else dict(zip(obj.names, grads))
        return StepResult(self.name, named, obj.forward_passes - f0, obj.backward_passes - b0)

    def _step(self, obj: Objective, s: Settings, rng: random.Random) -> list[float] | None:
        raise NotImplementedError  # each strategy below defines how it moves

    def forward_passes(self, params: int, s: Settings) -> int:
        """What one step spends in forward passes on one point, for `params` parameters."""
        raise NotImplementedError


def follow(obj: Objective, grads: list[float], step_size: float) -> None:
    """Let every parameter respond to its pull: p += step_size * grad."""
    obj.set([p + step_size * g for p, g in zip(obj.get(), grads)])


class RandomSearch(Strategy):
    """Strategy #1: `tries` random tweaks of up to ±tweak around the point; move to the best one tried."""

    name = "random"

    def _step(self, obj, s, rng):
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


class NumericalGradient(Strategy):
    """Strategy #2: the gradient by probing (P+1 forwards, 2P centered), then a step along it."""

    name = "numerical"

    def _step(self, obj, s, rng):
        grads = numerical_gradient(obj, s.h, s.centered)
        follow(obj, grads, s.step_size)
        return grads

    def forward_passes(self, params, s):
        return 2 * params if s.centered else params + 1


class AnalyticGradient(Strategy):
    """Strategy #3: backprop, one forward and one backward, then a step along the exact gradient."""

    name = "analytic"

    def _step(self, obj, s, rng):
        grads = obj.pull()
        follow(obj, grads, s.step_size)
        return grads

    def forward_passes(self, params, s):
        return 1  # and one backward


STRATEGIES: dict[str, Strategy] = {st.name: st for st in (RandomSearch(), NumericalGradient(), AnalyticGradient())}
