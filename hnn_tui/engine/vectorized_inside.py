"""What a numpy step leaves in `inside`, as the Python engine's objectives leave it (inside.Inside, ClassInside),
made cheaply: the pulls by name as views over one array, and the batch's one record per point made only when read
(the JSON, the force inspector), not on every step of a 2,000-point full batch."""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np

from .inside import Inside


class NamedValues(Mapping):
    """A read-only name -> value view over one array (a step's data pull or spring pull): built at once, looked
    up by name only when a panel or the JSON reads it. Equal to the dict the Python engine builds."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: np.ndarray):
        self._index, self._values = index, values

    def __getitem__(self, name: str) -> float:
        return float(self._values[self._index[name]])

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"NamedValues({dict(self)!r})"


class LazyBatch:
    """An inside record whose `batch` rows (one record per point) are made when first read, then kept: a full
    batch of 2,000 points makes 2,000 records, and only what reads them (the JSON, the force inspector, the check
    for numbers that are not finite) pays for it. The rest is the record as the Python engine makes it. Mixed in
    before Inside or ClassInside (frozen dataclasses: set once here, never changed)."""

    def __init__(self, rows, data_pull, spring_pull, hidden):
        for name, value in (("_rows", rows), ("_made", None), ("data_pull", data_pull), ("spring_pull", spring_pull),
                            ("hidden", hidden)):
            object.__setattr__(self, name, value)

    @property
    def batch(self) -> tuple:
        made = self._made
        if made is None:  # two threads may both make it: the same rows, either kept
            made = self._rows()
            object.__setattr__(self, "_made", made)
        return made


class LazyInside(LazyBatch, Inside):
    """inside.Inside with its batch made when read."""


def record_of(record_type):
    """A maker of `record_type` rows (a NamedTuple) from tuples of its fields, with no Python call per row."""
    return partial(tuple.__new__, record_type)


def hidden_of_one(hidden) -> tuple[tuple[float, ...], ...] | None:
    """A one-point batch's hidden outputs, layer by layer, as the Python engine's hidden_reader gives them."""
    if not hidden:
        return None
    return tuple(tuple(out[0].tolist()) for _, out in hidden)
