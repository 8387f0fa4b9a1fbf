"""The gradient check a model panel offers on `g` (classifier, multiclass, regression): one home for running it
off the UI thread, keeping its result per step, and redrawing when it arrives. Each panel words the result."""
from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message

NOT_OFFERED: dict = {}  # the result when the stage offers no check for this model


class GradientCheck:
    """Mixed into a Panel whose stage has `check_gradient(values, h, centered)`; the panel keeps `_shown`
    (snapshot, settings) and draws the check's words instead of the step's inside while `checking`."""

    checking = False  # the table shows the gradient check instead of the step's inside
    check: tuple[int, dict | None] | None = None  # (step, result) of the last check; result None: under way

    @dataclass
    class Checked(Message):
        """A gradient check done off the UI thread, for the snapshot of step `step`."""

        step: int
        check: dict | None

    def action_check(self) -> None:
        self.checking = not self.checking
        self._redraw()

    def check_result(self, snap, settings) -> dict | None:
        """The check of `snap`'s step: its result, None while it runs (started here when the one on hand is for
        another step), NOT_OFFERED when the stage has none."""
        if self.check is None or self.check[0] != snap.step:
            self.check = (snap.step, None)
            self._run_check(snap.step, dict(snap.values), settings.h)
        return self.check[1]

    def _check_words(self, snap, settings) -> list[str]:
        """The check's words for the table's header: under way, not offered, or its result in one line."""
        result = self.check_result(snap, settings)
        if result is NOT_OFFERED:
            return ["no gradient check is offered for this model (g: back to the step)"]
        if result is None:
            return [f"checking the gradient of the whole cost at step {snap.step:,} ... (g: back to the step)"]
        kinks = f"; at a kink: {', '.join(result['kinks'])}" if result.get("kinks") else ""
        return [f"gradient check at step {snap.step:,}: backprop against the centered difference (h {settings.h:g}) "
                f"of the whole cost, all points; largest relative difference {result['max_rel_error']:.1e}{kinks}"
                "   (g: back to the step)"]

    def check_done(self, snap) -> bool:
        return self.check is not None and self.check[0] == snap.step and bool(self.check[1])

    @work(thread=True, exclusive=True, group="check")
    def _run_check(self, step: int, values, h: float) -> None:
        """A check costs two forward passes a parameter over every point: off the UI thread."""
        self.post_message(self.Checked(step, self.stage.check_gradient(values, h, True)))

    def on_gradient_check_checked(self, message: Checked) -> None:
        self.check = (message.step, NOT_OFFERED if message.check is None else message.check)
        self._redraw()

    def _redraw(self) -> None:
        if self._shown is not None:
            self.show(*self._shown, tables=True)
