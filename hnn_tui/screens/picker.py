"""The scenario picker: bundled scenarios and any *.toml in --scenarios DIR, each described beside the list."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..engine import Scenario, ScenarioError, bundled_names, load_scenario
from ..engine.scenario import folder_files, lesson_order
from ..keys import LIST, PICKER, bindings
from ..widgets.title_bar import TitleBar
from .base import SizedScreen


@dataclass(frozen=True)
class Entry:
    """One line of the picker: a scenario, or the error that stops a file from being one."""

    ref: str
    label: str
    scenario: Scenario | None = None
    error: str = ""


def discover(folder: str | None, seed: int | None = None, keep: str | None = None) -> list[Entry]:
    """Bundled scenarios, then every *.toml in `folder` in lesson order (`order`, then name); a broken file becomes
    an entry with its error. `keep`, a file of the folder that is gone, stays listed (with that error): the
    picker does not move away from the entry under its highlight."""
    refs = [(n, n) for n in bundled_names()]
    if folder:
        files = folder_files(folder)
        if keep and keep.endswith(".toml") and Path(keep).parent == Path(folder) and Path(keep) not in files:
            files = lesson_order([*files, Path(keep)])
        refs += [(str(p), p.name) for p in files]
    return [load_entry(ref, label, seed) for ref, label in refs]


def load_entry(ref: str, label: str, seed: int | None = None) -> Entry:
    """Read one scenario from disk (with the app's seed, if given); a file that fails to load gets its error."""
    try:
        scenario = load_scenario(ref, seed)
    except ScenarioError as e:
        return Entry(ref, label, error=str(e))
    return Entry(ref, label, scenario)


def prompt(entry: Entry) -> str:
    return ("⚠ " if entry.error else "") + (entry.scenario.name if entry.scenario else entry.label)


def unwrap(text: str) -> str:
    """Join a TOML description's hard-wrapped lines so the panel can wrap them to its own width."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


class ScenarioList(OptionList):
    """The list of scenarios; its own enter opens one, after any arrow keys typed before it."""

    BINDINGS = bindings(LIST)  # OptionList's own enter hides it from the footer


class PickerScreen(SizedScreen):
    BINDINGS = bindings(PICKER)

    def __init__(self, folder: str | None = None, seed: int | None = None):
        super().__init__()
        self.folder, self.seed = folder, seed
        self.entries = discover(folder, seed)
        self._first_showing = True  # the push's own resume: the entries were just read

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title")
        yield self.too_small_message()
        with Horizontal(classes="body", id="picker"):
            options = [Option(prompt(e), id=str(i)) for i, e in enumerate(self.entries)]
            yield ScenarioList(*options, id="scenario-list")
            with VerticalScroll(id="description-box"):
                yield Static(id="description")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "choose a scenario"
        self.query_one(TitleBar).show(self.app.title, self.sub_title)
        listing = self.query_one(OptionList)
        listing.highlighted = 0 if self.entries else None
        listing.focus()
        self._describe(0)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._first_showing:
            self._first_showing = False
        elif self.folder:
            self.rescan()

    def rescan(self) -> None:
        """Read the folder again (a file added, removed, edited or broken since) and keep the highlight on the
        same entry; if it is gone from the folder it stays listed with why (see discover)."""
        listing = self.query_one(OptionList)
        index = listing.highlighted
        current = self.entries[index].ref if index is not None and self.entries else None
        entries = discover(self.folder, self.seed, keep=current)
        if entries == self.entries:
            return
        self.entries = entries
        listing.clear_options()
        listing.add_options([Option(prompt(e), id=str(i)) for i, e in enumerate(entries)])
        refs = [e.ref for e in entries]
        index = refs.index(current) if current in refs else min(index or 0, len(entries) - 1)
        listing.highlighted = index if entries else None
        self._describe(listing.highlighted)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def action_open(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self._open(listing.highlighted)

    def _describe(self, index: int | None) -> None:
        box = self.query_one("#description", Static)
        if index is None or not self.entries:
            box.update("No scenarios found.")
            return
        e = self.entries[index]
        if e.error:  # Text, not markup: descriptions and errors hold brackets like [-4, -4, 3]
            box.update(Text.assemble(("This file cannot be used:", "bold red"), "\n\n", e.error))
        else:
            sc = e.scenario
            where = "bundled" if e.ref == sc.name else sc.source
            meta = f"{sc.kind} · starts with {sc.strategy} · {sc.steps:,} step{'' if sc.steps == 1 else 's'} · {where}"
            box.update(Text.assemble((sc.title, "bold"), "\n", (meta, "dim"), "\n\n", unwrap(sc.description)))

    def _open(self, index: int) -> None:
        """Open the file as it is now: a file edited, broken or deleted since the picker listed it counts."""
        e = load_entry(self.entries[index].ref, self.entries[index].label, self.seed)
        if e != self.entries[index]:
            self.entries[index] = e
            self.query_one(OptionList).replace_option_prompt_at_index(index, prompt(e))
            self._describe(index)
        if e.error:
            self.notify(e.error, title="cannot open", severity="error", timeout=8)
            return
        self.app.open_scenario(e.scenario)
