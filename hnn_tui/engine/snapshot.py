"""The immutable state after one step: all a panel, a status line or the JSON printer may read."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

EMPTY: Mapping = MappingProxyType({})  # a read-only empty mapping, for defaults


def plain(v: Any) -> Any:
    """A read-only value as JSON types: mappings and named tuples as dicts (fields in order), tuples as lists."""
    if isinstance(v, tuple) and hasattr(v, "_asdict"):
        return {k: plain(x) for k, x in v._asdict().items()}
    if isinstance(v, Mapping):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    return v


class Sample(tuple):
    """(step, output, measures, extra): a step as the history charts keep it, unpacked as those four; and `values`,
    the values after the step (read-only), for a path map that draws every step's point."""

    values: Mapping[str, float]

    def __new__(cls, step: int, output: float, measures: Mapping, extra: Mapping, values: Mapping[str, float]):
        sample = super().__new__(cls, (step, output, measures, extra))
        sample.values = values
        return sample


class Diverged(RuntimeError):
    """Raised by Session.step() once a value became NaN or infinite; reset() recovers."""


@dataclass(frozen=True)
class Snapshot:
    """One step's state. Mappings are read-only views of copies: nothing later can reach into them."""

    step: int
    strategy: str  # the strategy this step used (at step 0: the one selected)
    output: float  # the circuit's output, or the classifier's cost on the training set
    values: Mapping[str, float]  # inputs (circuit) or parameters (classifier): name -> value
    grads: Mapping[str, float] | None  # the gradient the step used; None for random search and step 0
    forward_passes: int  # cumulative, what the strategies spent
    backward_passes: int
    measures: Mapping[str, float]  # the lesson kind's further numbers, e.g. a classifier's accuracy
    detail: Any = None  # frozen and kind-specific (a circuit's wires); not part of the JSON line
    diverged: str | None = None  # set when this step produced a non-finite number
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # the kind's further JSON keys (read-only)

    def to_dict(self) -> dict:
        """The JSON line of `hnn-tui run --json`: the common keys, then the kind's measures, then its extra keys."""
        d = {"step": self.step, "strategy": self.strategy, "output": self.output, "values": dict(self.values),
             "grads": None if self.grads is None else dict(self.grads),
             "forward_passes": self.forward_passes, "backward_passes": self.backward_passes}
        d.update(self.measures)
        d.update((k, plain(v)) for k, v in self.extra.items())
        return d

    def sample(self) -> Sample:
        """(step, output, measures, extra) with `.values`: what the charts and the path map may keep of a snapshot
        (references, no copies: all five are read-only)."""
        return Sample(self.step, self.output, self.measures, self.extra, self.values)
