"""How a pull moves the parameters: a plain step, momentum, or Nesterov's look-ahead momentum; and L1's shrink.

The strategies make the objective higher, so every step goes *with* the pull g (lr = the scheduled step size):

- sgd:       x <- x + lr * g
- momentum:  v <- mu * v + lr * g;  x <- x + v          (v remembers past pulls: a heavy ball rolling downhill)
- nesterov:  the same, but g is taken at the look-ahead point x + mu * v, where the velocity is about to carry x

L1 as a proximal step: a weight under an L1 penalty of strength l1 first moves by the smooth pull alone, then
shrinks toward 0 by lr * l1, stopping at exactly 0 (soft thresholding, as in ISTA). A weight whose smooth pull is
weaker than l1 stays at 0, which the subgradient -l1 * sign(w) alone could never do: it would jitter around 0.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .strategies import Settings

UPDATES = ("sgd", "momentum", "nesterov")
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)  # the app's rungs for mu (j / J)


def shrink(w: float, by: float) -> float:
    """Soft thresholding: w moved toward 0 by `by`, and exactly 0.0 (never -0.0) if it would cross."""
    left = abs(w) - by
    return math.copysign(left, w) if left > 0 else 0.0


class Motion:
    """A session's velocity: one float per parameter, zero at the start (and after a reset). It belongs to an
    update rule: the first step under another rule starts it again from zero; a new coefficient keeps it; random
    search never touches it. Mutable: only the step that holds the session's step lock uses it."""

    def __init__(self):
        self.velocity: list[float] = []  # empty: zero, sized at the next step
        self.rule = "sgd"  # the update rule the velocity was built by

    def zero(self) -> None:
        self.velocity = []

    def _velocity(self, rule: str, n: int) -> list[float]:
        if rule not in UPDATES:
            raise ValueError(f"unknown update rule {rule!r}; expected one of {', '.join(UPDATES)}")
        if rule != self.rule or len(self.velocity) != n:
            self.rule, self.velocity = rule, [0.0] * n
        return self.velocity

    def look_ahead(self, x: list[float], s: Settings) -> list[float]:
        """Where the gradient is taken: x + mu * v for Nesterov, else x itself (the very list)."""
        v = self._velocity(s.update, len(x))
        if s.update != "nesterov":
            return x
        return [p + s.momentum * vi for p, vi in zip(x, v)]

    def moved(self, x: list[float], g: list[float], s: Settings, l1: float = 0.0, l1_idx=()) -> list[float]:
        """The parameters after one step from `x` along the (smooth) pull `g` with step size s.step_size; the
        parameters in `l1_idx` then shrink toward 0 by step_size * l1."""
        lr = s.step_size
        v = self._velocity(s.update, len(x))
        if s.update == "sgd":
            new = [p + lr * gi for p, gi in zip(x, g)]
        else:
            mu = s.momentum
            v = [mu * vi + lr * gi for vi, gi in zip(v, g)]  # v <- mu v + lr g: old velocity decayed, plus the pull
            self.velocity = v
            new = [p + vi for p, vi in zip(x, v)]  # x <- x + v
        if l1:
            by = lr * l1
            for j in l1_idx:
                new[j] = shrink(new[j], by)
        return new

