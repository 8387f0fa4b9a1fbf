"""The key list, on `?`: made from the one keys table (hnn_tui/keys.py)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from ..keys import CIRCUIT, CLASSIFIER, HELP, MULTICLASS, PICKER, PLAYGROUND, RACE, REGRESSION, bindings, markdown

TEXT = f"""\
# hnn-tui keys

{markdown(PLAYGROUND)}

On a circuit, besides:

{markdown(CIRCUIT)}

On a classifier, besides:

{markdown(CLASSIFIER)}

On a multiclass classifier, besides:

{markdown(MULTICLASS)}

On a regression, besides:

{markdown(REGRESSION)}

In a race (`A`):

{markdown(RACE)}

In the picker: {", ".join(f"{r.shown} {r.does}" for r in PICKER)}.

Each strategy's cost is on screen as counts of forward and backward passes: random search spends
`tries` forwards a step, the numerical gradient P+1 (2P centered), backprop one forward and one
backward, whatever the number of inputs P.

*escape, q or ? closes this help.*
"""


class HelpScreen(ModalScreen):
    BINDINGS = bindings(HELP)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(TEXT)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()  # up, down, page up/down, home and end scroll it
