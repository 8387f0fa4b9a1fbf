"""`F` on a lesson: the lesson as it is now written out as a standalone Python program (engine.export).

"As it is now" is the session's scenario (the points, the expression and the knobs as edited), its strategy and
settings, and, as the start, the parameters (a classifier's, a regression's) or the inputs (a circuit's) of the step
on screen: the program runs from there, at its step 0, with the lesson's seed (the save key `w` starts a saved
scenario the same way). The text is made when F is pressed; then a prompt asks for the file name, and the file is
written atomically (a temporary file in the same folder, then renamed), never over an existing file without a
second question. Served to a browser (`hnn-tui serve`), the program is sent to the browser as a download instead.
"""
from __future__ import annotations

import io
import math
import textwrap
from dataclasses import replace
from pathlib import Path

from ..engine import save as saving
from ..engine.export import NotExported, export_program
from ..engine.lessons import CircuitSpec
from .prompt import Prompt


def scenario_now(session, snap=None):
    """The session's scenario as it is now, starting from the values of `snap` (default: the step on screen,
    session.current)."""
    snap = snap or session.current
    values, spec = snap.values, session.scenario.spec
    if isinstance(spec, CircuitSpec):
        spec = replace(spec, inputs=tuple((n, float(values.get(n, v))) for n, v in spec.inputs))
        what = "inputs"
    else:
        spec = replace(spec, init=tuple((n, float(v)) for n, v in values.items()))
        what = "parameters"
    step, name = snap.step, session.scenario.name
    note = textwrap.fill(f"Exported by hnn-tui from {name} as it was at step {step:,} (with its edits and knob "
                         f"changes): the program starts from the {what} then, at its own step 0, with the seed "
                         f"{session.seed}.", 100)
    old = session.scenario.description
    if old.startswith("Exported by hnn-tui from "):
        old = old.partition("\n\n")[2]
    return replace(session.scenario, spec=spec, strategy=session.strategy, settings=session.settings,
                   description=f"{note}\n\n{old}" if old else note)


def program_now(session) -> str:
    """The program text of the lesson as it is now; NotExported (one line) for a kind or a state it cannot be."""
    snap = session.current  # one snapshot: a run going on may take the next step meanwhile
    bad = [n for n, v in snap.values.items() if not math.isfinite(v)]
    if bad:
        raise NotExported(f"not exported: {bad[0]} is {snap.values[bad[0]]} (the run diverged); r starts the "
                          "lesson again")
    scenario = scenario_now(session, snap)
    text = export_program(scenario, scenario.strategy)
    said = f"`hnn-tui run {scenario.name} --strategy {scenario.strategy} --json`."
    return text.replace(said, f"`hnn-tui run --json` prints for the lesson as it was at step {snap.step:,} in the "
                              "app.", 1)


def free_name(stem: str) -> str:
    """`stem`_export.py in the current folder, or -2, -3, ... after it when that file exists."""
    name, k = f"{stem}_export.py", 2
    while Path(name).exists():
        name, k = f"{stem}_export-{k}.py", k + 1
    return name


class ExportFlow:
    """One press of F on `screen` (a PlaygroundScreen): the text, then the name, then the file (or the download)."""

    def __init__(self, screen):
        self.screen, self.app = screen, screen.app
        self.pending: Path | None = None  # a name that exists: the second question is about it

    def start(self) -> None:
        session = self.screen.session
        try:
            self.text = program_now(session)
        except NotExported as e:
            self.screen.notify(str(e), title="not exported", severity="warning", timeout=8)
            return
        stem = session.scenario.name or "lesson"
        if getattr(self.app, "served", False):  # hnn-tui serve: the browser saves it, not the server
            self.app.deliver_text(io.StringIO(self.text), save_filename=f"{stem}_export.py")
            self.screen.notify(f"sent {stem}_export.py to your browser: python {stem}_export.py runs the lesson as "
                               "it is now", title="exported", timeout=8)
            return
        self.app.push_screen(Prompt("export the lesson as it is now (its start: the parameters or inputs now) as "
                                    "a Python program that needs only the standard library; file name:",
                                    free_name(stem), self.accept), self.asked)

    def accept(self, typed: str) -> str | None:
        """The name typed: written at once if it is new; a name that exists is asked about next (`asked`)."""
        path = Path(typed.strip()).expanduser()
        if not typed.strip():
            return "expected a file name, e.g. lesson.py"
        if path.is_dir():
            return f"{path} is a folder: give a file name in it"
        if not path.parent.is_dir():
            return self._refused(f"not written: there is no folder {path.parent}")
        if path.exists() or path.is_symlink():
            self.pending = path
            return None
        return self._write(path, overwrite=False)

    def asked(self, _result) -> None:
        if self.pending is not None:
            self.app.push_screen(Prompt(f"{self.pending} exists: overwrite {self.pending.name}? y/n", "n",
                                        self.confirm, select=True), self.confirmed)

    def confirm(self, typed: str) -> str | None:
        answer = typed.strip().lower()
        if answer in ("y", "yes"):
            return self._write(self.pending, overwrite=True)
        if answer in ("n", "no", ""):
            return None
        return "expected y (overwrite it) or n (leave it as it is)"

    def confirmed(self, result) -> None:
        if result is None or result.strip().lower() not in ("y", "yes"):  # n, enter, or escape
            self.screen.notify(f"not written: {self.pending} is as it was", title="not exported", timeout=5)

    def _write(self, path: Path, overwrite: bool) -> str | None:
        try:
            saving.write_atomically(path, self.text, overwrite=overwrite)
        except FileExistsError:  # it appeared since the check: ask, as for any file that exists
            self.pending = path
            return None
        except OSError as e:
            return self._refused(f"not written: {e.strerror or e} ({path})")
        self.pending = None
        self.screen.notify(f"wrote {path}: python {path} runs the lesson from here and prints the same JSON lines "
                           "as hnn-tui run --json", title="exported", timeout=8)
        return None

    def _refused(self, words: str) -> str:
        """A refusal: a notice, and the words under the prompt's line (which keeps what was typed)."""
        self.screen.notify(words, title="not exported", severity="warning", timeout=8)
        return words
