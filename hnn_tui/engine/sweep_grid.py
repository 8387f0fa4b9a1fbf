"""The grid of `hnn-tui sweep`: `--set KEY=V1,V2,...` options read into axes, and every combination of their values
put into the scenario's TOML document, written back as text and read by `parse_scenario` (every check a file gets,
with the reader's own one-line error) before anything runs. engine.sweep trains and ranks them."""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .save import toml_key, toml_string
from .scenario import Scenario, parse_scenario
from .table import ScenarioError, short

KEY = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
NOT_SWEPT = ("kind", "title", "description", "order")  # words and the lesson kind: nothing to search over
MAX_COMBINATIONS = 10_000


class SweepError(ValueError):
    """A --set option, a combination or --folds the sweep refuses: one line, exit 2, before anything runs."""


# ---- the grid: --set options ---------------------------------------------------------------------------------

def split_values(text: str) -> list[str]:
    """`0,0.01,"a,b",[8,8]` -> ['0', '0.01', '"a,b"', '[8,8]']: commas inside quotes or brackets do not split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return parts + [text[start:].strip()]


def parse_value(text: str) -> Any:
    """A TOML value (number, true/false, quoted string, array, inline table); any other text is a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


@dataclass(frozen=True)
class Axis:
    """One --set: the dotted key, its values as written and as read."""

    key: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]

    def name(self, i: int) -> str:
        return f"--set {self.key}={self.texts[i]}"


def parse_set(option: str) -> Axis:
    """`model.reg=0,0.01` -> Axis; SweepError naming the option for a missing '=', a bad key or an empty value."""
    key, sep, rest = option.partition("=")
    key = key.strip()
    if not sep:
        raise SweepError(f"--set {option}: expected KEY=VALUE[,VALUE...], e.g. model.reg=0,0.01,0.1")
    if not KEY.fullmatch(key):
        raise SweepError(f"--set {option}: expected a dotted key into the scenario's tables, e.g. model.reg or "
                         f"settings.step_size, got {key!r}")
    if key in NOT_SWEPT:
        raise SweepError(f"--set {option}: {key}: not a value to search over; expected a key such as model.reg, "
                         f"settings.step_size, strategy, steps or seed")
    texts = split_values(rest)
    for n, t in enumerate(texts, 1):
        if not t:
            raise SweepError(f"--set {option}: {key}: value {n} is empty; expected a comma-separated list of values")
    return Axis(key, tuple(texts), tuple(parse_value(t) for t in texts))


def put(doc: dict, key: str, value: Any, what: str) -> dict:
    """A copy of the TOML document `doc` with the dotted `key` set to `value` (missing tables are made)."""
    out = dict(doc)
    table, parts = out, key.split(".")
    for i, part in enumerate(parts[:-1]):
        inner = table.get(part, {})
        if not isinstance(inner, dict):
            shown = ".".join(parts[:i + 1])
            raise SweepError(f"{what}: {shown} holds {short(inner)}, not a table; expected a key such as "
                             "model.reg")
        table[part] = table = dict(inner)
    table[parts[-1]] = value
    return out


def toml_value(v: Any) -> str:
    """Any value tomllib reads, written back as TOML (inline tables and arrays on one line)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    return "[" + ", ".join(toml_value(x) for x in v) + "]"


def toml_text(doc: dict) -> str:
    """A TOML document as text that tomllib reads back to the same document: one top-level key per line."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


# ---- combinations and folds ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Combination:
    index: int  # in grid order: the last --set varies fastest
    settings: dict  # key -> value, in --set order
    scenario: Scenario


def combinations(text: str, source: str, name: str, axes: list[Axis], seed: int | None = None,
                 extra: dict | None = None) -> list[Combination]:
    """Every combination of the axes' values, each read by parse_scenario from the scenario text with its values
    (and `extra`, e.g. {"engine": "numpy"}) put in; a refused one is blamed on the --set it is due to (see
    `blame`). SweepError on the first refusal, in grid order."""
    doc = tomllib.loads(text)
    for k, v in (extra or {}).items():  # an option such as --engine numpy: checked alone first
        doc = put(doc, k, v, f"--{k} {v}")
        try:
            parse_scenario(toml_text(doc), source, name, seed)
        except ScenarioError as e:
            raise SweepError(f"--{k} {v}: {e}") from None
    seen = set()
    for a in axes:
        if a.key in seen:
            raise SweepError(f"--set {a.key}: given twice; expected each key once, its values comma-separated")
        seen.add(a.key)

    def parsed(picks: list[tuple[Axis, int]]) -> Scenario:  # ScenarioError as the reader words it
        d = doc
        for a, i in picks:
            d = put(d, a.key, a.values[i], a.name(i))
        return parse_scenario(toml_text(d), source, name, seed)

    def blame(picks: list[tuple[Axis, int]], e: ScenarioError) -> SweepError:
        """The --set value a refusal is due to: one the reader refuses alone in the same words; else the one whose
        key the error names, with the rest of its combination; else the whole combination."""
        for a, i in picks:
            try:
                parsed([(a, i)])
            except ScenarioError as alone:
                if str(alone) == str(e):
                    return SweepError(f"{a.name(i)}: {e}")
        for a, i in picks:
            if e.key == a.key or e.key.startswith(a.key + ".") or (e.key and a.key.startswith(e.key + ".")):
                rest = ", ".join(f"{b.key}={b.texts[j]}" for b, j in picks if b is not a)
                return SweepError(f"{a.name(i)} (with {rest}): {e}")
        return SweepError(f"combination {', '.join(f'{a.key}={a.texts[i]}' for a, i in picks)}: {e}")

    total = math.prod(len(a.texts) for a in axes)
    if total > MAX_COMBINATIONS:
        raise SweepError(f"--set: {total:,} combinations; expected at most {MAX_COMBINATIONS:,}")
    out = []
    for n in range(total):  # every combination read, in grid order, before any is trained
        picks, rest = [], n
        for a in reversed(axes):  # the last axis varies fastest
            rest, i = divmod(rest, len(a.texts))
            picks.append((a, i))
        picks.reverse()
        try:
            scenario = parsed(picks)
        except ScenarioError as e:
            raise blame(picks, e) from None
        out.append(Combination(n, {a.key: a.values[i] for a, i in picks}, scenario))
    return out
