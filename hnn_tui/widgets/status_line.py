"""The three status lines above every lesson: where the run is, what it has spent, what the next step uses."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..engine.session import Controls
from ..engine.snapshot import Snapshot
from ..numbers import num


class StatusLine(Static):
    def show(self, snap: Snapshot, output_name: str, controls: Controls, schedule_steps: int,
             running: bool, speed: int, steps_per_second: float) -> None:
        """`speed`: the set steps/s (0 = max); `steps_per_second`: what a run achieves (0 = not measured yet)."""
        st = controls.settings
        line1 = Text.assemble(
            ("strategy ", "dim"), (controls.strategy, "bold"),
            ("   step ", "dim"), (f"{snap.step:,}", "bold"),
            (f"   {output_name} ", "dim"), (num(snap.output, 6), "bold green"),
            *[part for name, value in snap.measures.items()
              for part in ((f"   {name} ", "dim"), (f"{value:.3f}", "bold"))])
        state = "running" if running else "paused"
        if running and steps_per_second:
            state += f" at {steps_per_second:,.0f} steps/s"
        line2 = Text.assemble(
            ("forward passes ", "dim"), (f"{snap.forward_passes:,}", "bold yellow"),
            ("   backward passes ", "dim"), (f"{snap.backward_passes:,}", "bold yellow"),
            "   ", (state, "bold cyan" if running else "dim"))
        if snap.diverged:
            line2 = Text(f"{snap.diverged}: press r to reset", "bold red")
        line3 = Text.assemble(
            ("step size ", "dim"), f"{controls.step_size_now:.3g}",
            (f" (→ {st.step_size_end:g} after step {schedule_steps})" if st.step_size_end is not None else "", "dim"),
            ("   h ", "dim"), f"{st.h:g}",
            ("   tweak ", "dim"), f"{st.tweak:g}", ("   tries ", "dim"), f"{st.tries}",
            ("   speed ", "dim"), ("max" if speed == 0 else f"{speed}/s"))
        self.update(Text("\n").join([line1, line2, line3]), layout=False)
