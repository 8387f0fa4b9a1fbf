"""The key list, on `?`."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# hnn-tui keys

| key | what it does |
|---|---|
| `1` `2` `3` | strategy: random local search, numerical gradient, analytic gradient (backprop) |
| `s` | take one step (pauses a run first) |
| `space` | run / pause continuous stepping |
| `r` | reset to the scenario's start |
| `-` `+` | step size down / up |
| `h` `H` | numerical probe h down / up |
| `t` `T` | random search tweak down / up |
| `,` `.` | running speed slower / faster (steps per second) |
| `b` `escape` | back to the scenario picker |
| `?` | this help |
| `q` `ctrl+q` | quit |

In the picker: `up`/`down` choose, `enter` opens.

Each strategy's cost is on screen as counts of forward and backward passes: random search spends
`tries` forwards a step, the numerical gradient P+1 (2P centered), backprop one forward and one
backward, whatever the number of inputs P.

*escape, q or ? closes this help.*
"""


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
