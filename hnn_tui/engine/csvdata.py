"""A classifier's points from a CSV file, and where a scenario's data files are.

The format: comma-separated UTF-8 text (a byte order mark is fine); a header row naming the columns `x`, `y` and
`label` in any order; then one point per row, `x` and `y` finite decimal numbers and `label` +1 or -1. Blank lines
and lines whose first character (after spaces) is `#` are skipped. Every refusal is a ScenarioError naming the
file, the line and the column, e.g. `points.csv: line 5, column label: expected +1 or -1, got 0 ...`; nothing
is returned half-read.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .table import ScenarioError

MAX_CSV_ROWS = 100_000
MAX_CSV_BYTES = 10_000_000  # 10 MB
COLUMNS = ("x", "y", "label")
BOM = b"\xef\xbb\xbf"
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # plain decimals: no 1_000, no nan, no inf
NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


@dataclass(frozen=True)
class DataPlace:
    """Where a scenario's data files are: `folder`, the start of a relative `[data] csv` path (the scenario file's
    folder), and `override`, a CSV given on the command line (`--data FILE.csv`) in place of the file's data."""

    folder: Path = Path(".")
    override: str | None = None


Points = tuple[tuple[float, float], ...]


def read_points_csv(path: str | Path, via: str = "") -> tuple[Points, tuple[int, ...]]:
    """(points, labels) from the CSV file at `path`; `via` says who named it (e.g. "data.csv in my.toml"),
    added to a missing file's message. ScenarioError on anything that is not a good points file."""
    return parse_points_csv(read_csv_text(path, via), str(path))


