"""What a lesson's own panel asks of the screen: a classifier's knobs, a circuit's pokes (nudges, typed values,
the pull, a new expression). The panels post messages; these handlers change the session and hand the result
back as a snapshot, or as a new session (PlaygroundScreen._replace_session)."""
from __future__ import annotations

from ..engine import Diverged, ScenarioError
from ..engine.knobs import LIVE
from ..panels import CircuitPanel, ClassifierPanel
from ..panels.circuit import nudged
from .prompt import Prompt


class LessonControls:
    """Mixed into PlaygroundScreen: needs its session, _apply, _redraw, _settings_changed, _replace_session."""

    # ---- a classifier's knobs (panels.classifier) ----------------------------------------------------
    def on_classifier_panel_knob(self, message: ClassifierPanel.Knob) -> None:
        """A live knob (the spring, the loss, the batch) applies from the next step; any other rebuilds the lesson
        and restarts it, and says so."""
        try:
            if message.name in LIVE:
                snap = self.session.retuned(message.name, message.up)
            else:
                fresh, what = self.session.rebuilt(message.name, message.up)
        except (ValueError, Diverged) as e:
            self.notify(str(e), severity="warning", timeout=6)
            return
        if message.name in LIVE:
            self._apply(snap, [])
            self._dirty = True
            self._redraw()
            return
        self._replace_session(fresh)
        self.notify(f"restarted: {what} (a new model or new data starts over; r: the scenario as loaded)",
                    title="restarted", timeout=5)

    # ---- a circuit poked by hand (panels.circuit) --------------------------------------------------
    def on_circuit_panel_poke(self, message: CircuitPanel.Poke) -> None:
        value = message.value
        if message.by is not None:  # from the value now: nudges typed ahead each count
            value = nudged(self.session.current.values[message.name], message.by)
        self._poke(message.name, value)

    def _poke(self, name: str, value: float) -> str | None:
        """Set an input by hand: a snapshot at once (not a step); the refusal's words when there is one."""
        try:
            snap = self.session.set_input(name, value)
        except (ValueError, Diverged) as e:
            return str(e)
        if self.panel is not None:
            self.panel.poked(snap)
        self._apply(snap, [])
        self._dirty = True
        self._redraw()
        return None

    def on_circuit_panel_ask_value(self, message: CircuitPanel.AskValue) -> None:
        name = message.name
        now = self.session.current.values[name]

        def accept(text: str) -> str | None:
            try:
                value = float(text)
            except ValueError:
                return f"expected a number for {name}, e.g. {now:g}; got {text!r}"
            return self._poke(name, value)

        self.app.push_screen(Prompt(f"a new value for {name} (now {now:g})", f"{now:g}", accept, select=True))

    def on_circuit_panel_pull(self, message: CircuitPanel.Pull) -> None:
        self.session.set_settings(pull=message.pull)
        self._settings_changed()
        self._redraw()

    def on_circuit_panel_ask_expression(self, message: CircuitPanel.AskExpression) -> None:
        self.app.push_screen(Prompt("a new expression for the circuit; new inputs start at 1, or give them values: "
                                    "EXPR; a=2, b=-1", self.session.stage.expression, self._replace_expression))

    def _replace_expression(self, text: str) -> str | None:
        """The circuit `text` in place of this one, at the values on screen, knobs and strategy kept; a refusal
        (with the column) keeps the old one."""
        try:
            fresh = self.session.with_expression(text)
        except ScenarioError as e:
            return e.problem
        self._replace_session(fresh)
        return None
