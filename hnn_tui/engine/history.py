"""A bounded history of (step, value) pairs: a long run keeps a fixed resolution, not every step, and never loses
a peak or a dip: each stretch of steps keeps its lowest and its highest value."""
from __future__ import annotations

import bisect
from collections.abc import Sequence

INF = float("inf")


def extremes(steps: Sequence, values: Sequence, keys: Sequence) -> tuple[list, list]:
    """Per run of equal `keys` (a bucket of steps): its lowest and its highest sample, in step order (one sample
    when they are the same one). Ties keep the earliest."""
    out_steps, out_values = [], []
    i, n = 0, len(steps)
    while i < n:
        key, lo, hi, j = keys[i], i, i, i + 1
        while j < n and keys[j] == key:
            v = values[j]
            if v < values[lo]:
                lo = j
            elif v > values[hi]:
                hi = j
            j += 1
        for k in ((lo,) if lo == hi else (lo, hi) if lo < hi else (hi, lo)):
            out_steps.append(steps[k])
            out_values.append(values[k])
        i = j
    return out_steps, out_values


class History:
    """At most `capacity` samples: per bucket of `stride` steps the lowest and the highest value (in step order),
    plus the latest sample. When full, buckets merge pairwise (stride doubles), keeping each pair's extremes; so
    memory stays bounded, add() stays a few comparisons, and a single 1.0 in a long run is never dropped."""

    __slots__ = ("capacity", "stride", "_steps", "_values", "_end", "_lo_step", "_lo_value", "_hi_step",
                 "_hi_value", "_last_step", "_last_value", "_view", "_view_at")

    def __init__(self, capacity: int = 1000):
        if capacity < 8:
            raise ValueError("a history needs room for at least 8 samples")
        self.capacity = capacity
        self.clear()

    def clear(self) -> None:
        self.stride = 1  # the width, in steps, of a bucket
        self._steps: list[int] = []  # the closed buckets' extremes
        self._values: list[float] = []
        self._end = -INF  # the open bucket (the latest one) holds steps below this
        self._lo_step = self._hi_step = self._last_step = -INF
        self._lo_value = self._hi_value = self._last_value = 0.0
        self._view: tuple[list[int], list[float]] = ([], [])  # steps and values as of step _view_at
        self._view_at = -INF

    def add(self, step: int, value: float) -> None:
        """Called for every step of a run: a few comparisons, unless the step opens a new bucket."""
        if step <= self._last_step:
            return  # a step seen already (e.g. a repeated snapshot)
        self._last_step, self._last_value = step, value
        if step < self._end:
            if value < self._lo_value:
                self._lo_step, self._lo_value = step, value
            elif value > self._hi_value:
                self._hi_step, self._hi_value = step, value
            return
        # close the open bucket: keep its extremes (its latest sample only if it is one of them)
        lo, hi = self._lo_step, self._hi_step
        if lo == hi:
            if lo != -INF:
                self._steps.append(lo)
                self._values.append(self._lo_value)
        elif lo < hi:
            self._steps += (lo, hi)
            self._values += (self._lo_value, self._hi_value)
        else:
            self._steps += (hi, lo)
            self._values += (self._hi_value, self._lo_value)
        stride = self.stride
        self._end = (step // stride + 1) * stride
        self._lo_step = self._hi_step = step
        self._lo_value = self._hi_value = value
        if len(self._steps) > self.capacity - 3:  # full, but for the open bucket's 3
            self._thin()

    def _thin(self) -> None:
        """Merge buckets (doubling the stride) until half full, keeping each merged bucket's extremes and the very
        first sample (where the chart starts); then the open bucket takes in what now falls into it."""
        steps, values = self._steps, self._values
        while len(steps) > self.capacity // 2:
            # each bucket keeps at most 2 samples: widen the buckets until that many fit, then merge in one pass
            while 1 + 2 * (steps[-1] // self.stride - steps[1] // self.stride + 1) > self.capacity // 2:
                self.stride *= 2
            rest = extremes(steps[1:], values[1:], [s // self.stride for s in steps[1:]])
            steps, values = [steps[0], *rest[0]], [values[0], *rest[1]]
        self._steps, self._values = steps, values
        start = self._last_step // self.stride * self.stride
        self._end = start + self.stride
        while len(steps) > 1 and steps[-1] >= start:  # earlier than the open bucket's: they win ties
            step, value = steps.pop(), values.pop()
            if value <= self._lo_value:
                self._lo_step, self._lo_value = step, value
            if value >= self._hi_value:
                self._hi_step, self._hi_value = step, value

    def truncate(self, step: int) -> None:
        """Forget every sample after `step` (training went on from an earlier step: engine.rewind drops the rest).
        The samples kept stay as they were, the stride too; the next add() opens a new bucket."""
        steps, values = self._current()
        n = bisect.bisect_right(steps, step)
        if n == len(steps):
            return
        self._steps, self._values = steps[:n], values[:n]
        self._end = -INF  # no open bucket: the next step opens one
        self._lo_step = self._hi_step = -INF
        self._lo_value = self._hi_value = 0.0
        self._last_step, self._last_value = (self._steps[-1], self._values[-1]) if n else (-INF, 0.0)
        self._view_at = None  # worked out again

    def _open_entries(self) -> list[tuple[int, float]]:
        """The open bucket's lowest, highest and latest samples, in step order, each once."""
        if self._end == -INF:
            return []
        return sorted({self._lo_step: self._lo_value, self._hi_step: self._hi_value,
                       self._last_step: self._last_value}.items())

    def _current(self) -> tuple[list[int], list[float]]:
        """Every sample kept, the open bucket's too; worked out once per new step (add() changes the last step)."""
        if self._view_at != self._last_step:
            entries = self._open_entries()
            self._view = self._steps + [s for s, _ in entries], self._values + [v for _, v in entries]
            self._view_at = self._last_step
        return self._view

    @property
    def steps(self) -> list[int]:
        """The steps kept, in order (read only: a shared list)."""
        return self._current()[0]

    @property
    def values(self) -> list[float]:
        """The values kept, one per step in `steps` (read only: a shared list)."""
        return self._current()[1]

    def __len__(self) -> int:
        return len(self._current()[0])

    def sample(self, points: int) -> tuple[list[int], list[float]]:
        """At most `points` samples for plotting: the first, the latest, and in between, per bucket of steps, the
        lowest and the highest value in step order, so no peak or dip is lost to the downsampling."""
        if points < 4:
            raise ValueError("a sample needs room for at least 4 points")
        steps, values = self.steps, self.values
        n = len(steps)
        if n <= points:
            return list(steps), list(values)
        buckets = (points - 2) // 2
        first, span = steps[0], steps[-1] - steps[0] + 1
        keys = [(s - first) * buckets // span for s in steps[1:-1]]
        mid_steps, mid_values = extremes(steps[1:-1], values[1:-1], keys)
        return [first, *mid_steps, steps[-1]], [values[0], *mid_values, values[-1]]
