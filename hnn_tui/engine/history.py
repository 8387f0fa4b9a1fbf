"""A bounded history of (step, value) pairs: a long run keeps a fixed resolution, not every step."""
from __future__ import annotations


class History:
    """Keeps at most `capacity` samples; when full, drops every other one and samples half as often."""

    def __init__(self, capacity: int = 1000):
        if capacity < 2:
            raise ValueError("a history needs room for at least 2 samples")
        self.capacity = capacity
        self.clear()

    def clear(self) -> None:
        self.steps: list[int] = []
        self.values: list[float] = []
        self.stride = 1  # keep steps that are multiples of stride

    def add(self, step: int, value: float) -> None:
        if step % self.stride:
            return
        if self.steps and step <= self.steps[-1]:
            return  # a step seen already (e.g. a repeated snapshot)
        self.steps.append(step)
        self.values.append(value)
        if len(self.steps) >= self.capacity:
            self.stride *= 2
            keep = [i for i, s in enumerate(self.steps) if s % self.stride == 0]
            self.steps = [self.steps[i] for i in keep]
            self.values = [self.values[i] for i in keep]

    def __len__(self) -> int:
        return len(self.steps)

    def sample(self, points: int) -> tuple[list[int], list[float]]:
        """At most `points` evenly spaced samples, always ending with the latest (for plotting)."""
        n = len(self.steps)
        if n <= points:
            return list(self.steps), list(self.values)
        idx = [round(i * (n - 1) / (points - 1)) for i in range(points)]
        return [self.steps[i] for i in idx], [self.values[i] for i in idx]
