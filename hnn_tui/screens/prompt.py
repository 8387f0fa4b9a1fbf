"""A one-line question: a new value for an input, or a new expression. A refusal is shown under the line, which
keeps what was typed; escape gives up and changes nothing."""
from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class Prompt(ModalScreen):
    """Asks for a line; `accept(text)` returns None when it took it, else the reason it did not (shown)."""

    BINDINGS = [Binding("escape", "dismiss_none", "cancel")]

    def __init__(self, question: str, text: str, accept: Callable[[str], str | None], select: bool = False):
        """`select`: the text starts selected, so typing replaces it (a value); else the cursor is at its end (an
        expression to edit)."""
        super().__init__()
        self.question, self.text, self.accept, self.select = question, text, accept, select

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(self.question, id="prompt-question", markup=False)  # file names may hold [
            yield Input(self.text, id="prompt-input", select_on_focus=self.select)
            yield Static("enter: take it · escape: leave it as it was", id="prompt-error", markup=False)  # as typed

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        refusal = self.accept(event.value)
        if refusal is None:
            self.dismiss(event.value)
        else:
            self.query_one("#prompt-error", Static).update(refusal)
            self.add_class("-refused")

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
