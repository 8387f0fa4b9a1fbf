"""Every key of the app, once: the screens' BINDINGS, the help screen and the README's key table come from here.

    python -m hnn_tui.keys      # prints the README's tables (tests/app/test_keys.py keeps the README in step)
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from .engine.runner import SPEEDS


@dataclass(frozen=True)
class Key:
    """One binding: Textual key names (comma-separated), the action, and its word in the footer ("" = none)."""

    keys: str
    action: str
    footer: str = ""


@dataclass(frozen=True)
class Row:
    """One line of the help: the keys as a person writes them, what they do, and the bindings behind them."""

    shown: str
    does: str
    keys: tuple[Key, ...] = ()


def _speeds() -> str:
    return ", ".join(str(s) for s in SPEEDS if s) + " steps/s, max"


PLAYGROUND = (
    Row("`1` `2` `3`", "strategy: random local search, numerical gradient, analytic gradient (backprop)",
        (Key("1", "strategy('random')", "random"), Key("2", "strategy('numerical')", "numerical"),
         Key("3", "strategy('analytic')", "analytic"))),
    Row("`s`", "take one step (pauses a run first)", (Key("s", "step", "step"),)),
    Row("`space`", "run / pause continuous stepping", (Key("space", "toggle_run", "run"),)),
    Row("`r` `R`", "reset to the scenario as loaded, knobs and strategy too / restart with the knobs as they are",
        (Key("r", "reset", "reset"), Key("R", "reset(True)"))),
    Row("`-` `+`", "step size down / up (1-2-5 steps: 0.005, 0.01, 0.02, ...)",
        (Key("minus", "knob('step_size', False)"), Key("plus,equals_sign", "knob('step_size', True)"))),
    Row("`S`", "the step size's schedule, from the next step: constant → linear (to the file's end, else a tenth, "
        "over the scenario's steps) → step (× decay every decay_every steps: 0.5, 100 unless the file says) → "
        "exponential (the smooth curve through the stairs' corners) → constant; `-` `+` end any schedule",
        (Key("S", "knob('schedule', True)"),)),
    Row("`M`", "the update rule, from the next step: plain steps (sgd) → momentum → Nesterov's momentum (the pull "
        "taken where the velocity is carrying the point) → sgd; a new rule starts from zero velocity",
        (Key("M", "knob('update', True)"),)),
    Row("`j` `J`", "the momentum coefficient μ (the share of the velocity a step keeps) down / up: 0, 0.5, 0.8, 0.9, "
        "0.95, 0.99", (Key("j", "knob('momentum', False)"), Key("J", "knob('momentum', True)"))),
    Row("`h` `H`", "the numerical gradient's probe h down / up",
        (Key("h", "knob('h', False)"), Key("H", "knob('h', True)"))),
    Row("`t` `T`", "random search's tweak down / up",
        (Key("t", "knob('tweak', False)"), Key("T", "knob('tweak', True)"))),
    Row("`y` `Y`", "random search's tries per step fewer / more",
        (Key("y", "knob('tries', False)"), Key("Y", "knob('tries', True)"))),
    Row("`,` `.`", f"running speed slower / faster: {_speeds()}",
        (Key("comma", "speed(False)"), Key("full_stop", "speed(True)"))),
    Row("`c`", "the next chart, when there is room for fewer than all", (Key("c", "cycle_charts"),)),
    Row("`<` `>`", "rewind: one step back / forward through the run (pauses it); the whole screen shows that step "
        "as it was; `s` or `space` go on from there and drop the steps after it",
        (Key("less_than_sign", "scrub(-1)"), Key("greater_than_sign", "scrub(1)"))),
    Row("`pageup` `pagedown`", "rewind: ten steps back / forward", (Key("pageup", "scrub(-10)"),
                                                                     Key("pagedown", "scrub(10)"))),
    Row("`home` `end`", "rewind: the run's start / its newest step",
        (Key("home", "scrub_to(False)"), Key("end", "scrub_to(True)"))),
    Row("`F`", "export the lesson as it is now as a Python program that needs only the standard library: its "
        "edits, knobs and strategy, starting from the parameters (or inputs) now; it prints the JSON lines of "
        "`hnn-tui run --json` from there. Asks for the file name; never over a file without asking; served to a "
        "browser, a download", (Key("F", "export"),)),
    Row("`A`", "race the strategies on the lesson as it is now (its start, seed and knobs): random search, the "
        "numerical and the analytic gradient, and the analytic one under the other update rule, charted against the "
        "forward passes they spend (the run pauses; `escape` comes back to it)", (Key("A", "race"),)),
    Row("`?`", "help", (Key("question_mark", "app.help", "help"),)),
    Row("`b` `escape`", "back to the picker", (Key("b,escape", "back", "back"),)),
    Row("`q` `ctrl+q`", "quit (mid-run too: exit status 0)", (Key("q", "app.quit", "quit"),)),
)

CIRCUIT = (  # the circuit screen's own keys (panels.circuit), on top of the playground's
    Row("`up` `down`", "select a wire of the circuit (the ◀ marks it)",
        (Key("up", "cursor(-1)"), Key("down", "cursor(1)"))),
    Row("`[` `]`", "nudge the selected input down / up: forward and backward run again (not a step)",
        (Key("left_square_bracket", "nudge(-1)", "nudge"), Key("right_square_bracket", "nudge(1)"))),
    Row("`{` `}`", "the nudge's size down / up (1-2-5 steps)",
        (Key("left_curly_bracket", "nudge_size(False)"), Key("right_curly_bracket", "nudge_size(True)"))),
    Row("`v`", "type a value for the selected input", (Key("v", "type_value", "value"),)),
    Row("`p` `P`", "the pull on the output, the gradient backprop starts from: +1, +2, -1, 0 and back / the other way",
        (Key("p", "pull(1)", "pull"), Key("P", "pull(-1)"))),
    Row("`w`", "walk through a pass gate by gate: `right` / `left` step forward / back, `w` or `escape` leave",
        (Key("w", "walk", "walk"), Key("right", "walk_step(1)"), Key("left", "walk_step(-1)"))),
    Row("`e`", "edit the expression (EXPR; name=value for new inputs)", (Key("e", "edit", "edit"),)),
)


def _craft(dropout_on: str, classes: bool) -> tuple[Row, ...]:
    """The craft-of-training keys of a model screen (panels.craft): L1, dropout, the start; class weights and the
    engine on the classifiers only. `dropout_on`: the models with hidden layers it works on, in words. The brackets
    are bound by their characters (Textual names them left_square_bracket, ...), as the help shows them."""
    rows = (
        Row("`[` `]`", "L1 weaker / stronger, down to 0 (a pull of the same size on every weight towards 0: weights "
            "reach exactly 0): from the next step",
            (Key("[", "knob('l1', False)"), Key("]", "knob('l1', True)"))),
        Row("`{` `}`", f"dropout less / more: the share of hidden units off at random in each training step (0 to "
            f"0.7; {dropout_on}): from the next step",
            (Key("{", "knob('dropout', False)"), Key("}", "knob('dropout', True)"))),
        Row("`I`", "the weights' starting scheme: uniform (±init_scale, the guide's), Xavier, He: restarts",
            (Key("I", "knob('init')"),)),
        Row("`v` `V`", "every bias's starting value lower / higher (the model's own, -2, -1, -0.5, 0, 0.1, 0.5, 1): "
            "restarts", (Key("v", "knob('bias', False)"), Key("V", "knob('bias', True)"))),
    )
    if not classes:
        return rows
    return rows + (
        Row("`W`", "the classes' weights in the loss: equal / balanced (a class with fewer points weighs more): from "
            "the next step", (Key("W", "knob('weights')"),)),
        Row("`E`", "the engine: pure Python / numpy over the whole batch; the parameters stay, a run goes on (the "
            "status line's steps/s shows the difference)", (Key("E", "knob('engine')"),)),
    )


REGRESSION = (  # the regression screen's own keys (panels.regression), on top of the playground's
    Row("`k` `K`", "the spring (regularization strength) weaker / stronger, down to 0: from the next step",
        (Key("k", "knob('reg', False)", "spring"), Key("K", "knob('reg', True)"))),
    Row("`l`", "the loss: squared / absolute / Huber, from the next step", (Key("l", "knob('loss')", "loss"),)),
    Row("`a`", "the batch: one random point a step / all points, from the next step",
        (Key("a", "knob('batch')", "batch"),)),
    Row("`o`", "another seed: a new random start (and other sampled points): restarts",
        (Key("o", "knob('seed')", "seed"),)),
    Row("`g`", "check the gradient of the whole cost here: backprop against the numerical estimate, per parameter",
        (Key("g", "check", "check"),)),
) + _craft("the net and the mlp", classes=False)

CLASSIFIER = (  # the classifier screen's own keys (panels.classifier), on top of the playground's
    Row("`k` `K`", "the spring (regularization strength) weaker / stronger, down to 0: from the next step",
        (Key("k", "knob('reg', False)", "spring"), Key("K", "knob('reg', True)"))),
    Row("`l`", "the loss: hinge / squared hinge, from the next step", (Key("l", "knob('loss')", "loss"),)),
    Row("`a`", "the batch: one random point a step / all points, from the next step",
        (Key("a", "knob('batch')", "batch"),)),
    Row("`n` `N`", "fewer / more hidden neurons (the net) or a smaller / larger shape (the mlp): restarts",
        (Key("n", "knob('shape', False)"), Key("N", "knob('shape', True)"))),
    Row("`d` `D`", "the next / previous dataset: restarts",
        (Key("d", "knob('dataset', True)", "data"), Key("D", "knob('dataset', False)"))),
    Row("`z` `Z`", "a generated dataset's points fewer / more: restarts",
        (Key("z", "knob('n', False)"), Key("Z", "knob('n', True)"))),
    Row("`x` `X`", "a generated dataset's noise less / more: restarts",
        (Key("x", "knob('noise', False)"), Key("X", "knob('noise', True)"))),
    Row("`o`", "another seed: a new random start (and other sampled points): restarts",
        (Key("o", "knob('seed')", "seed"),)),
    Row("`u`", "each hidden neuron's line on the boundary (the net, the mlp's first layer): show / hide",
        (Key("u", "neurons", "neurons"),)),
    Row("`g`", "check the gradient of the whole cost here: backprop against the numerical estimate, per parameter",
        (Key("g", "check", "check"),)),
    Row("`up` `down` `left` `right`", "your own data: the cursor on the boundary one cell (the first press shows it)",
        (Key("up", "move_cursor(0, -1)"), Key("down", "move_cursor(0, 1)"), Key("left", "move_cursor(-1, 0)"),
         Key("right", "move_cursor(1, 0)"))),
    Row("`shift+up` `shift+down` `shift+left` `shift+right`", "the cursor 5 cells",
        (Key("shift+up", "move_cursor(0, -5)"), Key("shift+down", "move_cursor(0, 5)"),
         Key("shift+left", "move_cursor(-5, 0)"), Key("shift+right", "move_cursor(5, 0)"))),
    Row("`p` `m`", "add a +1 / -1 training point at the cursor: the parameters stay, a run goes on",
        (Key("p", "add_point(1)"), Key("m", "add_point(-1)"))),
    Row("`backspace` `delete`", "delete the training point nearest the cursor",
        (Key("backspace,delete", "delete_point"),)),
    Row("`U`", "undo the last edit of the points", (Key("U", "undo_edit"),)),
    Row("`w`", "save the scenario as it is now (its start: the parameters now) and its points as CSV",
        (Key("w", "save"),)),
    Row("`i`", "read points from a CSV file in place of these (the parameters stay; `U` undoes)",
        (Key("i", "read_csv"),)),
) + _craft("the mlp", classes=True)

MULTICLASS = (  # the multiclass classifier screen's own keys (panels.multiclass), on top of the playground's
    Row("`k` `K`", "the spring (regularization strength) weaker / stronger, down to 0: from the next step",
        (Key("k", "knob('reg', False)", "spring"), Key("K", "knob('reg', True)"))),
    Row("`l`", "the loss: softmax / multiclass hinge, from the next step", (Key("l", "knob('loss')", "loss"),)),
    Row("`a`", "the batch: one random point a step / all points, from the next step",
        (Key("a", "knob('batch')", "batch"),)),
    Row("`o`", "another seed: a new random start (and other sampled points): restarts",
        (Key("o", "knob('seed')", "seed"),)),
    Row("`u`", "each hidden neuron's line on the map (the net, the mlp's first layer): show / hide",
        (Key("u", "neurons", "neurons"),)),
    Row("`g`", "check the gradient of the whole cost here: backprop against the numerical estimate, per parameter",
        (Key("g", "check", "check"),)),
) + _craft("the net and the mlp", classes=True)

RACE = (  # the race screen's own keys (screens.race), opened with `A` on a lesson
    Row("`-` `+`", "the finishing line down / up a notch (a 1-2-5 step of about a twentieth of the way the analytic "
        "gradient goes): the race starts again",
        (Key("minus", "line(-1)", "line"), Key("plus,equals_sign", "line(1)"))),
    Row("`[` `]`", "the budget of forward passes halved / doubled: the race starts again",
        (Key("left_square_bracket", "budget(False)", "budget"), Key("right_square_bracket", "budget(True)"))),
    Row("`r`", "the race again from the start", (Key("r", "restart", "again"),)),
    Row("`?`", "help", (Key("question_mark", "app.help", "help"),)),
    Row("`b` `escape`", "back to the lesson, as it was", (Key("b,escape", "back", "back"),)),
    Row("`q` `ctrl+q`", "quit (mid-race too)", (Key("q", "app.quit", "quit"),)),
)

PICKER = (
    Row("`up` `down`", "choose a scenario"),  # the list's own keys
    Row("`enter`", "open it", (Key("enter", "open"),)),
    Row("`?`", "help", (Key("question_mark", "app.help", "help"),)),
    Row("`q` `ctrl+q`", "quit", (Key("q", "app.quit", "quit"),)),
)

LIST = (Key("enter", "select", "open"),)  # the picker's list: its own enter, after any arrows typed before it
APP = (Key("ctrl+q", "quit"),)  # everywhere, before any screen's own keys
HELP = (Key("escape,q,question_mark", "dismiss", "close"),)


def bindings(rows_or_keys, priority: bool = False) -> list[Binding]:
    """Textual bindings for a screen's rows (or a tuple of keys); a key not in the footer is described by its row."""
    pairs = [(k, r.does) for r in rows_or_keys for k in r.keys] if isinstance(rows_or_keys[0], Row) \
        else [(k, k.action) for k in rows_or_keys]
    return [Binding(k.keys, k.action, k.footer or does, show=bool(k.footer), priority=priority) for k, does in pairs]


def markdown(rows) -> str:
    """The rows as a Markdown table (the help screen's and the README's)."""
    return "\n".join(["| key | what it does |", "|---|---|"] + [f"| {r.shown} | {r.does} |" for r in rows])


if __name__ == "__main__":
    print(markdown(PLAYGROUND), "On a circuit, besides:", markdown(CIRCUIT), "On a classifier, besides:",
          markdown(CLASSIFIER), "On a multiclass classifier, besides:", markdown(MULTICLASS),
          "On a regression, besides:", markdown(REGRESSION), "In a race (`A`):", markdown(RACE), sep="\n\n")
