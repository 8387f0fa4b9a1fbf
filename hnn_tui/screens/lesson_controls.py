"""What a lesson's own panel asks of the screen: a classifier's knobs, a circuit's pokes (nudges, typed values,
the pull, a new expression). The panels post messages; these handlers change the session and hand the result
back as a snapshot, or as a new session (PlaygroundScreen._replace_session)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..engine import Diverged, ScenarioError
from ..engine import save as saving
from ..engine.knobs import LIVE
from ..panels import CircuitPanel, ClassifierPanel
from ..panels.circuit import nudged
from .prompt import Prompt


def saved_title(title: str) -> str:
    return title if title.endswith(" (saved)") else f"{title} (saved)"


def saved_note(session, step: int) -> str:
    """A saved scenario's description: where it came from, then the lesson's own words (whose numbers were for its
    start, not this one's)."""
    spec = session.scenario.spec
    what = f"{len(spec.points):,} training points" + (f", {len(spec.val_points):,} held out" if spec.val_points
                                                       else "")
    note = (f"Saved by hnn-tui from {session.origin.name}: {what}; it starts from the parameters as they were then "
            f"({step:,} steps after the last change of the data). The lesson's own words follow; their numbers are "
            f"for its original start and data.")
    old = session.scenario.description
    if old.startswith("Saved by hnn-tui from "):  # saved again: one note, the newest
        old = old.partition("\n\n")[2]
    return f"{note}\n\n{old}" if old else note


class LessonControls:
    """Mixed into PlaygroundScreen: needs its session, _apply, _redraw, _settings_changed, _replace_session."""

    # ---- a classifier's knobs (panels.classifier) ----------------------------------------------------
    turned: tuple[str, ...] = ()  # the knobs turned, the latest first: the panels' knobs line keeps them in view

    def on_classifier_panel_knob(self, message: ClassifierPanel.Knob) -> None:
        """A live knob (engine.knobs.LIVE: the spring, the loss, the batch, L1, dropout, the class weights, the
        engine) applies from the next step to the same parameters, a run going on; any other rebuilds the lesson
        and restarts it, and says so. The classifier, multiclass and regression panels all post this message."""
        self.turned = (message.name, *(name for name in self.turned if name != message.name))
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
            self._table_shown = 0.0  # the knobs line shows the new value at once, mid-run too
            self._redraw()
            return
        given = self.session.scenario.spec.init is not None and fresh.scenario.spec.init is None
        self._replace_session(fresh)
        gone = "; the file's starting values give way to drawn ones" if given else ""  # e.g. svm's a = 1, b = -2
        self.notify(f"restarted: {what}{gone} (a new start, model or data starts over; r: the scenario as loaded)",
                    title="restarted", timeout=5)

    # ---- a classifier's own data (panels.classifier: the cursor, p, m, backspace, U, w) ---------------------
    def on_classifier_panel_edit(self, message: ClassifierPanel.Edit) -> None:
        try:
            fresh = self.session.with_points(message.points, message.labels)
        except ValueError as e:
            self.notify(f"not changed: {e}", severity="warning", timeout=6)
            return
        self._take_edit(fresh)
        self.notify(f"{message.what}: {len(message.points):,} training points; the parameters stay (U: undo)",
                    timeout=4)

    def on_classifier_panel_undo_edit(self, message: ClassifierPanel.UndoEdit) -> None:
        try:
            fresh = self.session.undone()
        except ValueError as e:
            self.notify(str(e), severity="warning", timeout=4)
            return
        self._take_edit(fresh)
        self.notify(f"undone: {len(fresh.stage.points):,} training points as before", timeout=4)

    def _take_edit(self, fresh) -> None:
        """The session on the edited data in place of this one, its panel keeping the view (box, cursor); a run
        going on goes on."""
        running = self.running
        view = self._carry_view  # mid-swap (no panel): the view taken before stays
        if self.panel is not None and hasattr(self.panel, "view_state"):
            view = self.panel.view_state()
        self._replace_session(fresh, view)
        if running:
            self.action_toggle_run()

    def on_classifier_panel_save(self, message: ClassifierPanel.Save) -> None:
        if getattr(self.app, "served", False):  # hnn-tui serve: no file of the server is written for a browser
            self.notify("not saved: this app is served to your browser by hnn-tui serve, and the files would be "
                        "written on the server, not on your computer", title="saving is off", severity="warning",
                        timeout=8)
            return
        stem = f"{self.session.origin.name or 'scenario'}-edited"
        name, k = f"{stem}.toml", 2
        while Path(name).exists() or Path(name).with_suffix(".csv").exists():
            name, k = f"{stem}-{k}.toml", k + 1
        self.app.push_screen(Prompt("save the scenario as it is now (its start: the parameters now), and its "
                                    "points as CSV beside it; file name:", name, self._save))

    def _save(self, text: str) -> str | None:
        """Write the scenario as it is now to `text` (.toml) and its points to the same stem .csv, never over an
        existing file nor into the bundled scenarios; the refusal's words, or None once both are written."""
        import hnn_tui.scenarios as bundled

        path = Path(text.strip()).expanduser()
        if path.suffix != ".toml" or not path.stem:
            return f"expected a file name ending in .toml, got {text.strip()!r}"
        csv = path.with_suffix(".csv")
        if path.parent.resolve() == Path(bundled.__file__).parent.resolve():
            return "not into the bundled scenarios' folder: give a path elsewhere"
        for p in (path, csv):
            if p.exists():
                return f"{p} already exists; not overwritten: give another name"
        if not path.parent.is_dir():
            return f"no folder {path.parent}"
        s = self.session
        snap = s.current
        scenario = replace(s.scenario, strategy=s.strategy, settings=s.settings, title=saved_title(s.scenario.title),
                           description=saved_note(s, snap.step))
        try:
            try:
                toml = saving.scenario_toml(scenario, snap.values)
            except ValueError:  # too many points for a scenario file: they go in the CSV, which it names
                toml = saving.scenario_toml(scenario, snap.values, csv=csv.name)
            saving.write_atomically(csv, saving.points_csv(*saving.data_rows(scenario.spec)))
            saving.write_atomically(path, toml)
        except (OSError, ValueError) as e:
            return f"not saved: {e}"
        n = len(scenario.spec.points) + len(scenario.spec.val_points)
        self.notify(f"wrote {path} (the scenario; its start: the parameters at step {snap.step:,}) and {csv} "
                    f"({n:,} points): hnn-tui {path} opens it", title="saved", timeout=8)
        return None

    def on_classifier_panel_read_csv(self, message: ClassifierPanel.ReadCsv) -> None:
        if getattr(self.app, "served", False):  # hnn-tui serve: no file of the server is read for a browser
            self.notify("not read: this app is served to your browser by hnn-tui serve, and the file would be "
                        "read on the server, not on your computer", title="reading CSV is off", severity="warning",
                        timeout=8)
            return
        spec = self.session.scenario.spec
        proposed = spec.csv or "points.csv"
        self.app.push_screen(Prompt("read points from a CSV file (columns x, y, label = +1/-1) in place of these; "
                                    "the parameters stay, U undoes; file name:", proposed, self._read_csv))

    def _read_csv(self, text: str) -> str | None:
        """The points of the CSV file `text` in place of these (split as `[data] validation` says); a bad file is
        refused with its file, line and column, in a notice and under the line, and nothing changes."""
        try:
            fresh = self.session.with_csv(Path(text.strip()).expanduser())
        except (ScenarioError, ValueError) as e:
            self.notify(f"not read: {e}", title="points unchanged", severity="warning", timeout=8)
            return str(e)
        self._take_edit(fresh)
        spec = fresh.scenario.spec
        held = f", {len(spec.val_points):,} held out" if spec.val_points else ""
        self.notify(f"read {spec.csv}: {len(spec.points):,} training points{held}; the parameters stay (U: undo)",
                    title="points read", timeout=6)
        return None

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

    # ---- the race (`A`: screens.race) ---------------------------------------------------------------
    def action_race(self) -> None:
        """The race of the strategies on the lesson as it is now (its scenario, seed and knobs: session.scenario and
        session.settings), on a screen of its own; the run pauses first, and the lesson is as it was on `escape`.
        The race steps sessions of its own: this one is not touched."""
        from .race import RaceScreen  # the race screen is only built when asked for

        self.running = False
        self.app.push_screen(RaceScreen(self.session))

    # ---- the lesson as a program (`F`: screens.export_flow) ------------------------------------------
    def action_export(self) -> None:
        """The lesson as it is now (its edits, knobs, strategy; its start: the parameters or inputs now) as a
        standalone Python program: a file named at a prompt, or, served, a download in the browser."""
        from .export_flow import ExportFlow

        ExportFlow(self).start()
