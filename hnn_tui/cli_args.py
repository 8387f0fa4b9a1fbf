"""What every `hnn-tui` command's arguments share: the one-line refusal (BadInput, exit 2), the parser that raises
it instead of printing argparse's usage block, the exit codes, and the argument types."""
from __future__ import annotations

import argparse
import math

from .engine import sweep

EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 1, 130
ENGINES = ("python", "numpy")


class BadInput(Exception):
    """Bad input from the command line: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)  # `--a` is not a guess at `--at`

    def error(self, message):  # one clear line instead of argparse's usage block
        raise BadInput(f"{message} (see {self.prog} --help)")


def nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {v}")
    return v


def positive_int(text: str) -> int:
    v = nonneg_int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {v}")
    return v


def folds(text: str) -> int:
    v = nonneg_int(text)
    if not sweep.MIN_FOLDS <= v <= sweep.MAX_FOLDS:
        raise argparse.ArgumentTypeError(f"expected a whole number from {sweep.MIN_FOLDS} to {sweep.MAX_FOLDS}, "
                                         f"got {v}")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


def finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v + 0.0  # -0.0 + 0.0 = 0.0: a pull of -0 is a pull of 0
