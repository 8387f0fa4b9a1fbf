"""The three status lines above every lesson: where the run is, what it has spent, and the knobs with their keys.

Each line is cut with an ellipsis rather than wrapped, so the layout below never moves.
"""
from __future__ import annotations

import time

from rich.text import Text

from ..engine.schedules import describe
from ..engine.session import Controls, Progress
from ..engine.snapshot import Snapshot
from ..numbers import num
from .repaint import LinesWidget

WORKING_AFTER = 0.3  # seconds: a step that takes longer than this is announced, with its progress


def _line(*parts) -> Text:
    t = Text.assemble(*parts)
    t.no_wrap, t.overflow = True, "ellipsis"
    return t


REWOUND = "rewound: s / space go on from here and drop the rest   "  # first, so a narrow terminal keeps it


def state_line(snap: Snapshot, running: bool, steps_per_second: float, progress: Progress | None,
               frames_per_second: float | None = None, pokes: int = 0, rewound: bool = False) -> Text:
    """Passes spent, inputs set by hand (not steps, not counted in the passes), and what the session is doing:
    paused, running (at what rate), working on a long step; and the frame rate when a slow link has lowered it.
    `rewound`: a past step is shown (engine.rewind): said first, in words."""
    if snap.diverged and not rewound:
        return _line((f"{snap.diverged}: press r to reset", "bold red"))
    if rewound:
        nudges = (("   nudges ", "dim"), (f"{pokes:,}", "bold"), (" (not steps)", "dim")) if pokes else ()
        return _line((REWOUND, "bold"), ("forward passes ", "dim"), (f"{snap.forward_passes:,}", "bold yellow"),
                     ("   backward passes ", "dim"), (f"{snap.backward_passes:,}", "bold yellow"), *nudges)
    state = "running" if running else "paused"
    if running and steps_per_second:
        state += f" at {steps_per_second:,.0f} steps/s"
    if progress is not None and time.monotonic() - progress.started > WORKING_AFTER:
        state = (f"working on step {progress.step:,}: {progress.fraction:.0%} "
                 f"({progress.done:,} of {progress.total:,} forward passes)")
    link = f"slow link: {frames_per_second:.0f} frames/s   " if frames_per_second is not None else ""
    nudges = (("   nudges ", "dim"), (f"{pokes:,}", "bold"), (" (not steps)", "dim")) if pokes else ()
    return _line(("forward passes ", "dim"), (f"{snap.forward_passes:,}", "bold yellow"),
                 ("   backward passes ", "dim"), (f"{snap.backward_passes:,}", "bold yellow"), *nudges,
                 "   ", (link, "bold"), (state, "bold cyan" if running or progress else "dim"))


def controls_line(controls: Controls, schedule_steps: int, speed: int) -> Text:
    """Every knob with the keys that turn it, the step's own first: [-+] step size (now, after the schedule) and
    [S] its schedule when there is one, [jJ] the momentum coefficient when the update rule uses it; then [hH] h,
    [tT] tweak, [,.] speed, [yY] tries. (The update rule itself, [M], stands beside the strategy.)"""
    st = controls.settings
    schedule = describe(st, schedule_steps)
    scheduled = ((" [S]", "bold"), (f" {schedule}", "dim")) if schedule else ()
    mu = (("   [jJ]", "bold"), " μ ", f"{st.momentum:g}") if st.update != "sgd" else ()
    return _line(("[-+]", "bold"), " step size ", f"{controls.step_size_now:.3g}", *scheduled, *mu,
                 ("   [hH]", "bold"), " h ", f"{st.h:g}",
                 ("   [tT]", "bold"), " tweak ", f"{st.tweak:g}",
                 ("   [,.]", "bold"), " speed ", "max" if speed == 0 else f"{speed}/s",
                 ("   [yY]", "bold"), " tries ", f"{st.tries:,}")  # last: 80 columns end about here


class StatusLine(LinesWidget):
    def show(self, snap: Snapshot, output_name: str, controls: Controls, schedule_steps: int,
             running: bool, speed: int, steps_per_second: float, progress: Progress | None = None,
             frames_per_second: float | None = None, pokes: int = 0, newest: int | None = None) -> None:
        """`speed`: the set steps/s (0 = max); `steps_per_second`: what a run achieves (0 = not measured yet);
        `progress`: the step under way in another thread, if any; `newest`: the run's newest step when a past one
        is shown (rewound: "step 40 of 120"), else None."""
        rewound = newest is not None
        line1 = _line(
            ("strategy ", "dim"), (controls.strategy, "bold"),
            ("   [M] ", "bold"), (controls.settings.update, "bold"),  # how a pull moves the point: engine.updates
            ("   step ", "dim"), (f"{snap.step:,}", "bold"), *([(f" of {newest:,}", "bold")] if rewound else []),
            (f"   {output_name} ", "dim"), (num(snap.output, 6), "bold green"),
            *[part for name, value in snap.measures.items()
              for part in ((f"   {name} ", "dim"), (f"{value:.3f}", "bold"))])
        lines = [line1, state_line(snap, running, steps_per_second, progress, frames_per_second, pokes, rewound),
                 controls_line(controls, schedule_steps, speed)]
        self.show_lines(lines)