def read_csv_text(path: str | Path, via: str = "", what: str = "x,y,label points") -> str:
    """The text of the CSV file at `path` (at most MAX_CSV_BYTES, UTF-8); `what` the rows it should hold, for the
    refusals. ScenarioError for a missing, unreadable, oversized or non-UTF-8 file."""
    source, p = str(path), Path(path)
    named = f" (named by {via})" if via else ""
    if not p.exists():
        raise ScenarioError(source, "", f"no such file{named}; expected a CSV file of {what}")
    if p.is_dir():
        raise ScenarioError(source, "", f"is a folder{named}; expected a CSV file of {what}")
    if not p.is_file():  # a FIFO or a device would block or never end
        raise ScenarioError(source, "", f"is not a regular file{named}; expected a CSV file of {what}")
    try:
        with p.open("rb") as f:  # at most one byte past the limit: a file growing meanwhile cannot fill memory
            raw = f.read(MAX_CSV_BYTES + 1)
    except OSError as e:
        raise ScenarioError(source, "", f"cannot read it: {e.strerror or e}") from None
    if len(raw) > MAX_CSV_BYTES:
        size = max(len(raw), _size(p))
        raise ScenarioError(source, "", f"file is {size:,} bytes; expected a CSV file of at most {MAX_CSV_BYTES:,} "
                                        "bytes (10 MB)")
    return decode(raw, source)


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text without its byte order mark; a byte that is not UTF-8 is refused with its line."""
    raw = raw.removeprefix(BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ScenarioError(source, f"line {line}", f"not UTF-8 text (byte 0x{raw[e.start]:02x}); expected a "
                                                    "CSV file saved as UTF-8") from None


def parse_columns(text: str, source: str, columns: tuple[str, ...], row_words: str) -> tuple[list[int], dict]:
    """The rows of CSV text whose header names exactly `columns` (in any order): (line numbers, {column: cells as
    text}). `row_words` says what a row holds ("one point a line (x, y and a label of +1 or -1)"), for the
    refusals. ScenarioError for a missing or bad header, a row of the wrong length, too many rows, or no rows."""
    def fail(key: str, problem: str):
        raise ScenarioError(source, key, problem)

    header: list[str] | None = None
    lines: list[int] = []
    cells_of: list[list[str]] = []
    for lineno, line in enumerate(text.split("\n"), start=1):  # not splitlines(): it also splits at \x0c, \u2028
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        cells = [c.strip() for c in s.split(",")]
        if header is None:
            header = _header(cells, lineno, fail, columns)
            continue
        if len(cells) != len(header):
            fail(f"line {lineno}", f"expected {len(header)} values ({','.join(header)}), got {len(cells)}: "
                                   f"{_quote(s)}")
        if len(lines) == MAX_CSV_ROWS:
            fail(f"line {lineno}", f"more than {MAX_CSV_ROWS:,} rows; expected at most {MAX_CSV_ROWS:,} points")
        lines.append(lineno)
        cells_of.append(cells)
    if header is None:
        fail("", f"no header row; expected a first line naming the columns {_names(columns)}, then {row_words}")
    if not lines:
        fail("", f"no rows after the header; expected {row_words}")
    return lines, {name: [row[header.index(name)] for row in cells_of] for name in columns}


def numbers(cells: list[str], lines: list[int], column: str, source: str) -> list[float]:
    """A column of finite numbers; the first cell that is not one is refused with its line."""
    def fail(key: str, problem: str):
        raise ScenarioError(source, key, problem)

    return [_number(cell, lineno, column, fail) for cell, lineno in zip(cells, lines)]


def parse_points_csv(text: str, source: str) -> tuple[Points, tuple[int, ...]]:
    """(points, labels) from CSV text (see the module's docstring); `source` names the file in every refusal."""
    def fail(key: str, problem: str):
        raise ScenarioError(source, key, problem)

    lines, cells = parse_columns(text, source, COLUMNS, "one point a line (x, y and a label of +1 or -1)")
    xs, ys, labels = [], [], []
    for lineno, x, y, label in zip(lines, cells["x"], cells["y"], cells["label"]):  # row by row: the first fault
        xs.append(_number(x, lineno, "x", fail))
        ys.append(_number(y, lineno, "y", fail))
        labels.append(_label(label, lineno, fail))
    if len(set(labels)) < 2:
        fail("column label", f"every point is {labels[0]:+d}; expected both classes (+1 and -1)")
    return tuple(zip(xs, ys)), tuple(labels)


def _names(columns: tuple[str, ...]) -> str:
    """x, y and label"""
    return ", ".join(columns[:-1]) + f" and {columns[-1]}" if len(columns) > 1 else columns[0]


def _quote(s: str) -> str:
    return repr(s) if len(s) <= 40 else repr(s[:37] + "...")


def _header(cells: list[str], lineno: int, fail, columns: tuple[str, ...] = COLUMNS) -> list[str]:
    names = _names(columns)
    if any(NUMBER.fullmatch(c) or NOT_FINITE.fullmatch(c) for c in cells):
        fail(f"line {lineno}", f"expected a header row naming the columns {names} (in any order), got "
                               f"{_quote(','.join(cells))}")
    seen: list[str] = []
    for i, name in enumerate(cells, start=1):
        if not name:
            fail(f"line {lineno}, column {i}", f"empty column name; expected {names}")
        if name in seen:
            fail(f"line {lineno}, column {name}", f"named twice in the header; expected each of "
                                                  f"{', '.join(columns)} once")
        if name not in columns:
            fail(f"line {lineno}, column {name}", f"unknown column; expected only {names}")
        seen.append(name)
    missing = [c for c in columns if c not in seen]
    if missing:
        fail(f"line {lineno}", f"no column {' or '.join(missing)}; the header must name {names}")
    return seen


def _number(cell: str, lineno: int, column: str, fail) -> float:
    if NUMBER.fullmatch(cell):
        v = float(cell)
        if math.isfinite(v):
            return v
    elif not NOT_FINITE.fullmatch(cell):
        fail(f"line {lineno}, column {column}", f"expected a number, got {_quote(cell)}")
    fail(f"line {lineno}, column {column}", f"expected a finite number, got {cell}")


def _label(cell: str, lineno: int, fail) -> int:
    if cell in ("1", "+1", "-1"):  # the common case, quickly
        return int(cell)
    v = float(cell) if NUMBER.fullmatch(cell) else None
    if v in (1.0, -1.0):
        return int(v)
    hint = " (for a 0/1 column, write 0 as -1)" if v == 0.0 else ""
    fail(f"line {lineno}, column label", f"expected +1 or -1, got {_quote(cell) if v is None else cell}{hint}")
