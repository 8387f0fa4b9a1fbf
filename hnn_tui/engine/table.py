"""Typed reads from a scenario's TOML tables; every refusal names the file and the dotted key."""
from __future__ import annotations

import math


class ScenarioError(ValueError):
    """A scenario that cannot be used: names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, problem: str):
        self.source, self.key, self.problem = source, key, problem
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + problem)


def short(v) -> str:
    """A value as a message quotes it: its repr, cut at 40 characters."""
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


class Table:
    """One TOML table of a scenario file; `finish()` refuses any key that no read asked for."""

    def __init__(self, source: str, data: dict, prefix: str = ""):
        self.source, self.data, self.prefix, self.seen = source, data, prefix, set()

    def fail(self, key: str, problem: str):
        raise ScenarioError(self.source, self.prefix + key, problem)

    def get(self, key, kinds, default=..., what=""):
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                self.fail(key, f"missing; expected {what}")
            return default
        v = self.data[key]
        if isinstance(v, bool) and bool not in kinds or not isinstance(v, kinds):
            self.fail(key, f"expected {what}, got {type(v).__name__} {short(v)}")
        return v

    def number(self, key, default=..., positive=False, minimum=None):
        v = self.get(key, (int, float), default, "a number")
        if v is default:
            return v
        if not math.isfinite(v):
            self.fail(key, f"expected a finite number, got {v}")
        if positive and not v > 0:
            self.fail(key, f"expected a number greater than 0, got {v}")
        if minimum is not None and v < minimum:
            self.fail(key, f"expected a number >= {minimum}, got {v}")
        return float(v)

    def integer(self, key, default=..., lo=0, hi=10**9):
        v = self.get(key, (int,), default, f"a whole number from {lo} to {hi}")
        if not lo <= v <= hi:
            self.fail(key, f"expected a whole number from {lo} to {hi}, got {v}")
        return v

    def choice(self, key, options, default=...):
        v = self.get(key, (str,), default, "one of " + ", ".join(options))
        if v not in options:
            self.fail(key, f"expected one of {', '.join(options)}, got {v!r}")
        return v

    def table(self, key, default=...) -> Table:
        v = self.get(key, (dict,), default, "a table")
        return Table(self.source, v, f"{self.prefix}{key}.")

    def numbers(self, key, default=...) -> tuple[tuple[str, float], ...]:
        """A table of name -> finite number, as (name, value) pairs in the file's order."""
        if key not in self.data and default is not ...:
            self.seen.add(key)
            return default
        t = self.table(key)
        return tuple((k, t.number(k)) for k in t.data)

    def finish(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            self.fail(extra[0], "unknown key (check the spelling against hnn_tui/scenarios/README.md)")
