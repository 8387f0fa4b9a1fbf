"""The step size of each step: held, falling in a line, halved in stairs, or falling smoothly.

One pure function of the settings and the steps taken so far, k (so step 1 uses k = 0: the step size as set):

- constant:     lr
- linear:       lr + (step_size_end - lr) * min(k, total) / total   (over the scenario's `steps`, then held)
- step:         lr * decay ** floor(k / decay_every)                (a stair: one drop every decay_every steps)
- exponential:  lr * decay ** (k / decay_every)                     (the smooth curve through the stair's corners)
"""
from __future__ import annotations

from .strategies import Settings

SCHEDULES = ("constant", "linear", "step", "exponential")


def step_size_at(s: Settings, k: int, total_steps: int) -> float:
    """The step size of the step taken after `k` steps, for a run of `total_steps` (the linear schedule's span)."""
    lr = s.step_size
    if s.schedule == "linear":
        if s.step_size_end is None:  # a linear schedule with nowhere to go holds (the reader refuses such a file)
            return lr
        frac = min(k, total_steps) / max(1, total_steps)
        return lr + (s.step_size_end - lr) * frac
    if s.schedule == "step":
        return lr * s.decay ** (k // s.decay_every)
    if s.schedule == "exponential":
        return lr * s.decay ** (k / s.decay_every)
    return lr


def describe(s: Settings, total_steps: int) -> str:
    """The schedule in a few words, for the status line: "" for constant."""
    if s.schedule == "linear" and s.step_size_end is not None:
        return f"linear → {s.step_size_end:g} at step {total_steps:,}"
    if s.schedule == "step":
        return f"step ×{s.decay:g} every {s.decay_every:,}"
    if s.schedule == "exponential":
        return f"exp ×{s.decay:g} per {s.decay_every:,}"
    return ""


def next_schedule(s: Settings, end: float | None = None) -> dict:
    """The settings changes that turn the schedule one notch: constant -> linear -> step -> exponential -> constant.
    Linear falls to `end` (the file's, if it had one), else to a tenth of the step size; only linear keeps an end."""
    after = SCHEDULES[(SCHEDULES.index(s.schedule) + 1) % len(SCHEDULES)]
    if after == "linear":
        return {"schedule": after, "step_size_end": s.step_size / 10 if end is None else end}
    return {"schedule": after, "step_size_end": None}
